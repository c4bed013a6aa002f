import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAction } from '@actions/workflow-parser/actions/index';
import { NoOperationTraceWriter, parseWorkflow } from '@actions/workflow-parser';
import { parse } from 'yaml';
import { parseCommandFile } from '../../scripts/lib/runner.mjs';
import { releaseName, pullRequestName } from '../../scripts/workflow/change-set-names.mjs';
import { reportFromEnv, review } from '../../scripts/workflow/promotion.mjs';
import {
  criticalPath,
  interpolate,
  loadWorkflow,
  simulate,
  type Json,
  type JobRun,
  type Workflow,
} from './helpers/job-graph.js';

// deploy.yml's job graph as GitHub runs it: GitHub's parser reads it, GitHub's evaluator computes every `if`,
// matrix and output, under GitHub's status-function and skip-propagation rules (helpers/job-graph.ts). The setup
// job's outputs come from running its real script; the prod review's from the real review of the prod plan's
// per-region reports. What each scenario asserts is which jobs run, which wait for an environment, and which
// change set each prod region executes.
const FILE = '.github/workflows/deploy.yml';
const raw = parse(readFileSync(FILE, 'utf8')) as {
  jobs: Record<
    string,
    {
      steps: {
        id?: string;
        uses?: string;
        run?: string;
        env?: Record<string, string>;
        with?: Record<string, string>;
      }[];
    }
  >;
};
interface ActionYaml {
  inputs: Record<string, { required?: boolean; default?: string }>;
  runs: { steps?: { id?: string; uses?: string; with?: Record<string, string> }[] };
}
const STAGE_FILE = '.github/actions/stage/action.yml';
const stageAction = parse(readFileSync(STAGE_FILE, 'utf8')) as ActionYaml;
const theAction = parse(readFileSync('action.yml', 'utf8')) as ActionYaml;

/** What the stage action hands the action itself, for one stage call (the composite's `with:`, evaluated). */
function actionInputs(call: Record<string, Json>): Record<string, Json> {
  const defaults = Object.fromEntries(
    Object.entries(stageAction.inputs).map(([k, v]) => [k, v.default ?? '']),
  );
  const contexts = { inputs: { ...defaults, ...call }, runner: { temp: '/tmp' }, steps: {} };
  const step = stageAction.runs.steps!.find((s) => s.id === 'action')!;
  return Object.fromEntries(
    Object.entries(step.with ?? {}).map(([k, v]) => [k, interpolate(String(v), contexts)]),
  );
}

let workflow: Workflow;
beforeAll(async () => {
  workflow = await loadWorkflow(FILE);
});

const RUN_ID = '9001';
const ATTEMPT = '1';
const SHA = 'c'.repeat(40);
const HASH = 'd'.repeat(64);
const ACCOUNT = { dev: '111111111111', staging: '222222222222', prod: '333333333333' };
const BASE_INPUTS = {
  'stack-name': 'my-app',
  template: 'infra/stack.yaml',
  regions: 'eu-west-1',
  'dev-role-arn': `arn:aws:iam::${ACCOUNT.dev}:role/deploy`,
  'dev-plan-role-arn': `arn:aws:iam::${ACCOUNT.dev}:role/plan`,
  'prod-role-arn': `arn:aws:iam::${ACCOUNT.prod}:role/deploy`,
  'prod-plan-role-arn': `arn:aws:iam::${ACCOUNT.prod}:role/plan`,
  'prod-release-role-arn': `arn:aws:iam::${ACCOUNT.prod}:role/release`,
  'dev-parameters': 'infra/dev.json',
};
const STAGING = {
  'staging-role-arn': `arn:aws:iam::${ACCOUNT.staging}:role/deploy`,
  'staging-plan-role-arn': `arn:aws:iam::${ACCOUNT.staging}:role/plan`,
};

interface Case {
  event: 'push' | 'pull_request';
  inputs?: Record<string, string>;
  fork?: boolean;
  /** prod regions whose plan has changes (default: all). */
  prodChanges?: string[];
  fail?: string[];
  reject?: boolean;
}

