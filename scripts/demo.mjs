// `npm run demo`: the main job on the local emulator. Starts moto, a loopback OIDC token endpoint and a
// loopback GitHub API, then runs the bundled action the way a runner does, for one stack in two accounts:
//   0. account setup: the account's admin role applies the least-privilege policy to dev's deploy role
//   1. a pull request plans dev (account 111111111111): the sticky comment is written
//   2. main deploys dev through OIDC, its role checked against that policy, and gives the account's app/* ECR
//      repositories their lifecycle policy,
//   3. then deploys again unchanged (no change set, no ECR write)
//   4. prod (account 222222222222) is planned with the change set kept, then 5. exactly that change set runs
// It prints what a user sees (log, summary, outputs, the comment) and stops every server.
import { startGithubApi, startOidc } from './lib/fakes.mjs';
import { startFidelity } from './lib/fidelity/index.mjs';
import { createRepositories, createRole, startMoto } from './lib/moto.mjs';
import { makeWorkspace, runAction } from './lib/runner.mjs';

const bold = (s) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);
const indent = (text) => text.trimEnd().replace(/^/gm, '  ');

function show(title, run, extra) {
  console.log(`\n${bold(`━━━ ${title}`)} (exit ${run.code}, ${run.durationMs} ms)`);
  console.log(bold('log:'));
  console.log(indent(run.stdout.replace(/^::add-mask::.*\n/gm, '')));
  console.log(bold('job summary:'));
  console.log(indent(run.summary));
  console.log(bold('outputs:'));
  for (const [k, v] of Object.entries(run.outputs)) console.log(`  ${k} = ${v}`);
  if (extra) extra();
  if (run.code !== 0) throw new Error(`${title} failed:\n${run.stderr}`);
}

const moto = await startMoto();
const oidc = await startOidc({ sub: 'repo:acme/app:environment:dev', environment: 'dev' });
const github = await startGithubApi();
// moto's GetTemplate ignores ChangeSetName: the fidelity layer answers it as AWS does, which execute relies on.
const fidelity = await startFidelity({ upstream: moto.endpoint });
console.log(`moto on ${moto.endpoint}, OIDC endpoint on ${oidc.url}, GitHub API on ${github.url}`);
console.log(
  '(moto does not implement UpdateTerminationProtection: the warning about it below is expected here.)',
);
try {
  const { workspace } = makeWorkspace({ 'stack.yaml': { from: 'templates/example-app.yaml' } });
  const base = { workspace, endpoint: fidelity.url, oidcUrl: oidc.url, githubApiUrl: github.url };
  const stack = {
    'stack-name': 'demo-app',
    template: 'stack.yaml',
    permissions: 'off',
    'github-token': 'demo-token',
  };
  await createRepositories(moto.endpoint, '111111111111', ['app/api', 'app/web', 'tools/builder']);
  await createRole(moto.endpoint, '111111111111', 'admin');
  await createRole(moto.endpoint, '111111111111', 'deploy', { boundary: true });
  // dev's deploy role is checked against the least-privilege policy on every deploy (the default, verify).
  const dev = {
    ...stack,
    environment: 'dev',
    'role-arn': 'arn:aws:iam::111111111111:role/deploy',
    'ecr-repositories': 'app/*',
    permissions: 'verify',
  };
  const prod = {
    ...stack,
    environment: 'prod',
    'role-arn': 'arn:aws:iam::222222222222:role/deploy',
    'parameter-overrides': 'Environment=prod',
  };

  show(
    "0. account setup: dev's admin role applies the deploy role's least-privilege policy, deploying nothing",
    await runAction({
      ...base,
      event: { name: 'push' },
      inputs: {
        ...dev,
        mode: 'plan',
        'role-arn': 'arn:aws:iam::111111111111:role/admin',
        'deploy-role': 'deploy',
        permissions: 'apply',
        comment: 'never',
      },
    }),
  );
  show(
    '1. pull request #7: plan dev',
    await runAction({
      ...base,
      event: { name: 'pull_request', number: 7 },
      // With the deploy role here; the reusable workflow plans with each account's plan role.
      inputs: { ...dev, mode: 'plan', permissions: 'off' },
    }),
    () => {
      console.log(bold('pull-request comment:'));
      for (const c of github.comments.get(7) ?? []) console.log(indent(c.body));
    },
  );
  show('2. main: deploy dev', await runAction({ ...base, event: { name: 'push' }, inputs: dev }));
  show(
    '3. main: deploy dev again, unchanged',
    await runAction({ ...base, event: { name: 'push' }, inputs: dev }),
  );
  const plan = await runAction({
    ...base,
    event: { name: 'push' },
    inputs: { ...prod, mode: 'plan', 'keep-change-set': 'true' },
  });
  show('4. main: plan prod and keep the change set for review', plan);
  show(
    '5. main, after approval: execute exactly the reviewed change set in prod',
    await runAction({
      ...base,
      event: { name: 'push' },
      inputs: { ...prod, mode: 'execute', 'change-set-name': plan.outputs['change-set-id'] },
    }),
  );
  console.log(
    `\n${bold('The OIDC endpoint handed out')} ${oidc.requests.length} tokens; the GitHub API saw ${github.requests.length} requests.`,
  );
} finally {
  await Promise.all([fidelity.close(), oidc.close(), github.close()]);
  await moto.stop();
  console.log('moto and the loopback servers stopped.');
}
