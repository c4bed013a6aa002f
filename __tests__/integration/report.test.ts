import { commentMarker } from '../../src/report/markdown.js';
import { startGithubApi, type GithubApi } from './harness/github-api.js';
import { resetMoto } from './harness/moto.js';
import { EXAMPLE, runAction, type RunOptions } from './harness/run-action.js';

const PR = 7;
const MARKER = commentMarker({ stackName: 'example', environment: 'dev', region: 'eu-west-1' });
const HEADING = 'dev · 123456789012 · eu-west-1 · example: 2 to add — planned';

let api: GithubApi;

beforeAll(async () => {
  api = await startGithubApi();
});
afterAll(() => api.close());
beforeEach(async () => {
  await resetMoto();
  api.comments.clear();
  api.requests.length = 0;
  api.forbid = false;
});

/** A plan of the example stack on pull request #7, commenting through the loopback GitHub API. */
function plan(extra: Partial<RunOptions> & { inputs?: Record<string, string> } = {}) {
  return runAction({
    ...EXAMPLE,
    githubApiUrl: api.url,
    event: { name: 'pull_request', number: PR },
    ...extra,
    inputs: {
      ...EXAMPLE.inputs,
      environment: 'dev',
      mode: 'plan',
      'github-token': 'ghs_test_token',
      ...extra.inputs,
    },
  });
}

function seed(count: number, ours?: { at: number; body: string }): void {
  const list = Array.from({ length: count }, (_, i) => ({
    id: 1 + i,
    body: ours?.at === i ? ours.body : `review comment ${i}`,
    user: { login: i % 2 ? 'octocat' : 'github-actions[bot]', type: i % 2 ? 'User' : 'Bot' },
  }));
  api.comments.set(PR, list);
}

const ours = () => (api.comments.get(PR) ?? []).filter((c) => c.body.includes(MARKER));

describe('the pull-request comment', () => {
  it('creates one comment for a plan on a pull_request event, with the summary’s report', async () => {
    const run = await plan();
    expect(run.code).toBe(0);
    const comments = api.comments.get(PR) ?? [];
    expect(comments).toHaveLength(1);
    expect(comments[0]?.body.startsWith(`${MARKER}\n### ✅ ${HEADING}`)).toBe(true);
    expect(run.summary).toContain(HEADING);
    expect(run.stdout).toMatch(/Pull-request comment created/);
    expect(api.requests.map((r) => r.method)).toEqual(['GET', 'POST']);
  });

  it('updates the same comment on the next plan: one comment, new body', async () => {
    const { workspace } = await plan();
    const first = ours()[0]?.body ?? '';
    expect(first).not.toContain('RetentionSeconds');

    const run = await plan({ workspace, inputs: { 'parameter-overrides': 'RetentionSeconds=86400' } });
    expect(run.code).toBe(0);
    expect(api.comments.get(PR)).toHaveLength(1);
    const second = ours()[0]?.body ?? '';
    expect(second).not.toBe(first);
    expect(second).toContain('| `RetentionSeconds` | `86400` |');
    expect(api.requests.filter((r) => r.method === 'PATCH')).toHaveLength(1);
    expect(api.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
    expect(run.stdout).toMatch(/Pull-request comment updated/);
  });

  it('comments nothing on a push event', async () => {
    const run = await plan({ event: { name: 'push' } });
    expect(run.code).toBe(0);
    expect(run.summary).toContain(HEADING);
    expect(api.requests).toEqual([]);
  });

  it('comments nothing with comment: never', async () => {
    const run = await plan({ inputs: { comment: 'never' } });
    expect(run.code).toBe(0);
    expect(api.requests).toEqual([]);
  });

  it('still succeeds when the API answers 403, and says which permission is missing', async () => {
    api.forbid = true;
    const run = await plan();
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      '::warning::Could not write the pull-request comment on #7: Resource not accessible by integration',
    );
    expect(run.stdout).toContain('pull-requests: write');
    expect(run.stdout).not.toContain('::error');
    expect(run.outputs.result).toBe('planned');
  });

  it('finds its comment on a later page among 150 others and updates it in place', async () => {
    seed(150, { at: 140, body: `${MARKER}\nan older plan` });
    const run = await plan();
    expect(run.code).toBe(0);
    const comments = api.comments.get(PR) ?? [];
    expect(comments).toHaveLength(150);
    expect(comments[140]?.body).toContain(HEADING);
    const lists = api.requests.filter((r) => r.method === 'GET');
    expect(lists).toHaveLength(2);
    expect(api.requests.map((r) => `${r.method} ${r.path}`).at(-1)).toBe(
      'PATCH /repos/acme/app/issues/comments/141',
    );
  });

  it('reads all pages before creating its comment when none of 150 is its own', async () => {
    seed(150);
    const run = await plan();
    expect(run.code).toBe(0);
    expect(api.requests.filter((r) => r.method === 'GET')).toHaveLength(2);
    expect(api.comments.get(PR)).toHaveLength(151);
    expect(ours()).toHaveLength(1);
  });

  it('replaces an old plan with "no changes" once deployed, but starts no comment for it', async () => {
    const { workspace } = await runAction({ ...EXAMPLE, inputs: { ...EXAMPLE.inputs, environment: 'dev' } });
    const quiet = await plan({ workspace });
    expect(quiet.outputs.result).toBe('no-changes');
    expect(api.comments.get(PR) ?? []).toHaveLength(0);

    seed(3, { at: 1, body: `${MARKER}\n2 to add — planned` });
    const run = await plan({ workspace });
    expect(run.code).toBe(0);
    expect(api.comments.get(PR)).toHaveLength(3);
    expect(ours()[0]?.body).toContain('dev · 123456789012 · eu-west-1 · example: no changes');
  });

  it('never puts a NoEcho value into the comment, the summary or the log', async () => {
    const secret = 'sup3r-s3cret-value';
    const template = `Parameters:
  ApiKey: { Type: String, NoEcho: true }
Resources:
  Queue: { Type: AWS::SQS::Queue, Properties: { Tags: [{ Key: k, Value: !Ref ApiKey }] } }
`;
    const run = await plan({
      files: { 'stack.yaml': template },
      inputs: { 'parameter-overrides': `ApiKey=${secret}` },
    });
    expect(run.code).toBe(0);
    const body = ours()[0]?.body ?? '';
    expect(body).toContain('| `ApiKey` | `****` |');
    // The runner consumes ::add-mask:: itself: it is how the value is kept out of everything else printed.
    const log = run.stdout.replace(/^::add-mask::.*$/gm, '');
    for (const text of [body, run.summary, log, run.stderr]) expect(text).not.toContain(secret);
  });
});
