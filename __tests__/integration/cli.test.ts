import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { makeWorkspace, REPO_ROOT } from '../../scripts/lib/runner.mjs';
import { liveStacks } from './harness/aws.js';
import { motoEndpoint, resetMoto } from './harness/moto.js';

const CLI = join(REPO_ROOT, 'dist/cli/index.js');

beforeEach(resetMoto);

/** Runs the bundled CLI from a laptop-like environment: a profile-less key pair, no GITHUB_* variables. */
function cli(args: string[], cwd: string) {
  return spawnSync(process.execPath, [CLI, ...args], {
    cwd,
    encoding: 'utf8',
    timeout: 60_000,
    env: {
      PATH: process.env.PATH,
      HOME: cwd,
      AWS_ENDPOINT_URL: motoEndpoint(),
      AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'laptop-secret',
      AWS_EC2_METADATA_DISABLED: 'true',
      NODE_NO_WARNINGS: '1',
    },
  });
}

describe('the bundled CLI', () => {
  it('plans and deploys with the same engine (the flat --mode form of earlier versions still works)', () => {
    const { workspace } = makeWorkspace({ 'stack.yaml': { from: 'templates/example-app.yaml' } });
    const common = [
      '--stack-name',
      'laptop',
      '--template',
      'stack.yaml',
      '--region',
      'eu-west-1',
      '--permissions',
      'off',
    ];
    const plan = cli([...common, '--mode', 'plan'], workspace);
    expect(plan.status).toBe(0);
    expect(plan.stdout).toContain('123456789012 · eu-west-1 · laptop: 2 to add — planned');
    const deploy = cli([...common, '--parameter-overrides', 'RetentionSeconds=600', '--json'], workspace);
    expect(deploy.status).toBe(0);
    const report = JSON.parse(deploy.stdout) as {
      result: string;
      parameters: { key: string; value: string }[];
    };
    expect(report.result).toBe('deployed');
    expect(report.parameters).toEqual([{ key: 'RetentionSeconds', value: '600' }]);
    expect(deploy.stdout + deploy.stderr).not.toContain('laptop-secret');
  });

  it('rejects bad input with the input named, and unknown flags with the usage', async () => {
    const { workspace } = makeWorkspace({ 'stack.yaml': { from: 'templates/example-app.yaml' } });
    const bad = cli(
      ['--stack-name', 'laptop', '--template', 'stack.yaml', '--region', 'eu-west-1', '--mode', 'ship'],
      workspace,
    );
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain(`--mode is "ship": expected plan, deploy or execute.`);
    const unknown = cli(['--stack', 'x'], workspace);
    expect(unknown.status).toBe(2);
    expect(cli(['--bogus'], workspace).stderr).toContain('Usage: multi-account-deploy');
    expect(await liveStacks()).toEqual({});
  });
});
