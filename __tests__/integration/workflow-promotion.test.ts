import { spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { makeWorkspace } from '../../scripts/lib/runner.mjs';
import { resetMoto } from './harness/moto.js';
import { runAction } from './harness/run-action.js';

// The reusable workflow's prod path, step by step as its jobs run it: package → plan and keep → (approval) →
// check the package → execute the kept change set. Both guards are shown: the package hash (the workflow's)
// and the change set's fingerprint (the action's), each refusing a template changed after the plan.
beforeEach(resetMoto);

const PACKAGE = '.multi-account-deploy/package';
const pkg = (path: string) => `${PACKAGE}/${path}`;

function script(name: string, cwd: string, args: string[]) {
  return spawnSync(process.execPath, [resolve('scripts/workflow', name), ...args], { cwd, encoding: 'utf8' });
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
  it('executes exactly the kept change set once the package checks out', async () => {
    const { workspace, hash } = packageAndDownload();
    expect(verify(workspace, hash).status).toBe(0);
    const plan = await runAction({
      workspace,
      inputs: {
        ...prodInputs,
        mode: 'plan',
        'keep-change-set': 'true',
        'change-set-name': 'multi-account-deploy-7-1',
      },
    });
    expect(plan.code).toBe(0);
    expect(plan.outputs).toMatchObject({ result: 'planned', 'change-set-name': 'multi-account-deploy-7-1' });

    expect(verify(workspace, hash).status).toBe(0);
    const execute = await runAction({
      workspace,
      inputs: { ...prodInputs, mode: 'execute', 'change-set-name': 'multi-account-deploy-7-1' },
    });
    expect(execute.stderr).not.toMatch(/::error/);
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
        'change-set-name': 'multi-account-deploy-8-1',
      },
    });
    expect(plan.outputs.result).toBe('planned');

    appendFileSync(join(workspace, pkg('infra/stack.yaml')), '# changed after the plan\n');
    const check = verify(workspace, hash);
    expect(check.status).toBe(1);
    expect(check.stdout).toContain('The packaged file infra/stack.yaml (template) differs');

    // Even past the package check, the action refuses: the change set's fingerprint is not this template's.
    const execute = await runAction({
      workspace,
      inputs: { ...prodInputs, mode: 'execute', 'change-set-name': 'multi-account-deploy-8-1' },
    });
    expect(execute.code).toBe(1);
    expect(execute.outputs.result).toBe('failed');
    expect(execute.stdout).toContain("was not made from this run's template and parameters");
  });

  it('refuses parameters changed after the plan the same way', async () => {
    const { workspace, hash } = packageAndDownload();
    await runAction({
      workspace,
      inputs: {
        ...prodInputs,
        mode: 'plan',
        'keep-change-set': 'true',
        'change-set-name': 'multi-account-deploy-9-1',
      },
    });
    cpSync('templates/parameters/dev.json', join(workspace, pkg('infra/prod.json')));
    const check = verify(workspace, hash);
    expect(check.status).toBe(1);
    expect(check.stdout).toContain('The packaged file infra/prod.json (prod-parameters) differs');
    const execute = await runAction({
      workspace,
      inputs: { ...prodInputs, mode: 'execute', 'change-set-name': 'multi-account-deploy-9-1' },
    });
    expect(execute.code).toBe(1);
    expect(execute.stdout).toContain("was not made from this run's template and parameters");
  });
});
