import { jest } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { makeWorkspace, parseCommandFile } from '../../scripts/lib/runner.mjs';
import { releaseName } from '../../scripts/workflow/change-set-names.mjs';
import { startFidelity, type Fidelity } from '../../scripts/lib/fidelity/index.mjs';
import { motoEndpoint, resetMoto } from './harness/moto.js';
import { runAction as runOnMoto, type RunOptions } from './harness/run-action.js';
import { runStage as runStageOnMoto, type Artifacts } from './harness/stage-action.js';
import { parse } from 'yaml';

// The reusable workflow's prod path, step by step as its jobs and its stage action run it: package → plan and
// keep the release change set → the region's stage report → the review (each region's change-set ARN) →
// (approval) → check the package → execute that ARN. Both guards are shown: the package hash (the workflow's)
// and the action's own check of the change set, each refusing a template changed after the plan.
beforeEach(resetMoto);
// Each test runs the bundled action two or three times; on a loaded machine that exceeds jest's 5 s default.
jest.setTimeout(30_000);
// Execute reads the change set's own template (GetTemplate by ChangeSetName), which moto ignores: through the
// fidelity layer, as AWS answers it.
let fid: Fidelity;
beforeAll(async () => {
  fid = await startFidelity({ upstream: motoEndpoint() });
});
afterAll(() => fid.close());
beforeEach(() => fid.reset());
const runAction = (options: RunOptions) => runOnMoto({ ...options, endpoint: fid.url });
const runStage = (...args: Parameters<typeof runStageOnMoto>) =>
  runStageOnMoto(args[0], args[1], args[2], fid.url);

const PACKAGE = '.multi-account-deploy/package';
const pkg = (path: string) => `${PACKAGE}/${path}`;

function script(name: string, cwd: string, args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [resolve('scripts/workflow', name), ...args], {
    cwd,
    encoding: 'utf8',
    env: { PATH: process.env.PATH, ...env },
  });
}

/** The stage action's report step, then prod-review's step: the region → change-set ARN map it hands on. */
function reviewPlan(workspace: string, hash: string, outputs: Record<string, string>, region: string) {
  const reports = mkdtempSync(join(tmpdir(), 'mad-reports-'));
  const reported = script(
    'promotion.mjs',
    workspace,
    ['report', '--out', join(reports, `prod-plan-${region}.json`)],
    {
      STACK_NAME: 'promoted',
      STAGE: 'prod',
      REGION: region,
      STEP: 'plan',
      OUTCOME: 'success',
      RESULT: outputs.result ?? '',
      CHANGE_SET_NAME: outputs['change-set-name'] ?? '',
      CHANGE_SET_ID: outputs['change-set-id'] ?? '',
      HAS_CHANGES: outputs['has-changes'] ?? '',
      PACKAGE_HASH: hash,
    },
  );
  expect(reported.status).toBe(0);
  const out = join(mkdtempSync(join(tmpdir(), 'mad-out-')), 'output');
  writeFileSync(out, '');
  const reviewed = script(
    'promotion.mjs',
    workspace,
    [
      'review',
      '--reports',
      reports,
      '--change-set',
      outputs['change-set-name'] ?? '',
      '--package-hash',
      hash,
    ],
    { GITHUB_OUTPUT: out, GITHUB_STEP_SUMMARY: join(reports, 'summary.md') },
  );
  expect(reviewed.stdout).not.toContain('::error');
  return parseCommandFile(readFileSync(out, 'utf8')) as Record<string, string>;
}

/** The package job, then the download into a deploy job's workspace. Returns the workspace and the hash. */
function packageAndDownload() {
  const { workspace: repo } = makeWorkspace({
    'infra/stack.yaml': { from: 'templates/example-app.yaml' },
    'infra/prod.json': { from: 'templates/parameters/prod.json' },
  });
  const out = join(mkdtempSync(join(tmpdir(), 'mad-pkg-')), 'package');
  const packed = script('package-hash.mjs', repo, [
    'pack',
    '--out',
    out,
    'template=infra/stack.yaml',
    'prod-parameters=infra/prod.json',
  ]);
  expect(packed.status).toBe(0);
  const hash = /Package sha256:([0-9a-f]{64})/.exec(packed.stdout)?.[1] ?? '';
  const { workspace } = makeWorkspace({});
  cpSync(out, join(workspace, PACKAGE), { recursive: true });
  return { workspace, hash };
}

const verify = (workspace: string, hash: string) =>
  script('package-hash.mjs', workspace, [
    'verify',
    '--dir',
    PACKAGE,
    '--expect',
    hash,
    'template=infra/stack.yaml',
    'prod-parameters=infra/prod.json',
  ]);

const prodInputs = {
  'stack-name': 'promoted',
  template: pkg('infra/stack.yaml'),
  parameters: pkg('infra/prod.json'),
  environment: 'prod',
  permissions: 'off',
  comment: 'never',
};

