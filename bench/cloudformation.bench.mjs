// Ours vs `aws cloudformation deploy` on the same emulator, the same template: create, no-op and update.
// Prints median wall times, their ratio (target ≤ 0.5×), AWS request counts (target ≤ 5 for the no-op), and
// the action's cold start (process start to its first AWS request) next to a bare `node -e 0`.
import { spawn, spawnSync } from 'node:child_process';
import { startCountingProxy } from '../scripts/lib/counting-proxy.mjs';
import { startMoto } from '../scripts/lib/moto.mjs';
import { makeWorkspace, runAction } from '../scripts/lib/runner.mjs';
import { awsCli, cliEnv, median, ratioLine } from './lib.mjs';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const cli = awsCli();
const moto = await startMoto();
const proxy = await startCountingProxy(moto.endpoint);

/** The peer, spawned asynchronously: the counting proxy lives in this process and must keep serving. */
function peer(args, workspace) {
  const t0 = performance.now();
  const child = spawn(
    cli[0],
    [...cli.slice(1), '--endpoint-url', proxy.url, 'cloudformation', 'deploy', ...args],
    {
      cwd: workspace,
      env: cliEnv(proxy.url),
    },
  );
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve, reject) =>
    child.on('close', (code) => {
      const ms = performance.now() - t0;
      if (code !== 0) reject(new Error(`aws cloudformation deploy failed: ${stderr}`));
      else resolve(ms);
    }),
  );
}

async function ours(inputs, workspace) {
  const t0 = performance.now();
  const run = await runAction({
    workspace,
    endpoint: proxy.url,
    inputs: { template: 'stack.yaml', permissions: 'off', ...inputs },
  });
  const ms = performance.now() - t0;
  if (run.code !== 0) throw new Error(`the action failed:\n${run.stdout}\n${run.stderr}`);
  return { ms, run, started: t0 };
}

const results = { ours: { create: [], noop: [], update: [] }, peer: { create: [], noop: [], update: [] } };
const requests = { ours: {}, peer: {} };
/** Each round, for each tool: create the stack, deploy it unchanged, then change a parameter. */
const PHASES = [
  ['create', 'RetentionSeconds=345600'],
  ['noop', 'RetentionSeconds=345600'],
  ['update', 'RetentionSeconds=86400'],
];
const coldStarts = [];
try {
  const { workspace } = makeWorkspace({ 'stack.yaml': { from: 'templates/example-app.yaml' } });
  for (let round = 0; round < ROUNDS; round++) {
    // ours
    const name = `ours-${round}`;
    for (const [phase, overrides] of PHASES) {
      proxy.reset();
      const { ms, started } = await ours(
        { 'stack-name': name, 'parameter-overrides': overrides, 'termination-protection': 'false' },
        workspace,
      );
      results.ours[phase].push(ms);
      requests.ours[phase] = proxy.count();
      if (phase === 'create') coldStarts.push(proxy.timestamps[0] - started);
    }
    // peer
    const peerName = `peer-${round}`;
    for (const [phase, overrides] of PHASES) {
      proxy.reset();
      results.peer[phase].push(
        await peer(
          [
            '--template-file',
            'stack.yaml',
            '--stack-name',
            peerName,
            '--parameter-overrides',
            overrides,
            '--no-fail-on-empty-changeset',
          ],
          workspace,
        ),
      );
      requests.peer[phase] = proxy.count();
    }
  }
  const nodeBare = [];
  for (let i = 0; i < ROUNDS; i++) {
    const t0 = performance.now();
    spawnSync(process.execPath, ['-e', '0']);
    nodeBare.push(performance.now() - t0);
  }

  console.log(`${ROUNDS} rounds, medians; peer: ${cli.join(' ')} cloudformation deploy`);
  for (const phase of ['create', 'noop', 'update']) {
    console.log(ratioLine(phase.padEnd(6), median(results.ours[phase]), median(results.peer[phase]), 0.5));
  }
  console.log(
    `AWS requests  ours: create ${requests.ours.create}, no-op ${requests.ours.noop} (target ≤ 5), update ${requests.ours.update}`,
  );
  console.log(
    `AWS requests  peer: create ${requests.peer.create}, no-op ${requests.peer.noop}, update ${requests.peer.update}`,
  );
  console.log(
    `cold start    ours: ${median(coldStarts).toFixed(0)} ms from process start to the first AWS request; bare \`node -e 0\`: ${median(nodeBare).toFixed(0)} ms`,
  );
} finally {
  await proxy.close();
  await moto.stop();
}