/** The setup job's `stages` step, run as the runner runs it (bash -eo pipefail) with its env evaluated; once per configuration. */
const stagesRuns = new Map<string, Record<string, string>>();
function setupStages(inputs: Record<string, Json>, github: Record<string, Json>, oidc: boolean) {
  const key = JSON.stringify([inputs, github, oidc]);
  if (!stagesRuns.has(key)) stagesRuns.set(key, runStages(inputs, github, oidc));
  return stagesRuns.get(key)!;
}
function runStages(inputs: Record<string, Json>, github: Record<string, Json>, oidc: boolean) {
  const step = raw.jobs.setup!.steps.find((s) => s.id === 'stages')!;
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(step.env ?? {}))
    env[k] = String(interpolate(v, { inputs, github }) ?? '');
  const dir = mkdtempSync(join(tmpdir(), 'mad-graph-'));
  const files = { GITHUB_OUTPUT: join(dir, 'out'), GITHUB_STEP_SUMMARY: join(dir, 'summary') };
  for (const f of Object.values(files)) writeFileSync(f, '');
  writeFileSync(join(dir, 'step.sh'), step.run!);
  const res = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', join(dir, 'step.sh')], {
    env: {
      PATH: process.env.PATH,
      ...files,
      ...env,
      ...(oidc ? { ACTIONS_ID_TOKEN_REQUEST_URL: 'http://127.0.0.1:9/token' } : {}),
    },
    encoding: 'utf8',
  });
  expect(res.status).toBe(0);
  return parseCommandFile(readFileSync(files.GITHUB_OUTPUT, 'utf8')) as Record<string, string>;
}

/** The stage step's `with:` of a job, evaluated in a leg's contexts. */
function stageWith(job: string, contexts: Record<string, unknown>): Record<string, Json> {
  const step = raw.jobs[job]!.steps.find((s) => s.uses?.endsWith('/.github/actions/stage'))!;
  return Object.fromEntries(
    Object.entries(step.with ?? {}).map(([k, v]) => [k, interpolate(String(v), contexts)]),
  );
}

const arnOf = (region: string, name: string) =>
  `arn:aws:cloudformation:${region}:${ACCOUNT.prod}:changeSet/${name}/5f1c0e6a-8d2b-4c47-9e1f-${region.length}0a2b3c4d5e6f`;

function play(c: Case) {
  const inputs = { ...BASE_INPUTS, ...c.inputs };
  const pr = c.event === 'pull_request';
  const github: Record<string, Json> = {
    event_name: c.event,
    ref: pr ? 'refs/pull/7/merge' : 'refs/heads/main',
    run_id: RUN_ID,
    run_attempt: ATTEMPT,
    event: {
      repository: { default_branch: 'main' },
      ...(pr ? { pull_request: { number: 7, head: { repo: { fork: !!c.fork } } } } : {}),
    },
  };
  const stages = setupStages({ ...workflow.inputDefaults, ...inputs }, github, !c.fork);
  const reports: ReturnType<typeof reportFromEnv>[] = [];
  const calls: { job: string; matrix: Record<string, Json>; with: Record<string, Json> }[] = [];
  const runs = simulate(workflow, {
    inputs,
    github,
    approve: (environment) => !(c.reject && environment === 'prod'),
    run: (job, matrix, contexts) => {
      if (job === 'setup') {
        const active = stages.event !== 'none';
        return {
          steps: {
            stages,
            ...(active
              ? {
                  source: { repository: 'acme/multi-account-deploy', ref: SHA },
                  sha: { sha: SHA },
                  names: {
                    release: releaseName(RUN_ID, ATTEMPT),
                    ...(pr ? { 'pull-request': pullRequestName(7, RUN_ID, ATTEMPT) } : {}),
                  },
                }
              : {}),
            ...(stages.event === 'promote' ? { pack: { hash: HASH } } : {}),
          },
        };
      }
      if (job === 'summary') return {};
      if (job === 'prod-review') {
        const out = review(
          reports,
          String(
            (contexts.needs as Record<string, { outputs: Record<string, string> }>).setup!.outputs[
              'release-change-set'
            ],
          ),
          HASH,
        );
        return {
          steps: {
            review: {
              regions: JSON.stringify(out.regions),
              'change-sets': JSON.stringify(out.changeSets),
              'package-hash': out.packageHash,
            },
          },
        };
      }
      const args = stageWith(job, contexts);
      calls.push({ job, matrix, with: args });
      const failed = c.fail?.includes(job);
      if (job === 'prod-plan') {
        const region = String(matrix.region);
        const changes = c.prodChanges?.includes(region) ?? true;
        const name = String(args['change-set-name']);
        reports.push(
          reportFromEnv({
            STACK_NAME: 'my-app',
            STAGE: 'prod',
            REGION: region,
            STEP: 'plan',
            OUTCOME: failed ? 'failure' : 'success',
            RESULT: changes ? 'planned' : 'no-changes',
            CHANGE_SET_NAME: changes ? name : '',
            CHANGE_SET_ID: changes ? arnOf(region, name) : '',
            PACKAGE_HASH: HASH,
          }),
        );
      }
      return { result: failed ? 'failure' : 'success' };
    },
  });
  const ran = (id: string) => runs.get(id)!.result !== 'skipped';
  return { runs, calls, ran, stages };
}