describe("the reusable workflow's promotion of prod", () => {
  /** prod-plan through its stage action, then prod-review: the kept change set and the ARN handed on. */
  async function planAndReview(run: number) {
    const { workspace, hash } = packageAndDownload();
    expect(verify(workspace, hash).status).toBe(0);
    const name = releaseName(run, 1);
    const plan = await runAction({
      workspace,
      inputs: { ...prodInputs, mode: 'plan', 'keep-change-set': 'true', 'change-set-name': name },
    });
    expect(plan.code).toBe(0);
    expect(plan.outputs).toMatchObject({ result: 'planned', 'change-set-name': name });
    const region =
      /^arn:aws:cloudformation:([a-z0-9-]+):/.exec(plan.outputs['change-set-id'] ?? '')?.[1] ?? '';
    const review = reviewPlan(workspace, hash, plan.outputs, region);
    const changeSets = JSON.parse(review['change-sets'] ?? '{}') as Record<string, string>;
    return { workspace, hash, plan, region, review, arn: changeSets[region] ?? '' };
  }

  it('hands each prod region the ARN of the release change set its plan kept', async () => {
    const { plan, region, review, arn, hash } = await planAndReview(6);
    expect(region).not.toBe('');
    expect(review.regions).toBe(JSON.stringify([region]));
    expect(arn).toBe(plan.outputs['change-set-id']);
    expect(arn).toContain(`:changeSet/${releaseName(6, 1)}/`);
    expect(review['package-hash']).toBe(hash);
  });

  it('executes exactly that change set, by its ARN, once the package checks out', async () => {
    const { workspace, hash, arn } = await planAndReview(7);
    expect(verify(workspace, hash).status).toBe(0);
    const execute = await runAction({
      workspace,
      inputs: { ...prodInputs, mode: 'execute', 'change-set-name': arn },
    });
    expect(execute.stdout).not.toMatch(/::error/);
    expect(execute.code).toBe(0);
    expect(execute.outputs).toMatchObject({ result: 'executed', 'stack-status': 'CREATE_COMPLETE' });
  });

  it('executes the kept release change set by name as well', async () => {
    const { workspace, hash } = await planAndReview(5);
    expect(verify(workspace, hash).status).toBe(0);
    const execute = await runAction({
      workspace,
      inputs: { ...prodInputs, mode: 'execute', 'change-set-name': releaseName(5, 1) },
    });
    expect(execute.code).toBe(0);
    expect(execute.outputs).toMatchObject({ result: 'executed', 'stack-status': 'CREATE_COMPLETE' });
  });

  it('refuses a template changed after the plan twice over: the package check, then the fingerprint', async () => {
    const { workspace, hash } = packageAndDownload();
    const plan = await runAction({
      workspace,
      inputs: {
        ...prodInputs,
        mode: 'plan',
        'keep-change-set': 'true',
        'change-set-name': releaseName(8, 1),
      },
    });
    expect(plan.outputs.result).toBe('planned');

    appendFileSync(join(workspace, pkg('infra/stack.yaml')), '# changed after the plan\n');
    const check = verify(workspace, hash);
    expect(check.status).toBe(1);
    expect(check.stdout).toContain('The packaged file infra/stack.yaml (template) differs');

    // Even past the package check, the action refuses: the change set's own template is not this one.
    const execute = await runAction({
      workspace,
      inputs: { ...prodInputs, mode: 'execute', 'change-set-name': releaseName(8, 1) },
    });
    expect(execute.code).toBe(1);
    expect(execute.outputs.result).toBe('failed');
    expect(execute.stdout).toContain(
      "it is not what this run would create — template: the change set's own template",
    );
  });

  it('refuses parameters changed after the plan the same way', async () => {
    const { workspace, hash } = packageAndDownload();
    await runAction({
      workspace,
      inputs: {
        ...prodInputs,
        mode: 'plan',
        'keep-change-set': 'true',
        'change-set-name': releaseName(9, 1),
      },
    });
    cpSync('templates/parameters/dev.json', join(workspace, pkg('infra/prod.json')));
    const check = verify(workspace, hash);
    expect(check.status).toBe(1);
    expect(check.stdout).toContain('The packaged file infra/prod.json (prod-parameters) differs');
    const execute = await runAction({
      workspace,
      inputs: { ...prodInputs, mode: 'execute', 'change-set-name': releaseName(9, 1) },
    });
    expect(execute.code).toBe(1);
    expect(execute.stdout).toMatch(
      /it is not what this run would create — parameters: \w+ has another value/,
    );
  });
});

