// Lag as users feel it: ours, `aws cloudformation deploy` and aws-cloudformation-github-deploy v2.2.0 under
// realistic AWS timings from the fidelity layer (40 ms per request; a change set that takes T_cs seconds to be
// made; a stack operation that takes T_stack seconds, its events appearing over time). Same template, create /
// no-op / update, two profiles, 3 rounds, one run. Lag = wall time − the scripted AWS time (T_cs + T_stack for a
// create or update; 0 for a no-op, which needs no AWS work). Prints medians, requests per tool and the ratio of
// ours' lag to the best peer's (target ≤ 0.25×, and ≤ 1.0 s).
//
// The three tools run in the same rounds, each on its own emulator behind its own instance of the layer (so its
// requests are counted apart and no tool waits in another's queue): a round takes as long as its slowest tool.
// Their starts are staggered by STAGGER_S, in an order that rotates each round: on two cores, three processes
// starting at once (one of them Python) would measure the machine's contention rather than any tool's lag, and
// a tool mostly sleeps once started.
// Each tool first deploys once untimed (the emulator loads its services on first use). `--quick`: short
// profiles, 1 round. BENCH_PROFILE=short|long runs one profile.
import { startFidelity } from '../scripts/lib/fidelity/index.mjs';
import { startMoto } from '../scripts/lib/moto.mjs';
import { makeWorkspace, runAction } from '../scripts/lib/runner.mjs';
import { median } from './lib.mjs';
import { cliDeploy, peerDeploy } from './peers.mjs';

const QUICK = process.argv.includes('--quick');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? (QUICK ? 1 : 3));
const LATENCY_MS = 40;
const STAGGER_S = 3;
const PROFILES = QUICK
  ? [
      { name: 'short', cs: 2, stack: 5 },
      { name: 'long', cs: 1, stack: 10 },
    ]
  : [
      { name: 'short', cs: 6, stack: 20 },
      { name: 'long', cs: 3, stack: 60 },
    ];
const only = process.env.BENCH_PROFILE;
const PHASES = [
  ['create', 'RetentionSeconds=345600'],
  ['noop', 'RetentionSeconds=345600'],
  ['update', 'RetentionSeconds=86400'],
];

/** What DescribeChangeSet lists for the update (ResourceChange, ResourceChangeDetail in the API reference). */
const QUEUE_RETENTION_CHANGE = {
  logicalId: 'Queue',
  action: 'Modify',
  resourceType: 'AWS::SQS::Queue',
  replacement: 'False',
  scope: ['Properties'],
  details: [
    {
      target: { attribute: 'Properties', name: 'MessageRetentionPeriod', requiresRecreation: 'Never' },
      evaluation: 'Static',
      changeSource: 'ParameterReference',
      causingEntity: 'RetentionSeconds',
    },
  ],
};

/**
 * The stack's events as AWS writes them for this template: both resources start at once; the topic is done
 * early, the queue last, and the stack's own terminal event follows its last resource within a moment (0.6 s).
 */
function scenario(profile, verb) {
  const T = profile.stack;
  const events = [
    { logicalId: 'Queue', type: 'AWS::SQS::Queue', status: `${verb}_IN_PROGRESS`, afterSeconds: 1 },
    { logicalId: 'Topic', type: 'AWS::SNS::Topic', status: `${verb}_IN_PROGRESS`, afterSeconds: 1.1 },
    { logicalId: 'Topic', type: 'AWS::SNS::Topic', status: `${verb}_COMPLETE`, afterSeconds: T * 0.4 },
    { logicalId: 'Queue', type: 'AWS::SQS::Queue', status: `${verb}_COMPLETE`, afterSeconds: T - 0.6 },
  ];
  // An update changes only the queue's retention: only the queue has events.
  const changed = verb === 'CREATE' ? events : events.filter((e) => e.logicalId === 'Queue');
  return {
    latencyMs: LATENCY_MS,
    changeSet: { createSeconds: profile.cs },
    // moto lists no change for a parameter-only update; AWS lists the resource that references the parameter.
    changes: verb === 'UPDATE' ? [QUEUE_RETENTION_CHANGE] : [],
    stack: { operationSeconds: T, events: changed },
  };
}

/**
 * How late a tool's polling noticed each end, from the layer's request log (so the machine's load, which slows
 * every process start, hardly counts): the first poll that saw the change set made, and the stack's operation
 * over, minus the moment each happened. A request is answered as of its arrival plus the layer's latency.
 */
function notices(layer, profile) {
  const seen = (ops, end) => {
    const first = layer.requests.find((r) => ops.includes(r.operation) && r.t + LATENCY_MS >= end);
    return first ? first.t + LATENCY_MS - end : undefined;
  };
  const created = layer.calls('CreateChangeSet')[0];
  const executed = layer.calls('ExecuteChangeSet')[0];
  return {
    csNotice: created && seen(['DescribeChangeSet'], created.t + LATENCY_MS + profile.cs * 1000),
    stackNotice:
      executed &&
      seen(['DescribeStackEvents', 'DescribeStacks'], executed.t + LATENCY_MS + profile.stack * 1000),
  };
}

const TOOLS = {
  ours: async ({ workspace, endpoint, stackName, overrides }) => {
    const run = await runAction({
      workspace,
      endpoint,
      timeoutMs: 600_000,
      inputs: {
        template: 'stack.yaml',
        'stack-name': stackName,
        'parameter-overrides': overrides,
        permissions: 'off',
        'termination-protection': 'false',
      },
    });
    return { ok: run.code === 0, stdout: run.stdout, stderr: run.stderr };
  },
  'aws cloudformation deploy': (o) => cliDeploy({ ...o, template: 'stack.yaml' }),
  'aws-cloudformation-github-deploy v2.2.0': (o) => peerDeploy({ ...o, template: 'stack.yaml' }),
};

