/**
 * The laptop walkthrough, with the bundled CLI as a child process: from two empty accounts (dev 111111111111,
 * prod 222222222222; moto keeps them apart by the role each profile assumes) to a prod deploy. moto's
 * CloudFormation does not create AWS::IAM::OIDCProvider resources, so each account starts with GitHub's OIDC
 * provider already there (as many real accounts do) and the bootstrap reuses it.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFidelity, type Fidelity } from '../../scripts/lib/fidelity/index.mjs';
import { createGithubOidcProvider } from '../../scripts/lib/moto.mjs';
import { makeWorkspace, REPO_ROOT } from '../../scripts/lib/runner.mjs';
import { motoEndpoint, resetMoto } from './harness/moto.js';

const CLI = join(REPO_ROOT, 'dist/cli/index.js');
const DEV = '111111111111';
const PROD = '222222222222';

/** A home with two profiles, each assuming its account's admin role from one key pair. */
function laptopHome(): string {
  const home = mkdtempSync(join(tmpdir(), 'mad-home-'));
  mkdirSync(join(home, '.aws'));
  writeFileSync(
    join(home, '.aws', 'credentials'),
    '[base]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = laptop-secret\n',
  );
  writeFileSync(
    join(home, '.aws', 'config'),
    [DEV, PROD]
      .map(
        (account, i) =>
          `[profile ${i === 0 ? 'dev' : 'prod'}]\nrole_arn = arn:aws:iam::${account}:role/admin\nsource_profile = base\nregion = eu-west-1\n`,
      )
      .join('\n'),
  );
  return home;
}

let home = '';
// In front of moto: execute checks the change set's own template, which moto's GetTemplate does not return.
let fid: Fidelity;
let workspace = '';