describe('the stage action, run step by step as the runner runs a composite action', () => {
  const workflowInputs = (): string => {
    const deploy = parse(readFileSync('.github/workflows/deploy.yml', 'utf8')) as {
      on: { workflow_call: { inputs: Record<string, { default?: unknown }> } };
    };
    const defaults = Object.fromEntries(
      Object.entries(deploy.on.workflow_call.inputs).map(([k, v]) => [k, v.default ?? '']),
    );
    // toJSON(inputs) of a caller without roles: the emulator takes the environment's keys.
    return JSON.stringify({
      ...defaults,
      'stack-name': 'promoted',
      template: 'infra/stack.yaml',
      'dev-parameters': 'infra/dev.json',
      'prod-parameters': 'infra/prod.json',
      'permissions-check': 'off',
    });
  };

  /** The setup job: pack the repository's files and upload the package artifact. */
  function setup(artifacts: Artifacts) {
    const { workspace: repo } = makeWorkspace({
      'infra/stack.yaml': { from: 'templates/example-app.yaml' },
      'infra/dev.json': { from: 'templates/parameters/dev.json' },
      'infra/prod.json': { from: 'templates/parameters/prod.json' },
    });
    const out = join(mkdtempSync(join(tmpdir(), 'mad-pkg-')), 'package');
    const packed = script('package-hash.mjs', repo, [
      'pack',
      '--out',
      out,
      'template=infra/stack.yaml',
      'dev-parameters=infra/dev.json',
      'prod-parameters=infra/prod.json',
    ]);
    expect(packed.status).toBe(0);
    artifacts.set('promoted-package', out);
    return /Package sha256:([0-9a-f]{64})/.exec(packed.stdout)?.[1] ?? '';
  }
  const job = () => makeWorkspace({}).workspace;

  it('deploys dev, keeps the prod release change set and hands its ARN on through the stage report', async () => {
    const artifacts: Artifacts = new Map();
    const hash = setup(artifacts);
    const name = releaseName(3, 1);
    const common = { 'workflow-inputs': workflowInputs(), 'package-hash': hash, 'change-set-name': name };
    const dev = await runStage(job(), artifacts, {
      ...common,
      stage: 'dev',
      region: 'eu-west-1',
      mode: 'deploy',
      role: 'role-arn',
    });
    expect(dev.failed).toBe(false);
    expect(dev.outputs.result).toBe('deployed');
    expect(dev.steps.verify?.outcome).toBe('success');

    const plan = await runStage(job(), artifacts, {
      ...common,
      stage: 'prod',
      region: 'eu-central-1',
      mode: 'plan',
      role: 'release-role-arn',
      'keep-change-set': 'true',
    });
    expect(plan.outputs.result).toBe('planned');
    expect(plan.outputs['change-set-id']).toContain(`:changeSet/${name}/`);

    // prod-review: the plan's report artifact, reviewed.
    const reports = artifacts.get('promoted-report-prod-plan-eu-central-1');
    expect(reports).toBeDefined();
    const out = join(mkdtempSync(join(tmpdir(), 'mad-out-')), 'output');
    writeFileSync(out, '');
    const reviewed = script(
      'promotion.mjs',
      job(),
      ['review', '--reports', reports ?? '', '--change-set', name, '--package-hash', hash],
      { GITHUB_OUTPUT: out, GITHUB_STEP_SUMMARY: join(reports ?? '', 'summary.md') },
    );
    expect(reviewed.status).toBe(0);
    const review = parseCommandFile(readFileSync(out, 'utf8')) as Record<string, string>;
    expect(JSON.parse(review['change-sets'] ?? '{}')).toEqual({
      'eu-central-1': plan.outputs['change-set-id'],
    });

    // prod-execute (by name until the action takes an ARN; the ARN is covered above).
    const execute = await runStage(job(), artifacts, {
      ...common,
      stage: 'prod',
      region: 'eu-central-1',
      mode: 'execute',
      role: 'role-arn',
      'planned-hash': review['package-hash'] ?? '',
    });
    expect(execute.outputs.result).toBe('executed');
  });

  it('refuses a package whose file changed after packaging, before the action runs, and still reports', async () => {
    const artifacts: Artifacts = new Map();
    const hash = setup(artifacts);
    appendFileSync(join(artifacts.get('promoted-package') ?? '', 'infra/stack.yaml'), '# changed\n');
    const dev = await runStage(job(), artifacts, {
      'workflow-inputs': workflowInputs(),
      'package-hash': hash,
      stage: 'dev',
      region: 'eu-west-1',
      mode: 'deploy',
      role: 'role-arn',
    });
    expect(dev.failed).toBe(true);
    expect(dev.steps.verify?.outcome).toBe('failure');
    expect(dev.steps.action).toEqual({ outcome: 'skipped', outputs: {} });
    // The report step ran anyway (always()) and says the deploy did not happen.
    const report = JSON.parse(
      readFileSync(
        join(artifacts.get('promoted-report-dev-deploy-eu-west-1') ?? '', 'dev-deploy-eu-west-1.json'),
        'utf8',
      ),
    ) as { outcome: string; result: string };
    expect(report).toMatchObject({ outcome: 'skipped', result: 'skipped' });
  });
});