const result = (runs: Map<string, JobRun>, id: string) => runs.get(id)!.result;
const path = (runs: Map<string, JobRun>) => criticalPath(workflow, runs, 'prod-execute');

describe('deploy.yml and its stage action as GitHub parses them', () => {
  it('have no parse or schema errors', () => {
    expect(workflow.errors).toEqual([]);
    for (const file of readdirSync('.github/workflows').filter((f) => f.endsWith('.yml'))) {
      const parsed = parseWorkflow(
        { name: file, content: readFileSync(join('.github/workflows', file), 'utf8') },
        new NoOperationTraceWriter(),
      );
      expect([file, parsed.context.errors.getErrors().map((e) => e.message)]).toEqual([file, []]);
    }
    for (const file of [STAGE_FILE, 'action.yml']) {
      const parsed = parseAction(
        { name: file, content: readFileSync(file, 'utf8') },
        new NoOperationTraceWriter(),
      );
      expect([file, parsed.context.errors.getErrors().map((e) => e.message)]).toEqual([file, []]);
    }
  });

  it('pass only declared inputs, and every required one, at each level', () => {
    const required = (a: ActionYaml) =>
      Object.entries(a.inputs)
        .filter(([, v]) => v.required)
        .map(([k]) => k);
    for (const [id, job] of Object.entries(raw.jobs))
      for (const step of job.steps.filter((s) => s.uses?.endsWith('/.github/actions/stage'))) {
        const keys = Object.keys(step.with ?? {});
        for (const k of keys) expect([id, k, k in stageAction.inputs]).toEqual([id, k, true]);
        for (const k of required(stageAction)) expect([id, k, keys.includes(k)]).toEqual([id, k, true]);
      }
    const step = stageAction.runs.steps!.find((s) => s.id === 'action')!;
    expect(step.uses).toBe('./.multi-account-deploy/action');
    for (const k of Object.keys(step.with ?? {})) expect([k, k in theAction.inputs]).toEqual([k, true]);
  });
});