/** Runs the bundled CLI; asynchronously, as the fidelity layer answers from this process. */
function cli(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: workspace,
    env: {
      PATH: process.env.PATH,
      HOME: home,
      AWS_ENDPOINT_URL: fid.url,
      AWS_REGION: 'eu-west-1',
      AWS_EC2_METADATA_DISABLED: 'true',
      NODE_NO_WARNINGS: '1',
      ...env,
    },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

/** The terminal report is plain text: no markdown tables, emphasis, callouts or HTML. */
function expectPlainText(text: string): void {
  expect(text).not.toMatch(/<\/?[a-z]+[ >]|\*\*|^\s*\||^> \[!|```|^#+ /m);
}

const APP = ['--stack-name', 'demo-app', '--template', 'stack.yaml', '--permissions', 'off'];

beforeAll(async () => {
  await resetMoto();
  fid = await startFidelity({ upstream: motoEndpoint() });
  for (const account of [DEV, PROD]) await createGithubOidcProvider(motoEndpoint(), account);
  home = laptopHome();
  ({ workspace } = makeWorkspace({
    'stack.yaml': { from: 'templates/example-app.yaml' },
    'smaller.yaml': [
      'Resources:',
      '  Queue:',
      '    Type: AWS::SQS::Queue',
      '    Properties:',
      '      MessageRetentionPeriod: 345600',
      '      Tags: [{ Key: environment, Value: dev }]',
    ].join('\n'),
    'broken.yaml': 'Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n   Properties: {}\n',
  }));
});

afterAll(() => fid.close());

describe('from two empty accounts to prod, on a laptop', () => {
  const roles: Record<string, string> = {};

  it('bootstraps dev and prod, and prod again in a second region without a collision', async () => {
    const dev = await cli([
      'bootstrap',
      '--profile',
      'dev',
      '--repo',
      'acme/app',
      '--environment',
      'dev',
      '--pull-requests',
      '--stack-name',
      'demo-app',
    ]);
    expect(dev.code).toBe(0);
    expect(dev.stdout).toContain(`${DEV} · eu-west-1 · multi-account-deploy-bootstrap: `);
    expect(dev.stdout).toContain('— deployed');
    expect(dev.stdout).toContain(
      `deploy role             arn:aws:iam::${DEV}:role/multi-account-deploy-eu-west-1`,
    );
    expect(dev.stdout).toContain('  repo:acme/app:pull_request\n');
    expect(dev.stdout).toContain('  repo:acme/app:environment:dev\n');
    expect(dev.stdout).toContain(
      `        dev-role-arn: arn:aws:iam::${DEV}:role/multi-account-deploy-eu-west-1`,
    );
    expect(dev.stderr).toContain(`reusing the OIDC provider arn:aws:iam::${DEV}:oidc-provider/`);
    expectPlainText(dev.stdout);

    const prodArgs = ['bootstrap', '--profile', 'prod', '--repo', 'acme/app', '--environment', 'prod'];
    const prod = await cli([...prodArgs, '--stack-name', 'demo-app']);
    expect(prod.code).toBe(0);
    expect(prod.stdout).toContain(
      `deploy role             arn:aws:iam::${PROD}:role/multi-account-deploy-eu-west-1`,
    );
    expect(prod.stdout).not.toContain('pull_request');
    roles.dev = `arn:aws:iam::${DEV}:role/multi-account-deploy-eu-west-1`;
    roles.prod = `arn:aws:iam::${PROD}:role/multi-account-deploy-eu-west-1`;

    const second = await cli([...prodArgs, '--stack-name', 'demo-app', '--region', 'us-east-1']);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain(`${PROD} · us-east-1 · multi-account-deploy-bootstrap: `);
    expect(second.stdout).toContain(`arn:aws:iam::${PROD}:role/multi-account-deploy-us-east-1`);

    const again = await cli([...prodArgs, '--stack-name', 'demo-app']);
    expect(again.code).toBe(0);
    // Unchanged. (moto returns CommaDelimitedList parameters in another form, so it takes a change set to see it.)
    expect(again.stdout).toMatch(/multi-account-deploy-bootstrap: no (changes|resource changes)/);
    expect(again.stdout).toContain(`deploy role             ${roles.prod}`);
  });

  it('doctor: green for the right job; red with the exact fix for a wrong environment or a wrong-case org', async () => {
    const doctor = (...args: string[]) =>
      cli(['doctor', '--profile', 'prod', '--role-arn', roles.prod ?? '', ...args]);
    const green = await doctor('--repo', 'acme/app', '--environment', 'prod');
    expect(green.code).toBe(0);
    expect(green.stdout).toContain('✓ The trust policy allows sub repo:acme/app:environment:prod');
    expect(green.stdout).toContain('✓ AssumeRoleWithWebIdentity will succeed for this job.');

    const wrongEnvironment = await doctor('--repo', 'acme/app', '--environment', 'production');
    expect(wrongEnvironment.code).toBe(1);
    expect(wrongEnvironment.stdout).toContain(
      `expects "repo:acme/app:environment:prod", but the token's sub is "repo:acme/app:environment:production"`,
    );
    expect(wrongEnvironment.stdout).toContain(
      'fix: In statement 1, set "StringEquals": {"token.actions.githubusercontent.com:sub": "repo:acme/app:environment:production"}',
    );
    expect(wrongEnvironment.stdout).toContain('✗ AssumeRoleWithWebIdentity will be refused');

    const wrongCase = await doctor('--repo', 'Acme/app', '--environment', 'prod');
    expect(wrongCase.code).toBe(1);
    expect(wrongCase.stdout).toContain('compares case-sensitively');
    expect(wrongCase.stdout).toContain('only the case differs');

    const noEnvironment = await doctor('--repo', 'acme/app', '--ref', 'main');
    expect(noEnvironment.code).toBe(1);
    expect(noEnvironment.stdout).toContain('repo:acme/app:ref:refs/heads/main');
    expect(noEnvironment.stdout).toContain('give the job its `environment:`');
  });

  it('plans a pull request, deploys dev, deploys dev again unchanged, then releases exactly the plan to prod', async () => {
    const plan = await cli(['plan', '--profile', 'dev', ...APP, '--environment', 'dev']);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain(`✓ dev · ${DEV} · eu-west-1 · demo-app: 2 to add — planned`);
    expect(plan.stdout).toMatch(/\+ add {2}Queue {2}AWS::SQS::Queue/);
    expectPlainText(plan.stdout);
    expect(plan.stdout + plan.stderr).not.toMatch(/::(group|debug|endgroup)::|"Statement"|laptop-secret/);

    const dev = await cli(['deploy', '--profile', 'dev', ...APP, '--environment', 'dev']);
    expect(dev.code).toBe(0);
    expect(dev.stdout).toContain('demo-app: 2 to add — deployed');
    expect(dev.stdout).toContain('stack CREATE_COMPLETE');

    const unchanged = await cli(['deploy', '--profile', 'dev', ...APP, '--environment', 'dev']);
    expect(unchanged.code).toBe(0);
    expect(unchanged.stdout).toContain('demo-app: no changes');

    const prod = [
      '--profile',
      'prod',
      ...APP,
      '--environment',
      'prod',
      '--parameter-overrides',
      'Environment=prod',
    ];
    const kept = await cli(['plan', ...prod, '--keep-change-set', 'true']);
    expect(kept.code).toBe(0);
    const name = /change set (\S+) \(CREATE\), kept for review/.exec(kept.stdout)?.[1] ?? '';
    expect(name).toMatch(/^mad-/);
    const release = await cli(['execute', ...prod, '--change-set-name', name]);
    expect(release.code).toBe(0);
    expect(release.stdout).toContain(`prod · ${PROD} · eu-west-1 · demo-app: 2 to add — executed`);
    expect(release.stdout).toMatch(/Parameters:\n {2}Environment {2}prod/);
  });

  it('refuses a destructive change, saying which resource and how to allow it', async () => {
    const refused = await cli([
      'deploy',
      '--profile',
      'dev',
      '--stack-name',
      'demo-app',
      '--template',
      'smaller.yaml',
      '--permissions',
      'off',
    ]);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/! - remove {2}Topic/);
    expect(refused.stdout).toContain('Failed: Refusing to deploy: destructive changes to Topic');
    expect(refused.stdout).toContain('set --allow-destructive to true');
    expectPlainText(refused.stdout);
  });

  it("speaks the caller's terms: flags, profiles, regions, YAML positions; usage mistakes exit 2", async () => {
    const profile = await cli(['plan', '--profile', 'nope', ...APP]);
    expect(profile.code).toBe(1);
    expect(profile.stderr).toContain('--profile nope: no such profile in ~/.aws/config');
    const region = await cli(['plan', '--profile', 'dev', ...APP, '--region', 'eu-wset-1']);
    expect(region.code).toBe(1);
    expect(region.stderr).toContain(
      '--region is "eu-wset-1": expected an AWS region such as eu-west-1.\nDid you mean eu-west-1? Nothing was called.',
    );
    const yaml = await cli(['plan', '--profile', 'dev', '--stack-name', 'x', '--template', 'broken.yaml']);
    expect(yaml.code).toBe(1);
    expect(yaml.stderr).toContain(
      '--template is "broken.yaml": expected a CloudFormation template, but it is not valid JSON or YAML at line 4, column 1: All mapping items must start at the same column.\n',
    );
    const missing = await cli([
      'plan',
      '--profile',
      'dev',
      '--stack-name',
      'x',
      '--template',
      'nowhere.yaml',
    ]);
    expect(missing.stderr).toContain(`relative to the workspace`);
    expect(missing.stderr).not.toContain('actions/checkout');

    const print = await cli([
      'bootstrap',
      '--print',
      '--repo',
      'acme/app',
      '--environment',
      'prod',
      '--stack-name',
      'demo-app',
      '--owner-id',
      '12',
      '--repository-id',
      '34',
    ]);
    expect(print.code).toBe(0);
    expect(print.stdout).toContain(
      'aws cloudformation create-stack-set --stack-set-name multi-account-deploy-bootstrap',
    );
    expect(print.stdout).toContain('--permission-model SERVICE_MANAGED');
    expect(print.stdout).toContain('"ParameterValue":"repo:acme@12/app@34:environment:prod"');

    expect((await cli(['ship'])).code).toBe(2);
    const unknown = await cli(['plan', '--stack', 'x']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('Unknown flag --stack for plan.');
    expect(unknown.stderr).toContain('Usage: multi-account-deploy plan');
    const help = await cli(['doctor', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: multi-account-deploy doctor --role-arn ARN');
  });
});
