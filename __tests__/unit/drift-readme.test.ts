// The README's Drift section: its nightly workflow is valid as GitHub parses it and uses the action as documented.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { DRIFT } from '../../src/config/values.js';

const readme = readFileSync('README.md', 'utf8');
const start = readme.indexOf('## Drift');
const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
const block = /\*\*A nightly drift check\*\*[\s\S]*?```yaml\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
const action = parse(readFileSync('action.yml', 'utf8')) as { inputs: Record<string, unknown> };

interface NightlyWorkflow {
  on: Record<string, unknown>;
  permissions: Record<string, string>;
  jobs: Record<
    string,
    {
      strategy: { 'fail-fast': boolean; matrix: { include: Record<string, string>[] } };
      steps: { uses: string; with?: Record<string, string> }[];
    }
  >;
}

/** GitHub's own workflow parser (it needs a TypeScript/ESM loader on Node 20: tsx, in a child process). */
function githubParse(content: string): { errors: string[]; events: Record<string, unknown> } {
  const script = `
    import { parseWorkflow, convertWorkflowTemplate, NoOperationTraceWriter } from '@actions/workflow-parser';
    const content = process.env.WORKFLOW;
    const parsed = parseWorkflow({ name: 'drift.yml', content }, new NoOperationTraceWriter());
    const template = await convertWorkflowTemplate(parsed.context, parsed.value);
    const errors = [...parsed.context.errors.getErrors(), ...(template.errors ?? [])].map((e) => String(e.message ?? e));
    process.stdout.write(JSON.stringify({ errors, events: template.events }));
  `;
  const res = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    env: { ...process.env, WORKFLOW: content },
    encoding: 'utf8',
  });
  if (res.status !== 0) throw new Error(res.stderr);
  return JSON.parse(res.stdout) as { errors: string[]; events: Record<string, unknown> };
}

describe('the README section "Drift"', () => {
  it('documents every value of the drift input', () => {
    const documented = [...section.matchAll(/^\| `([a-z]+)` +\|/gm)]
      .map((m) => m[1])
      .filter((v) => v !== 'drift');
    expect(documented).toEqual([...DRIFT]);
  });

  it('has a nightly workflow GitHub accepts, scheduled, with the OIDC permission', () => {
    expect(block).not.toBe('');
    const parsed = githubParse(block);
    expect(parsed.errors).toEqual([]);
    expect(parsed.events).toHaveProperty('schedule');
    const wf = parse(block) as NightlyWorkflow;
    expect(wf.permissions['id-token']).toBe('write');
  });

  it('plans every stage with drift: fail, each stage to its end whatever another found', () => {
    const wf = parse(block) as NightlyWorkflow;
    const jobs = Object.values(wf.jobs);
    expect(jobs).toHaveLength(1);
    const job = jobs[0]!;
    expect(job.strategy['fail-fast']).toBe(false);
    expect(job.strategy.matrix.include.map((s) => s.environment)).toEqual(['dev', 'prod']);
    const step = job.steps.find((s) => s.uses.startsWith('ORG/multi-account-deploy@'));
    expect(step?.with).toMatchObject({ mode: 'plan', drift: 'fail' });
    for (const key of Object.keys(step?.with ?? {})) expect([key, key in action.inputs]).toEqual([key, true]);
  });
});