describe("deploy.yml's job graph, evaluated as GitHub does", () => {
  it('push without staging: dev deploys, prod executes the release change set behind `prod`', () => {
    const { runs, calls } = play({ event: 'push' });
    expect(result(runs, 'staging')).toBe('skipped');
    expect(result(runs, 'plan')).toBe('skipped');
    for (const id of ['setup', 'dev', 'prod-plan', 'prod-review', 'prod-execute', 'summary'])
      expect([id, result(runs, id)]).toEqual([id, 'success']);
    expect(runs.get('prod-execute')!.environment).toBe('prod');
    expect(runs.get('dev')!.environment).toBe('dev');
    // The release planner makes the kept change set under the release prefix; no environment, no deploy role.
    const plan = calls.find((c) => c.job === 'prod-plan')!;
    expect(plan.with).toMatchObject({
      mode: 'plan',
      role: 'release-role-arn',
      'keep-change-set': 'true',
      'change-set-name': `mad-release-${RUN_ID}-${ATTEMPT}`,
      'package-hash': HASH,
    });
    expect(runs.get('prod-plan')!.environment).toBeUndefined();
    expect(actionInputs(plan.with)).toMatchObject({
      mode: 'plan',
      'role-arn': BASE_INPUTS['prod-release-role-arn'],
      'keep-change-set': 'true',
      template: '.multi-account-deploy/package/infra/stack.yaml',
      environment: 'prod',
    });
    const execute = calls.find((c) => c.job === 'prod-execute')!;
    expect(actionInputs(execute.with)).toMatchObject({
      mode: 'execute',
      'role-arn': BASE_INPUTS['prod-role-arn'],
      'change-set-name': arnOf('eu-west-1', `mad-release-${RUN_ID}-${ATTEMPT}`),
      template: '.multi-account-deploy/package/infra/stack.yaml',
    });
    const dev = calls.find((c) => c.job === 'dev')!;
    expect(actionInputs(dev.with)).toMatchObject({
      mode: 'deploy',
      'role-arn': BASE_INPUTS['dev-role-arn'],
      parameters: '.multi-account-deploy/package/infra/dev.json',
      'change-set-name': `mad-release-${RUN_ID}-${ATTEMPT}`,
    });
    // prod has no parameters file here: none is passed.
    expect(actionInputs(execute.with).parameters).toBe('');
    expect(execute.with).toMatchObject({
      mode: 'execute',
      role: 'role-arn',
      'change-set-name': arnOf('eu-west-1', `mad-release-${RUN_ID}-${ATTEMPT}`),
      'package-hash': HASH,
      'planned-hash': HASH,
    });
  });

  it('push with staging: prod waits for staging as well as dev', () => {
    const { runs } = play({ event: 'push', inputs: STAGING });
    expect(result(runs, 'staging')).toBe('success');
    expect(runs.get('staging')!.environment).toBe('staging');
    expect(result(runs, 'prod-execute')).toBe('success');
    expect(path(runs)).toEqual(['setup', 'dev', 'staging', 'prod-execute']);
    // A failing staging stops prod; so does a cancelled run.
    expect(result(play({ event: 'push', inputs: STAGING, fail: ['staging'] }).runs, 'prod-execute')).toBe(
      'skipped',
    );
  });

  it('prod with no changes: nobody is asked to approve, nothing executes', () => {
    const { runs, calls } = play({ event: 'push', prodChanges: [] });
    expect(result(runs, 'prod-review')).toBe('success');
    expect(runs.get('prod-review')!.outputs.regions).toBe('[]');
    expect(result(runs, 'prod-execute')).toBe('skipped');
    expect(runs.get('prod-execute')!.environment).toBeUndefined();
    expect(calls.some((c) => c.job === 'prod-execute')).toBe(false);
  });

  it('dev failing: prod is planned but never executed, and the summary still runs', () => {
    const { runs, calls } = play({ event: 'push', fail: ['dev'] });
    expect(result(runs, 'dev')).toBe('failure');
    expect(result(runs, 'prod-execute')).toBe('skipped');
    expect(calls.some((c) => c.job === 'prod-execute')).toBe(false);
    expect(result(runs, 'summary')).toBe('success');
    // A failed prod plan in any region stops prod too.
    expect(result(play({ event: 'push', fail: ['prod-plan'] }).runs, 'prod-execute')).toBe('skipped');
  });

  it('rejected by the reviewers: prod-execute fails without running the action', () => {
    const { runs, calls } = play({ event: 'push', reject: true });
    expect(result(runs, 'prod-execute')).toBe('failure');
    expect(calls.some((c) => c.job === 'prod-execute')).toBe(false);
  });

  it('a pull request: every stage and region planned with its plan role and the pull-request prefix, nothing deployed', () => {
    const { runs, calls } = play({
      event: 'pull_request',
      inputs: { ...STAGING, 'prod-regions': 'eu-west-1,us-east-1' },
    });
    expect(result(runs, 'plan')).toBe('success');
    for (const id of ['dev', 'staging', 'prod-plan', 'prod-review', 'prod-execute'])
      expect([id, result(runs, id)]).toEqual([id, 'skipped']);
    const plans = calls.filter((c) => c.job === 'plan');
    expect(plans.map((c) => `${String(c.matrix.stage)} ${String(c.matrix.region)}`)).toEqual([
      'dev eu-west-1',
      'staging eu-west-1',
      'prod eu-west-1',
      'prod us-east-1',
    ]);
    for (const p of plans) {
      const stage = String(p.matrix.stage) as 'dev' | 'staging' | 'prod';
      // The plan role of the stage's account; the workspace's template (no package on a pull request).
      expect(actionInputs(p.with)).toMatchObject({
        mode: 'plan',
        'role-arn': { ...BASE_INPUTS, ...STAGING }[`${stage}-plan-role-arn`],
        template: 'infra/stack.yaml',
        parameters: stage === 'dev' ? 'infra/dev.json' : '',
        'keep-change-set': 'false',
        comment: 'auto',
      });
    }
    for (const p of plans)
      expect(p.with).toMatchObject({
        mode: 'plan',
        role: 'plan-role-arn',
        'change-set-name': `mad-pr-7-${RUN_ID}-${ATTEMPT}`,
        comment: 'auto',
      });
    expect(runs.get('plan')!.environment).toBeUndefined();
    expect(result(runs, 'summary')).toBe('success');
  });

  it('a fork pull request (no OIDC token): nothing is planned or deployed, and no environment is touched', () => {
    const { runs, calls, stages } = play({ event: 'pull_request', fork: true });
    expect(stages.event).toBe('none');
    for (const [id, run] of runs)
      if (id !== 'setup') expect([id, run.result, run.environment]).toEqual([id, 'skipped', undefined]);
    expect(calls).toEqual([]);
  });

  it('several prod regions: each executes its own change set, by ARN, although matrix outputs are last-writer-wins', () => {
    const { runs, calls } = play({
      event: 'push',
      inputs: { 'prod-regions': 'eu-west-1,us-east-1,ap-south-1' },
      prodChanges: ['eu-west-1', 'ap-south-1'],
    });
    const executes = calls.filter((c) => c.job === 'prod-execute');
    expect(executes.map((c) => [c.matrix.region, c.with['change-set-name']])).toEqual([
      ['ap-south-1', arnOf('ap-south-1', `mad-release-${RUN_ID}-${ATTEMPT}`)],
      ['eu-west-1', arnOf('eu-west-1', `mad-release-${RUN_ID}-${ATTEMPT}`)],
    ]);
    expect(result(runs, 'prod-execute')).toBe('success');
  });

  it('a push to another branch does nothing', () => {
    const inputs = { ...BASE_INPUTS };
    const github = {
      event_name: 'push',
      ref: 'refs/heads/feature',
      event: { repository: { default_branch: 'main' } },
    };
    expect(setupStages({ ...workflow.inputDefaults, ...inputs }, github, true).event).toBe('none');
  });

  it("puts at most 4 serial jobs on a push's critical path to prod (6 before: setup → package → dev → prod-plan → prod-review → prod-execute)", () => {
    const { runs } = play({ event: 'push' });
    // The prod change set is prepared while dev deploys; prod-execute still needs dev (and staging) itself.
    expect(path(runs)).toEqual(['setup', 'prod-plan', 'prod-review', 'prod-execute']);
    expect(workflow.jobs.get('prod-execute')!.needs).toEqual(expect.arrayContaining(['dev', 'staging']));
    const devChain = criticalPath(workflow, runs, 'dev');
    expect([...devChain, 'prod-execute']).toEqual(['setup', 'dev', 'prod-execute']);
  });
});

