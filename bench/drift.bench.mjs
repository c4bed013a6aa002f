// Drift detection must not make a plan slower: it runs while the change set is created. The fidelity layer makes
// drift detection take 5 s and the change set's creation 5 s (as a large stack's can); a plan with `drift: report`
// is measured against the same plan with `drift: off`, alternating, in one run. Target: ≤ 1.2× (they overlap;
// done one after the other they would take 2×).
import { startFidelity } from '../scripts/lib/fidelity/index.mjs';
import { startMoto } from '../scripts/lib/moto.mjs';
import { runAction } from '../scripts/lib/runner.mjs';
import { median, ratioLine } from './lib.mjs';

const SECONDS = 5;
const ROUNDS = 2;
const TEMPLATE = `Parameters:
  Retention: { Type: Number, Default: 345600 }
Resources:
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      MessageRetentionPeriod: !Ref Retention
  Web:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: web
`;

const moto = await startMoto();
const fid = await startFidelity({ upstream: moto.endpoint });
try {
  const inputs = { 'stack-name': 'bench-drift', template: 'stack.yaml', permissions: 'off' };
  const base = await runAction({
    files: { 'stack.yaml': TEMPLATE },
    inputs: { ...inputs, drift: 'off' },
    endpoint: fid.url,
  });
  if (base.code !== 0) throw new Error(`the base deploy failed:\n${base.stdout}\n${base.stderr}`);
  fid.scenario({
    latencyMs: 40,
    changeSet: { createSeconds: SECONDS },
    drift: {
      detectSeconds: SECONDS,
      resources: [
        {
          logicalId: 'Web',
          resourceType: 'AWS::EC2::SecurityGroup',
          status: 'MODIFIED',
          differences: [{ path: '/GroupDescription', expected: 'web', actual: 'edited', type: 'NOT_EQUAL' }],
        },
      ],
    },
    cloudtrail: { events: [] },
  });
  const plan = async (drift) => {
    const run = await runAction({
      workspace: base.workspace,
      inputs: { ...inputs, mode: 'plan', drift, 'parameter-overrides': 'Retention=86400' },
      endpoint: fid.url,
    });
    if (run.code !== 0 || run.outputs.result !== 'planned')
      throw new Error(`the plan with drift: ${drift} failed:\n${run.stdout}`);
    if (drift === 'report' && run.outputs.drifted !== 'true') throw new Error('drift was not reported');
    return run.durationMs;
  };
  const withDrift = [];
  const without = [];
  for (let i = 0; i < ROUNDS; i++) {
    without.push(await plan('off'));
    withDrift.push(await plan('report'));
  }
  const ours = median(withDrift);
  const peer = median(without);
  console.log(
    `plan, drift detection ${SECONDS} s and change set ${SECONDS} s: drift: report ${withDrift.map((m) => m.toFixed(0)).join('/')} ms, drift: off ${without.map((m) => m.toFixed(0)).join('/')} ms`,
  );
  console.log(ratioLine('plan with drift detection vs without (the same plan, drift: off)', ours, peer, 1.2));
} finally {
  await fid.close();
  await moto.stop();
}
