// 20 concurrent deploys of distinct stacks against one moto, through the fault proxy with 30% of requests
// throttled: every deploy must finish with its stack CREATE_COMPLETE and no change set left. Prints wall time
// and the retries the throttling forced, against the same 20 deploys without throttling (the ratio is the cost
// of throttling; the target bounds it). Not part of npm test.
import {
  CloudFormationClient,
  DescribeStacksCommand,
  ListChangeSetsCommand,
} from '@aws-sdk/client-cloudformation';
import { startFidelity } from '../scripts/lib/fidelity/index.mjs';
import { resetMoto, startMoto } from '../scripts/lib/moto.mjs';
import { runAction } from '../scripts/lib/runner.mjs';
import { ratioLine, timed } from './lib.mjs';

const DEPLOYS = Number(process.env.BENCH_DEPLOYS ?? 20);
const moto = await startMoto();

async function round(label, faults) {
  await resetMoto(moto.endpoint);
  const fid = await startFidelity({ upstream: moto.endpoint, scenario: faults ? { faults } : {} });
  const names = Array.from({ length: DEPLOYS }, (_, i) => `bench-${label}-${i}`);
  const { ms, value: runs } = await timed(() =>
    Promise.all(
      names.map((name) =>
        runAction({
          endpoint: fid.url,
          files: { 'stack.yaml': { from: 'templates/example-app.yaml' } },
          inputs: { 'stack-name': name, template: 'stack.yaml', permissions: 'off' },
          timeoutMs: 300_000,
        }),
      ),
    ),
  );
  const cfn = new CloudFormationClient({
    region: 'eu-west-1',
    endpoint: moto.endpoint,
    credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'bench' },
  });
  const wrong = [];
  for (const [i, name] of names.entries()) {
    const run = runs[i];
    const stack = (await cfn.send(new DescribeStacksCommand({ StackName: name })).catch(() => undefined))
      ?.Stacks?.[0];
    const open = (await cfn.send(new ListChangeSetsCommand({ StackName: name }))).Summaries?.filter(
      (s) => s.StackName === name && s.ExecutionStatus !== 'EXECUTE_COMPLETE',
    );
    if (
      run.code !== 0 ||
      run.outputs.result !== 'deployed' ||
      stack?.StackStatus !== 'CREATE_COMPLETE' ||
      open?.length
    )
      wrong.push(`${name}: exit ${run.code}, ${run.outputs.result}, ${stack?.StackStatus ?? 'no stack'}`);
  }
  const retries = fid.injected.byKind.throttle ?? 0;
  console.log(
    `${label}: ${DEPLOYS} deploys in ${(ms / 1000).toFixed(1)} s wall, ${fid.requests.length} requests, ${retries} throttled (each retried), ${DEPLOYS - wrong.length}/${DEPLOYS} correct`,
  );
  for (const w of wrong) console.log(`  ✗ ${w}`);
  await fid.close();
  return { ms, ok: wrong.length === 0 };
}

try {
  const calm = await round('calm', undefined);
  const throttled = await round('throttled', { seed: 21, throttle: 0.3 });
  console.log(ratioLine('20 concurrent deploys, 30% throttled vs none', throttled.ms, calm.ms, 3));
  if (!calm.ok || !throttled.ok) process.exitCode = 1;
} finally {
  await moto.stop();
}