const motos = [];
const layers = {};
const results = {}; // profile → tool → phase → [{ ms, lag, requests }]
const started = performance.now();
try {
  const { workspace } = makeWorkspace({ 'stack.yaml': { from: 'templates/example-app.yaml' } });
  for (const tool of Object.keys(TOOLS)) {
    const moto = await startMoto();
    motos.push(moto);
    layers[tool] = await startFidelity({ upstream: moto.endpoint });
  }
  await Promise.all(
    Object.entries(TOOLS).map(async ([tool, run]) => {
      layers[tool].scenario({}, { replace: true });
      for (const [, overrides] of PHASES) {
        const res = await run({ workspace, endpoint: layers[tool].url, stackName: 'warm-up', overrides });
        if (!res.ok) throw new Error(`${tool} failed to warm up:\n${res.stdout}\n${res.stderr}`);
      }
    }),
  );
  for (const profile of PROFILES.filter((p) => !only || p.name === only)) {
    results[profile.name] = {};
    for (let round = 0; round < ROUNDS; round++) {
      const slug = `${profile.name}-${round}-${Date.now().toString(36)}`;
      for (const [phase, overrides] of PHASES) {
        const verb = phase === 'create' ? 'CREATE' : 'UPDATE';
        await Promise.all(
          Object.entries(TOOLS).map(async ([tool, run], i) => {
            const layer = layers[tool];
            layer.scenario(scenario(profile, verb), { replace: true });
            layer.reset();
            const slot = (i + round) % Object.keys(TOOLS).length;
            await new Promise((resolve) => setTimeout(resolve, slot * STAGGER_S * 1000));
            const t0 = performance.now();
            const res = await run({ workspace, endpoint: layer.url, stackName: `t${i}-${slug}`, overrides });
            const ms = performance.now() - t0;
            if (!res.ok)
              throw new Error(`${tool} failed (${profile.name} ${phase}):\n${res.stdout}\n${res.stderr}`);
            const aws = phase === 'noop' ? 0 : (profile.cs + profile.stack) * 1000;
            const row = { ms, lag: ms - aws, requests: layer.requests.length, ...notices(layer, profile) };
            ((results[profile.name][tool] ??= {})[phase] ??= []).push(row);
          }),
        );
      }
    }
  }
  report();
} finally {
  for (const layer of Object.values(layers)) await layer.close();
  for (const moto of motos) await moto.stop();
}

function report() {
  const s = (ms) => `${(ms / 1000).toFixed(1)} s`;
  console.log(
    `${ROUNDS} round(s), medians; ${LATENCY_MS} ms per request; the tools ran side by side, started ${STAGGER_S} s apart in a rotating order; total ${s(performance.now() - started)}`,
  );
  for (const profile of PROFILES.filter((p) => results[p.name])) {
    console.log(
      `\nprofile ${profile.name}: change set ${profile.cs} s, stack ${profile.stack} s (AWS itself: ${profile.cs + profile.stack} s)`,
    );
    console.log(
      `${'tool'.padEnd(42)}${PHASES.map(([p]) => `${p} wall / lag / requests`.padEnd(30)).join('')}`,
    );
    const lags = {};
    for (const [tool, phases] of Object.entries(results[profile.name])) {
      const cells = PHASES.map(([phase]) => {
        const rows = phases[phase];
        const wall = median(rows.map((r) => r.ms));
        const lag = median(rows.map((r) => r.lag));
        (lags[tool] ??= {})[phase] = lag;
        return `${s(wall)} / ${s(lag)} / ${median(rows.map((r) => r.requests))}`.padEnd(30);
      });
      console.log(`${tool.padEnd(42)}${cells.join('')}`);
    }
    for (const [tool, phases] of Object.entries(results[profile.name])) {
      const of = (key) => {
        const values = ['create', 'update'].flatMap((p) => phases[p].map((r) => r[key]));
        return values.some((v) => v === undefined) ? 'n/a' : `${(median(values) / 1000).toFixed(2)} s`;
      };
      console.log(
        `  ${tool}: noticed the change set ${of('csNotice')} and the stack's end ${of('stackNotice')} after they happened (median of create and update)`,
      );
    }
    for (const [phase] of PHASES) {
      const ours = lags.ours[phase];
      const peers = Object.entries(lags).filter(([t]) => t !== 'ours');
      const [bestTool, best] = peers.sort((a, b) => a[1][phase] - b[1][phase])[0];
      const ratio = ours / best[phase];
      const ok = ratio <= 0.25 && (phase === 'noop' || ours <= 1_000);
      console.log(
        `  ${phase.padEnd(6)} lag: ours ${s(ours)}, best peer ${s(best[phase])} (${bestTool}), ratio ${ratio.toFixed(2)}× (target ≤ 0.25×${phase === 'noop' ? '' : ', ours ≤ 1.0 s'}) ${ok ? '✓' : '✗'}`,
      );
    }
    const waiting = profile.cs + profile.stack;
    const ours = results[profile.name].ours;
    for (const phase of ['create', 'update']) {
      const requests = median(ours[phase].map((r) => r.requests));
      console.log(
        `  ours ${phase}: ${requests} requests for ${waiting} s of waiting (bound: one a second + a small constant: ${requests - waiting} over)`,
      );
    }
  }
}
