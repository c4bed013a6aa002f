// `npm run demo`: the action's main job on the local emulator. Starts moto, then runs the bundled action
// as a runner would for a small example stack: plan, deploy, and an unchanged redeploy. Prints what a user
// sees (log, summary, outputs) and stops moto.
import { startMoto } from './lib/moto.mjs';
import { makeWorkspace, runAction } from './lib/runner.mjs';

const bold = (s) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);

function show(title, run) {
  console.log(`\n${bold(`━━━ ${title}`)} (exit ${run.code}, ${run.durationMs} ms)`);
  console.log(bold('log:'));
  console.log(run.stdout.trimEnd().replace(/^/gm, '  '));
  console.log(bold('summary:'));
  console.log(run.summary.trimEnd().replace(/^/gm, '  '));
  console.log(bold('outputs:'));
  for (const [k, v] of Object.entries(run.outputs)) console.log(`  ${k} = ${v}`);
  if (run.code !== 0) throw new Error(`${title} failed:\n${run.stderr}`);
}

const moto = await startMoto();
console.log(`moto is listening on ${moto.endpoint}`);
try {
  const { workspace } = makeWorkspace({ 'stack.yaml': { from: 'templates/example-app.yaml' } });
  const base = { workspace, endpoint: moto.endpoint };
  const inputs = { 'stack-name': 'demo-app', template: 'stack.yaml', environment: 'dev', permissions: 'off' };

  show('1. plan (pull request)', await runAction({ ...base, inputs: { ...inputs, mode: 'plan' } }));
  show('2. deploy', await runAction({ ...base, inputs }));
  show('3. deploy again, unchanged', await runAction({ ...base, inputs }));
  show(
    '4. deploy with a new parameter value',
    await runAction({ ...base, inputs: { ...inputs, 'parameter-overrides': 'RetentionSeconds=86400' } }),
  );
} finally {
  await moto.stop();
  console.log('\nmoto stopped.');
}
