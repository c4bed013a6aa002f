// One deploy of ours under the latency benchmark's short profile, with the layer's request log as a timeline:
// where the time between process start and process end goes (requests, waits, the gaps between them).
// `node bench/timeline.mjs [cs] [stack]`.
import { startFidelity } from '../scripts/lib/fidelity/index.mjs';
import { startMoto } from '../scripts/lib/moto.mjs';
import { makeWorkspace, runAction } from '../scripts/lib/runner.mjs';

const [cs = 2, stack = 5] = process.argv.slice(2).map(Number);
const moto = await startMoto();
const layer = await startFidelity({ upstream: moto.endpoint });
try {
  const { workspace } = makeWorkspace({ 'stack.yaml': { from: 'templates/example-app.yaml' } });
  const inputs = (name, v) => ({
    template: 'stack.yaml',
    'stack-name': name,
    'parameter-overrides': `RetentionSeconds=${v}`,
    permissions: 'off',
    'termination-protection': 'false',
  });
  await runAction({ workspace, endpoint: layer.url, inputs: inputs('warm', 100) });
  layer.scenario(
    { latencyMs: 40, changeSet: { createSeconds: cs }, stack: { operationSeconds: stack } },
    { replace: true },
  );
  for (const [what, name, v] of [
    ['create', 'probe', 100],
    ['no-op', 'probe', 100],
    ['update', 'probe', 200],
  ]) {
    layer.reset();
    const t0 = performance.now();
    const run = await runAction({ workspace, endpoint: layer.url, inputs: inputs(name, v) });
    const end = performance.now() - t0;
    let last = 0;
    console.log(`— ${what}`);
    for (const r of layer.requests) {
      const t = r.t - t0;
      console.log(
        `${(t / 1000).toFixed(3)} (+${((t - last) / 1000).toFixed(3)}) ${r.service} ${r.operation} ${r.status}`,
      );
      last = t;
    }
    const aws = what === 'no-op' ? 0 : (cs + stack) * 1000;
    console.log(`end ${(end / 1000).toFixed(3)}  lag ${((end - aws) / 1000).toFixed(3)} s; code ${run.code}`);
  }
} finally {
  await layer.close();
  await moto.stop();
}