describe('the README section "Promote dev → prod", checked against the job graph', () => {
  const readme = readFileSync('README.md', 'utf8');
  const start = readme.indexOf('## Promote dev → prod');
  const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
  /** The rows (cells) of the table whose header row starts with `heading`. */
  const table = (heading: string) => {
    const lines = section.slice(section.indexOf(heading)).split('\n');
    const end = lines.findIndex((l) => !l.startsWith('|'));
    return lines.slice(2, end).map((l) =>
      l
        .split('|')
        .slice(1, -1)
        .map((c) => c.trim()),
    );
  };

  it("lists each role's job and OIDC subject as GitHub derives it (environment, else pull request or branch)", () => {
    // Who assumes which role input, in which job, with which subject: from the evaluated runs.
    const seen = new Map<string, string>();
    for (const c of [
      { event: 'push' as const, inputs: STAGING },
      { event: 'pull_request' as const, inputs: STAGING },
    ]) {
      const { runs, calls } = play(c);
      for (const call of calls) {
        const stage = String(call.with.stage);
        const role = `${stage}-${String(call.with.role)}`;
        const environment = runs.get(call.job)!.environment;
        const sub = environment
          ? `repo:ORG/REPO:environment:${environment}`
          : c.event === 'pull_request'
            ? 'repo:ORG/REPO:pull_request'
            : 'repo:ORG/REPO:ref:refs/heads/main';
        seen.set(role, `${call.job} ${sub}`);
      }
    }
    const rows = table('| role (input)');
    expect(rows.length).toBe(seen.size);
    for (const [input, account, usedBy, sub] of rows) {
      const name = input!.replace(/`/g, '');
      expect([name, account]).toEqual([name, name.split('-')[0]]);
      const job = /`([a-z-]+)`/.exec(usedBy!)?.[1];
      expect([name, `${job} ${sub!.replace(/`/g, '')}`]).toEqual([name, seen.get(name)]);
    }
  });

  it('lists exactly the environments the jobs wait for', () => {
    const environments = new Set<string>();
    for (const run of play({ event: 'push', inputs: STAGING }).runs.values())
      if (run.environment) environments.add(run.environment);
    const rows = table('| environment');
    expect(rows.map((r) => r[0]!.replace(/`/g, ''))).toEqual([...environments]);
  });

  it('names the change sets as the one module does', () => {
    const rows = table('| change sets');
    const pattern = (cell: string) =>
      new RegExp(`^${cell.replace(/`/g, '').replace(/<[a-z ]+>/g, '[0-9]+')}$`);
    expect(rows.length).toBe(3);
    expect(pullRequestName(7, RUN_ID, ATTEMPT)).toMatch(pattern(rows[0]![1]!));
    for (const row of rows.slice(1)) {
      expect(releaseName(RUN_ID, ATTEMPT)).toMatch(pattern(row[1]!));
      expect(pullRequestName(7, RUN_ID, ATTEMPT)).not.toMatch(pattern(row[1]!));
    }
  });

  it("states the push's critical path as the job graph counts it", () => {
    const { runs } = play({ event: 'push', inputs: STAGING });
    const longest = path(runs);
    expect(section).toContain(`at most ${longest.length} jobs`);
    expect(section).toContain(`\`${longest.join(' → ')}\``);
    expect(section).toContain(`\`${criticalPath(workflow, runs, 'staging').join(' → ')} → prod-execute\``);
  });
});

describe('the README quick start, evaluated as GitHub does', () => {
  const readme = readFileSync('README.md', 'utf8');
  const start = readme.indexOf('## Quick start');
  const block = /```yaml\n([\s\S]*?)```/.exec(readme.slice(start))![1]!;
  const file = join(mkdtempSync(join(tmpdir(), 'mad-quick-')), 'deploy.yml');
  writeFileSync(file, block);
  const jobsOf = parse(block) as {
    jobs: Record<string, { steps: { uses?: string; with?: Record<string, string> }[] }>;
  };

  it('plans pull requests with the plan role and no environment, and deploys pushes with the deploy role in it', async () => {
    const quick = await loadWorkflow(file);
    expect(quick.errors).toEqual([]);
    const ran = (event: string) => {
      const calls: string[] = [];
      const runs = simulate(quick, {
        inputs: {},
        github: { event_name: event, ref: 'refs/heads/main' },
        run: (job) => (calls.push(job), {}),
      });
      return calls.map((job) => {
        const action = jobsOf.jobs[job]!.steps.find((s) => s.uses?.includes('multi-account-deploy'))!;
        return [job, runs.get(job)!.environment ?? null, action.with?.mode, action.with?.['role-arn']];
      });
    };
    expect(ran('pull_request')).toEqual([
      ['plan', null, 'plan', 'arn:aws:iam::111111111111:role/multi-account-plan-eu-west-1'],
    ]);
    expect(ran('push')).toEqual([
      ['deploy', 'dev', 'deploy', 'arn:aws:iam::111111111111:role/multi-account-deploy-eu-west-1'],
    ]);
  });
});
