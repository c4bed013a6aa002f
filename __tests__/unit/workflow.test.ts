import { jest } from '@jest/globals';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { parseCommandFile } from '../../scripts/lib/runner.mjs';
import { startOidc } from '../../scripts/lib/fakes.mjs';

interface Step {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  env?: Record<string, string>;
  with?: Record<string, string>;
}
interface Job {
  name?: string;
  needs?: string | string[];
  if?: string;
  environment?: string | { name: string };
  permissions?: Record<string, string>;
  concurrency?: { group: string; 'cancel-in-progress'?: boolean };
  'timeout-minutes'?: number | string;
  strategy?: { matrix?: unknown };
  outputs?: Record<string, string>;
  steps?: Step[];
}
interface Workflow {
  on: Record<string, { inputs?: Record<string, unknown>; secrets?: unknown; outputs?: unknown }>;
  permissions?: Record<string, string>;
  jobs: Record<string, Job>;
}

const WORKFLOWS = '.github/workflows';
const load = (file: string): Workflow => parse(readFileSync(join(WORKFLOWS, file), 'utf8')) as Workflow;
const deploy = load('deploy.yml');
const jobs = deploy.jobs;
const ACTION = './.multi-account-deploy/action';

const STAGE = './.multi-account-deploy/action/.github/actions/stage';
const stage = parse(readFileSync('.github/actions/stage/action.yml', 'utf8')) as { runs: { steps: Step[] } };
const environmentOf = (job: Job): string | undefined =>
  typeof job.environment === 'string' ? job.environment : job.environment?.name;

/**
 * Runs one step's `run:` script the way the runner does (bash -eo pipefail), with the step's env filled in.
 * Asynchronous, so that loopback servers of the same process can answer it; bounded by a timeout.
 */
async function runStep(script: string, env: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), 'mad-step-'));
  const file = join(dir, 'step.sh');
  const output = join(dir, 'output');
  writeFileSync(file, script);
  writeFileSync(output, '');
  const child = spawn('bash', ['--noprofile', '--norc', '-eo', 'pipefail', file], {
    env: { PATH: process.env.PATH, GITHUB_OUTPUT: output, ...env },
    timeout: 20_000,
  });
  let stdout = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return { code, stdout, outputs: parseCommandFile(readFileSync(output, 'utf8')) as Record<string, string> };
}
const setupStep = (id: string): string => {
  const run = jobs.setup?.steps?.find((s) => s.id === id)?.run;
  if (!run) throw new Error(`setup has no step ${id}`);
  return run;
};

