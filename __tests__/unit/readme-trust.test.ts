// The README's Quick start and Trust model, checked against what they claim: the Quick start's jobs as GitHub
// evaluates their `if:` (GitHub's own expression evaluator), and every test the Trust model cites exists.
import { readFileSync } from 'node:fs';
import { Evaluator, Lexer, Parser, data } from '@actions/expressions';
import { parse } from 'yaml';
import { REGION, resolveTemplate } from './policies/bootstrap-template.js';

const readme = readFileSync('README.md', 'utf8');
const section = (title: string) => {
  const start = readme.indexOf(`## ${title}\n`);
  expect(start).toBeGreaterThan(-1);
  return readme.slice(start, readme.indexOf('\n## ', start + 1));
};

type Job = { if?: string; environment?: string; steps: { uses?: string; with?: Record<string, string> }[] };

function runs(job: Job, eventName: string): boolean {
  if (!job.if) return true;
  const lexed = new Lexer(job.if).lex();
  const expr = new Parser(lexed.tokens, ['github'], []).parse();
  const github = new data.Dictionary({ key: 'event_name', value: new data.StringData(eventName) });
  const context = new data.Dictionary({ key: 'github', value: github });
  // The conditions are comparisons: their result is a boolean.
  return new Evaluator(expr, context).evaluate().coerceString() === 'true';
}

const actionInputs = (job: Job) =>
  job.steps.find((s) => s.uses?.startsWith('ORG/multi-account-deploy'))?.with ?? {};

describe('the README Quick start', () => {
  const block = /```yaml\n([\s\S]*?)```/.exec(section('Quick start'))?.[1] ?? '';
  const workflow = parse(block) as { jobs: Record<string, Job> };
  const roles = resolveTemplate({
    PlanSubjects: 'repo:ORG/REPO:pull_request',
    DeploySubjects: 'repo:ORG/REPO:environment:dev',
    StackName: 'my-app',
  }).resources as Record<string, { RoleName?: string }>;
  const roleOf = (logicalId: string) => `role/${roles[logicalId]?.RoleName ?? ''}`;

  it('plans pull requests with the plan role and no environment', () => {
    const jobs = Object.values(workflow.jobs).filter((j) => runs(j, 'pull_request'));
    expect(jobs).toHaveLength(1);
    const plan = jobs[0] as Job;
    expect(plan.environment).toBeUndefined();
    expect(actionInputs(plan)).toMatchObject({ mode: 'plan' });
    expect(actionInputs(plan)['role-arn']).toMatch(new RegExp(`:${roleOf('PlanRole')}$`));
    expect(actionInputs(plan)['execution-role-arn']).toBeUndefined();
  });

  it('deploys main with the deploy role inside the environment', () => {
    const jobs = Object.values(workflow.jobs).filter((j) => runs(j, 'push'));
    expect(jobs).toHaveLength(1);
    const deploy = jobs[0] as Job;
    expect(deploy.environment).toBe('dev');
    expect(actionInputs(deploy)).toMatchObject({ mode: 'deploy', region: REGION });
    expect(actionInputs(deploy)['role-arn']).toMatch(new RegExp(`:${roleOf('DeployRole')}$`));
    expect(actionInputs(deploy)['execution-role-arn']).toMatch(new RegExp(`:${roleOf('ExecutionRole')}$`));
  });
});

describe('the README Trust model', () => {
  const text = section('Trust model');
  const sources = [
    readFileSync('__tests__/unit/policies/simulate.test.ts', 'utf8'),
    readFileSync('__tests__/integration/promotion-integrity.test.ts', 'utf8'),
  ].join('\n');

  it('backs every claim with a test that exists', () => {
    const cited = [...text.matchAll(/"([^"]+)"/g)].map((m) =>
      (m[1] ?? '').replace(/\\\*/g, '*').replace(/\s+/g, ' '),
    );
    expect(cited.length).toBeGreaterThanOrEqual(8);
    for (const name of cited)
      expect([name, sources.replace(/\s+/g, ' ').includes(name)]).toEqual([name, true]);
  });
});
