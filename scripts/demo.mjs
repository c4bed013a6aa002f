// `npm run demo`: the laptop walkthrough on the local emulator, with the bundled CLI as a user runs it, from two
// empty accounts (dev 111111111111, prod 222222222222; each profile assumes its account's admin role):
//   1. bootstrap dev and prod       2. doctor: the right job, and a wrong environment
//   3. a pull request's plan of dev 4. deploy dev, then again unchanged
//   5. prod: plan with the change set kept, then execute exactly that change set
// moto's CloudFormation does not create AWS::IAM::OIDCProvider resources, so each account starts with GitHub's
// OIDC provider already there (as many real accounts do) and the bootstrap reuses it.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFidelity } from './lib/fidelity/index.mjs';
import { createGithubOidcProvider, startMoto } from './lib/moto.mjs';
import { DIST, makeWorkspace } from './lib/runner.mjs';

const CLI = join(DIST, '..', 'cli', 'index.js');
const bold = (s) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);
const indent = (text) => text.trimEnd().replace(/^/gm, '  ');

const moto = await startMoto();
// In front of moto: execute checks the change set's own template, which moto's GetTemplate does not return.
const fid = await startFidelity({ upstream: moto.endpoint });
const started = Date.now();
try {
  for (const account of ['111111111111', '222222222222'])
    await createGithubOidcProvider(moto.endpoint, account);
  const home = mkdtempSync(join(tmpdir(), 'mad-demo-home-'));
  mkdirSync(join(home, '.aws'));
  writeFileSync(
    join(home, '.aws', 'credentials'),
    '[base]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = demo\n',
  );
  writeFileSync(
    join(home, '.aws', 'config'),
    ['dev:111111111111', 'prod:222222222222']
      .map((p) => p.split(':'))
      .map(
        ([name, account]) =>
          `[profile ${name}]\nrole_arn = arn:aws:iam::${account}:role/admin\nsource_profile = base\n`,
      )
      .join('\n'),
  );
  const { workspace } = makeWorkspace({ 'stack.yaml': { from: 'templates/example-app.yaml' } });
  const env = {
    PATH: process.env.PATH,
    HOME: home,
    AWS_ENDPOINT_URL: fid.url,
    AWS_REGION: 'eu-west-1',
    AWS_EC2_METADATA_DISABLED: 'true',
    NODE_NO_WARNINGS: '1',
  };
  console.log(
    `moto on ${moto.endpoint}; your repository is ${workspace} (stack.yaml); AWS_ENDPOINT_URL points at moto.`,
  );
  console.log(
    '(moto does not implement UpdateTerminationProtection: the warning about it is expected here.)',
  );

  /** Runs one command the way a user types it; shows the command, its report (stdout) and its exit code. */
  // Asynchronous: the fidelity layer answers from this process.
  const step = async (title, args, { expect = 0, log = false } = {}) => {
    const t0 = Date.now();
    const child = spawn(process.execPath, [CLI, ...args], { cwd: workspace, env });
    const run = { stdout: '', stderr: '' };
    child.stdout.setEncoding('utf8').on('data', (c) => (run.stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c) => (run.stderr += c));
    run.status = await new Promise((resolve) => child.on('close', resolve));
    console.log(
      `\n${bold(`━━━ ${title}`)}  (${((Date.now() - t0) / 1000).toFixed(1)} s, exit ${run.status})`,
    );
    console.log(`$ npx multi-account-deploy ${args.map((a) => (/[\s*]/.test(a) ? `'${a}'` : a)).join(' ')}`);
    if (log) console.log(indent(run.stderr));
    console.log(indent(run.stdout));
    if (run.status !== expect) throw new Error(`${title}: exit ${run.status}\n${run.stderr}`);
    return run;
  };
  const app = ['--stack-name', 'demo-app', '--template', 'stack.yaml', '--permissions', 'off'];
  const repo = ['--repo', 'acme/app'];

  await step('1a. bootstrap dev (roles for pull requests, main and the dev environment)', [
    'bootstrap',
    '--profile',
    'dev',
    ...repo,
    '--environment',
    'dev',
    '--pull-requests',
    '--stack-name',
    'demo-app',
  ]);
  await step('1b. bootstrap prod', [
    'bootstrap',
    '--profile',
    'prod',
    ...repo,
    '--environment',
    'prod',
    '--stack-name',
    'demo-app',
  ]);
  const prodRole = 'arn:aws:iam::222222222222:role/multi-account-deploy-eu-west-1';
  await step("2a. doctor: can prod's deploy job assume its role?", [
    'doctor',
    '--profile',
    'prod',
    '--role-arn',
    prodRole,
    ...repo,
    '--environment',
    'prod',
  ]);
  await step(
    '2b. doctor: the same job with environment: production (a typo)',
    ['doctor', '--profile', 'prod', '--role-arn', prodRole, ...repo, '--environment', 'production'],
    { expect: 1 },
  );
  await step('3. pull request: plan dev', ['plan', '--profile', 'dev', ...app, '--environment', 'dev'], {
    log: true,
  });
  await step('4a. main: deploy dev', ['deploy', '--profile', 'dev', ...app, '--environment', 'dev']);
  await step('4b. main: deploy dev again, unchanged', [
    'deploy',
    '--profile',
    'dev',
    ...app,
    '--environment',
    'dev',
  ]);
  const prod = [
    '--profile',
    'prod',
    ...app,
    '--environment',
    'prod',
    '--parameter-overrides',
    'Environment=prod',
  ];
  const plan = await step('5a. prod: plan and keep the change set for review', [
    'plan',
    ...prod,
    '--keep-change-set',
    'true',
  ]);
  const name = /change set (\S+) \(CREATE\), kept/.exec(plan.stdout)?.[1];
  await step('5b. prod, after review: execute exactly that change set', [
    'execute',
    ...prod,
    '--change-set-name',
    name,
  ]);
  console.log(
    `\n${bold('From empty accounts to a first prod deploy:')} ${((Date.now() - started) / 1000).toFixed(1)} s, 7 commands.`,
  );
} finally {
  await fid.close();
  await moto.stop();
  console.log('moto stopped.');
}