describe('the reusable workflow deploy.yml', () => {
  it('is called with workflow_call, takes only the optional action-token secret, and grants nothing at the top level', () => {
    expect(Object.keys(deploy.on)).toEqual(['workflow_call']);
    expect(deploy.on.workflow_call?.secrets).toEqual({
      'action-token': expect.objectContaining({ required: false }),
    });
    expect(deploy.permissions).toEqual({});
    const inputs = Object.keys(deploy.on.workflow_call?.inputs ?? {});
    for (const name of [
      'stack-name',
      'template',
      'regions',
      'dev-regions',
      'staging-regions',
      'prod-regions',
      'dev-role-arn',
      'staging-role-arn',
      'prod-role-arn',
      'dev-plan-role-arn',
      'staging-plan-role-arn',
      'prod-plan-role-arn',
      'prod-release-role-arn',
      'dev-parameters',
      'staging-parameters',
      'prod-parameters',
      'dev-execution-role-arn',
      'staging-execution-role-arn',
      'prod-execution-role-arn',
      'ecr-repositories',
      'action-repository',
      'action-version',
    ])
      expect(inputs).toContain(name);
  });

  // Which jobs run, in which order, with which roles and change sets: workflow-job-graph.test.ts.
  it('waits for an environment only where a deploy role is used: dev, staging and prod-execute', () => {
    const withEnvironment = Object.entries(jobs)
      .filter(([, j]) => j.environment !== undefined)
      .map(([id, j]) => [id, environmentOf(j)]);
    expect(withEnvironment).toEqual([
      ['dev', 'dev'],
      ['staging', 'staging'],
      ['prod-execute', 'prod'],
    ]);
  });

  it('deploys and plans on the default branch from the package, never from a checkout of the repository', () => {
    for (const id of ['dev', 'staging', 'prod-plan', 'prod-execute']) {
      const steps = jobs[id]?.steps ?? [];
      expect(steps.map((s) => s.uses)).toEqual(['actions/checkout@v4', STAGE]);
      expect(steps[0]?.with?.repository).toBe('${{ needs.setup.outputs.action-repository }}');
      expect(steps[1]?.with?.['package-hash']).toBe('${{ needs.setup.outputs.package-hash }}');
    }
    // The stage action downloads the package and checks its hash before it runs the action.
    const stageSteps = stage.runs.steps;
    const verify = stageSteps.findIndex((s) => /package-hash\.mjs" verify/.test(s.run ?? ''));
    expect(stageSteps[0]?.uses).toMatch(/^actions\/download-artifact@/);
    expect(verify).toBeGreaterThan(0);
    expect(verify).toBeLessThan(stageSteps.findIndex((s) => s.uses === ACTION));
    const pack = jobs.setup?.steps?.find((s) => /package-hash\.mjs pack/.test(s.run ?? ''));
    expect(pack?.id).toBe('pack');
    expect(jobs.setup?.outputs?.['package-hash']).toBe('${{ steps.pack.outputs.hash }}');
  });

  it('checks out the action with the action-token secret when given (private and internal copies)', () => {
    const checkouts = Object.values(jobs).flatMap((j) =>
      (j.steps ?? []).filter((s) => s.with?.path === '.multi-account-deploy/action'),
    );
    expect(checkouts.length).toBe(Object.keys(jobs).length);
    for (const c of checkouts) expect(c.with?.token).toBe('${{ secrets.action-token || github.token }}');
  });

  it('gives each job exactly the permissions it needs', () => {
    const expected: Record<string, Record<string, string>> = {
      setup: { 'id-token': 'write', contents: 'read' },
      plan: { 'id-token': 'write', contents: 'read', 'pull-requests': 'write' },
      dev: { 'id-token': 'write', contents: 'read' },
      staging: { 'id-token': 'write', contents: 'read' },
      'prod-plan': { 'id-token': 'write', contents: 'read' },
      'prod-review': { contents: 'read' },
      'prod-execute': { 'id-token': 'write', contents: 'read' },
      summary: { contents: 'read' },
    };
    for (const [id, job] of Object.entries(jobs)) expect([id, job.permissions]).toEqual([id, expected[id]]);
    // Only the plan job comments, so only it may write to pull requests.
    const commenting = Object.entries(jobs).filter(([, j]) => j.permissions?.['pull-requests']);
    expect(commenting.map(([id]) => id)).toEqual(['plan']);
  });

  it('serialises each stack and stage (per region) and never cancels a running deploy', () => {
    const stageOf: Record<string, string> = {
      plan: '${{ matrix.stage }}',
      dev: 'dev',
      staging: 'staging',
      'prod-plan': 'prod',
      'prod-execute': 'prod',
    };
    for (const [id, stage] of Object.entries(stageOf)) {
      const c = jobs[id]?.concurrency;
      expect(c?.group).toContain('${{ inputs.stack-name }}');
      expect(c?.group).toContain(`-${stage}-`);
      expect(c?.group).toContain('${{ matrix.region }}');
      expect(c?.['cancel-in-progress']).toBe(false);
    }
    // Plan and execution of a prod region are one critical section.
    expect(jobs['prod-plan']?.concurrency?.group).toBe(jobs['prod-execute']?.concurrency?.group);
    // A pull request's plan never shares (and so never replaces a pending) deploy's group.
    expect(jobs.plan?.concurrency?.group).toContain('${{ github.ref }}');
    // Every job that touches an AWS account is in a concurrency group.
    for (const [id, job] of Object.entries(jobs))
      if (job.steps?.some((s) => s.uses === STAGE)) expect([id, !!job.concurrency]).toEqual([id, true]);
  });

  it('gives every job of every workflow a timeout', () => {
    for (const file of readdirSync(WORKFLOWS).filter((f) => /\.ya?ml$/.test(f)))
      for (const [id, job] of Object.entries(load(file).jobs))
        expect([file, id, job['timeout-minutes'] !== undefined]).toEqual([file, id, true]);
  });

  it('never interpolates an expression into a run: script of any workflow (values go through env:)', () => {
    let scripts = 0;
    for (const file of readdirSync(WORKFLOWS).filter((f) => /\.ya?ml$/.test(f)))
      for (const [id, job] of Object.entries(load(file).jobs))
        for (const step of job.steps ?? []) {
          if (step.run === undefined) continue;
          scripts++;
          expect([file, id, step.name ?? step.id, step.run.includes('${{')]).toEqual([
            file,
            id,
            step.name ?? step.id,
            false,
          ]);
        }
    for (const step of stage.runs.steps)
      if (step.run !== undefined) {
        scripts++;
        expect([step.name, step.run.includes('${{')]).toEqual([step.name, false]);
      }
    expect(scripts).toBeGreaterThan(8);
  });
});

// These tests run the setup job's bash (with jq) several times; under load that exceeds jest's 5 s default.
jest.setTimeout(20_000);

describe('the setup job', () => {
  const stages = setupStep('stages');
  const base = {
    STACK_NAME: 'my-app',
    REGIONS: 'eu-west-1',
    DEV_REGIONS: '',
    STAGING_REGIONS: '',
    PROD_REGIONS: '',
    STAGING_ROLE_ARN: '',
    STAGING_PLAN_ROLE_ARN: '',
    EVENT_NAME: 'push',
    REF: 'refs/heads/main',
    DEFAULT_BRANCH: 'main',
    FORK: '',
  };

  it('reads regions as JSON lists or comma-separated, per stage with a default, and builds the plan matrix', async () => {
    const run = await runStep(stages, {
      ...base,
      REGIONS: 'eu-west-1, us-east-1',
      PROD_REGIONS: '["eu-central-1", "eu-west-1", "eu-central-1"]',
    });
    expect(run.code).toBe(0);
    expect(run.outputs).toMatchObject({
      event: 'promote',
      staging: 'false',
      stages: '["dev","prod"]',
      'dev-regions': '["eu-west-1","us-east-1"]',
      'prod-regions': '["eu-central-1","eu-west-1"]',
      'staging-regions': '[]',
    });
    expect(JSON.parse(run.outputs['plan-matrix'] ?? '')).toEqual({
      include: [
        { stage: 'dev', region: 'eu-west-1' },
        { stage: 'dev', region: 'us-east-1' },
        { stage: 'prod', region: 'eu-central-1' },
        { stage: 'prod', region: 'eu-west-1' },
      ],
    });
  });

  it('adds staging when its role is set, and then requires its plan role', async () => {
    const missing = await runStep(stages, {
      ...base,
      STAGING_ROLE_ARN: 'arn:aws:iam::222222222222:role/deploy',
    });
    expect(missing.code).toBe(1);
    expect(missing.stdout).toContain('Input \'staging-plan-role-arn\' is ""');
    const run = await runStep(stages, {
      ...base,
      STAGING_ROLE_ARN: 'arn:aws:iam::222222222222:role/deploy',
      STAGING_PLAN_ROLE_ARN: 'arn:aws:iam::222222222222:role/plan',
      STAGING_REGIONS: 'us-west-2',
    });
    expect(run.code).toBe(0);
    expect(run.outputs).toMatchObject({
      staging: 'true',
      stages: '["dev","staging","prod"]',
      'staging-regions': '["us-west-2"]',
    });
  });

  it('refuses bad regions and stack names, naming the input and quoting the value', async () => {
    for (const [env, message] of [
      [{ REGIONS: '' }, `Input 'dev-regions' is "": expected regions`],
      [{ DEV_REGIONS: 'eu-west' }, `Input 'dev-regions' is "eu-west"`],
      [{ PROD_REGIONS: '["eu-west-1"' }, `Input 'prod-regions' is "["eu-west-1""`],
      [{ PROD_REGIONS: '[1]' }, `Input 'prod-regions' is "[1]"`],
      [{ STACK_NAME: 'my_app' }, `Input 'stack-name' is "my_app"`],
    ] as const) {
      const run = await runStep(stages, { ...base, ...env });
      expect([env, run.code]).toEqual([env, 1]);
      expect(run.stdout).toContain(message);
    }
  });

  it('plans on pull requests, promotes on a push or manual run of the default branch, and does nothing else', async () => {
    const event = async (env: Record<string, string>) =>
      (await runStep(stages, { ...base, ...env })).outputs.event;
    const pr = {
      EVENT_NAME: 'pull_request',
      REF: 'refs/pull/7/merge',
      ACTIONS_ID_TOKEN_REQUEST_URL: 'http://127.0.0.1:9/t',
    };
    const cases: [Record<string, string>, string][] = [
      [pr, 'plan'],
      [{ EVENT_NAME: 'push' }, 'promote'],
      [{ EVENT_NAME: 'workflow_dispatch' }, 'promote'],
      [{ EVENT_NAME: 'push', REF: 'refs/heads/feature' }, 'none'],
      [{ EVENT_NAME: 'push', REF: 'refs/tags/v1' }, 'none'],
      [{ EVENT_NAME: 'pull_request_target' }, 'none'],
    ];
    const events = await Promise.all(cases.map(([env]) => event(env)));
    expect(events).toEqual(cases.map(([, expected]) => expected));
  });

  it('skips the plans of a pull request without an OIDC token (a fork, Dependabot) with a notice', async () => {
    const pr = { EVENT_NAME: 'pull_request', REF: 'refs/pull/7/merge', GITHUB_STEP_SUMMARY: '/dev/null' };
    const fork = await runStep(stages, {
      ...base,
      ...pr,
      FORK: 'true',
      ACTIONS_ID_TOKEN_REQUEST_URL: 'http://127.0.0.1:9/t',
    });
    expect(fork.code).toBe(0);
    expect(fork.outputs.event).toBe('none');
    expect(fork.stdout).toMatch(/^::notice title=Plans skipped::.*forks/m);
    const noToken = await runStep(stages, { ...base, ...pr, FORK: 'false' });
    expect(noToken.outputs.event).toBe('none');
  });

  it("finds this workflow's own repository and commit in the job's OIDC claims", async () => {
    const sha = 'a'.repeat(40);
    const oidc = await startOidc({
      job_workflow_ref: 'acme/multi-account-deploy/.github/workflows/deploy.yml@refs/tags/v1',
      job_workflow_sha: sha,
    });
    try {
      const source = setupStep('source');
      const env = {
        ACTION_REPOSITORY: '',
        ACTION_VERSION: '',
        EVENT_NAME: 'push',
        ACTIONS_ID_TOKEN_REQUEST_URL: `${oidc.url}/token?api-version=2.0`,
        ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'request-token',
      };
      const run = await runStep(source, env);
      expect(run.code).toBe(0);
      expect(run.outputs).toEqual({ repository: 'acme/multi-account-deploy', ref: sha });
      // The token is asked for an audience no AWS trust policy accepts, and never printed.
      expect(oidc.requests[0]?.audience).toBe('multi-account-deploy-workflow-ref');
      expect(run.stdout).toContain(`::add-mask::${oidc.tokens[0]}`);
      expect(run.stdout.split(oidc.tokens[0] ?? '').length).toBe(2);
      // An explicit version wins, and needs no token.
      const pinned = await runStep(source, {
        ...env,
        ACTION_VERSION: 'v1.2.0',
        ACTION_REPOSITORY: 'acme/fork',
        ACTIONS_ID_TOKEN_REQUEST_URL: '',
      });
      expect(pinned.outputs).toEqual({ repository: 'acme/fork', ref: 'v1.2.0' });
      expect(oidc.requests).toHaveLength(1);
      // No token on a push: fails with the fix (a pull request without one never gets here: see setup's stages).
      const push = await runStep(source, { ...env, ACTIONS_ID_TOKEN_REQUEST_URL: '' });
      expect(push.code).toBe(1);
      expect(push.stdout).toContain("grant 'id-token: write'");
    } finally {
      await oidc.close();
    }
  });
});

describe('the README section "Promote dev → prod"', () => {
  const readme = readFileSync('README.md', 'utf8');
  const start = readme.indexOf('## Promote dev → prod');
  const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
  const inputs = deploy.on.workflow_call?.inputs as Record<string, { required?: boolean }>;

  it('has a mermaid diagram and documents every input of the workflow', () => {
    expect(section).toContain('```mermaid');
    for (const name of Object.keys(inputs))
      expect([name, section.includes(`\`${name}\``)]).toEqual([name, true]);
  });

  it('has a complete caller workflow: every required input, only declared inputs, the permissions the jobs need', () => {
    const block = /```yaml\n(name: deploy[\s\S]*?)```/.exec(section)?.[1];
    expect(block).toBeDefined();
    const caller = parse(block ?? '') as {
      on: Record<string, unknown>;
      jobs: Record<
        string,
        { uses: string; with: Record<string, unknown>; permissions: Record<string, string> }
      >;
    };
    expect(Object.keys(caller.on).sort()).toEqual(['pull_request', 'push', 'workflow_dispatch']);
    const job = Object.values(caller.jobs)[0];
    expect(job?.uses).toBe('ORG/multi-account-deploy/.github/workflows/deploy.yml@v1');
    for (const key of Object.keys(job?.with ?? {})) expect([key, key in inputs]).toEqual([key, true]);
    for (const [name, spec] of Object.entries(inputs))
      if (spec.required) expect([name, name in (job?.with ?? {})]).toEqual([name, true]);
    // A called workflow's jobs get at most what the caller grants: the union of what they ask for.
    const union = Object.assign({}, ...Object.values(jobs).map((j) => j.permissions));
    expect(job?.permissions).toEqual(union);
  });
});
