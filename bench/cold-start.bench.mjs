// The action's cold start: from spawning `node dist/index.js` to its first AWS request arriving, next to a bare
// `node -e 0` and to aws-cloudformation-github-deploy v2.2.0 started the same way; and the size of dist/.
// The stack exists and is unchanged, so the run after the first request is short (it is not measured here).
// BENCH_BASELINE=<folder with another build's dist/> measures that build too, in the same run (before/after).
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { startFidelity } from '../scripts/lib/fidelity/index.mjs';
import { startMoto } from '../scripts/lib/moto.mjs';
import { REPO_ROOT, makeWorkspace, runAction } from '../scripts/lib/runner.mjs';
import { median } from './lib.mjs';
import { peerDeploy } from './peers.mjs';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const BASELINE = process.env.BENCH_BASELINE;
const moto = await startMoto();
const fid = await startFidelity({ upstream: moto.endpoint });

/** Bytes under a folder. */
function sizeOf(dir) {
  return readdirSync(dir, { withFileTypes: true }).reduce((sum, entry) => {
    const path = join(dir, entry.name);
    return sum + (entry.isDirectory() ? sizeOf(path) : statSync(path).size);
  }, 0);
}

/** ms from t0 (performance.now() of the spawn) to the first request the layer saw. */
const firstRequestAfter = (t0) => (fid.requests[0]?.t ?? Number.NaN) - t0;

try {
  const { workspace } = makeWorkspace({ 'stack.yaml': { from: 'templates/example-app.yaml' } });
  const inputs = { template: 'stack.yaml', 'stack-name': 'cold', permissions: 'off' };
  await runAction({ workspace, endpoint: fid.url, inputs });
  const ours = [];
  const baseline = [];
  const peer = [];
  const bare = [];
  const start = async (entry) => {
    fid.reset();
    const t0 = performance.now();
    const run = await runAction({ workspace, endpoint: fid.url, inputs, entry });
    if (run.code !== 0) throw new Error(`the action failed:\n${run.stdout}\n${run.stderr}`);
    return firstRequestAfter(t0);
  };
  for (let round = 0; round < ROUNDS; round++) {
    ours.push(await start());
    if (BASELINE) baseline.push(await start(join(BASELINE, 'index.js')));

    fid.reset();
    const p0 = performance.now();
    await peerDeploy({ workspace, endpoint: fid.url, stackName: 'cold-peer', template: 'stack.yaml' });
    peer.push(firstRequestAfter(p0));

    const b0 = performance.now();
    await new Promise((resolve) => spawn(process.execPath, ['-e', '0']).on('close', resolve));
    bare.push(performance.now() - b0);
  }
  const mb = (bytes) => `${(bytes / 1e6).toFixed(2)} MB`;
  const entry = statSync(join(REPO_ROOT, 'dist/index.js')).size;
  console.log(`${ROUNDS} rounds, medians (the machine may be shared: compare within this run only)`);
  console.log(`bare \`node -e 0\` (start to exit):         ${median(bare).toFixed(0)} ms`);
  console.log(`ours: start → first AWS request:          ${median(ours).toFixed(0)} ms`);
  if (BASELINE) console.log(`baseline ${BASELINE}: ${median(baseline).toFixed(0)} ms`);
  console.log(`aws-cloudformation-github-deploy v2.2.0:  ${median(peer).toFixed(0)} ms`);
  console.log(`dist/: ${mb(sizeOf(join(REPO_ROOT, 'dist')))} (entry dist/index.js ${mb(entry)})`);
  if (BASELINE) console.log(`baseline dist/: ${mb(sizeOf(BASELINE))}`);
} finally {
  await fid.close();
  await moto.stop();
}
