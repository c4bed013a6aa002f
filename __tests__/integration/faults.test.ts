// The bundled action under injected faults (the fidelity layer's seeded fault proxy in front of moto): every run
// converges to the right stack state and leaves no change set but the one kept for review; a cancelled run
// (SIGINT, SIGTERM) leaves no change set and no empty stack and says so; two concurrent deploys of one stack both
// end with a true message and a consistent stack.
import { ListChangeSetsCommand } from '@aws-sdk/client-cloudformation';
import { startFidelity, type Fidelity, type Scenario } from '../../scripts/lib/fidelity/index.mjs';
import { cloudformation, describeStack, liveStacks } from './harness/aws.js';
import { motoEndpoint, resetMoto } from './harness/moto.js';
import { runAction, type RunOptions } from './harness/run-action.js';

const FILES = { 'stack.yaml': { from: 'templates/example-app.yaml' } };

function deploy(
  fid: Fidelity,
  stack: string,
  inputs: Record<string, string>,
  extra: Partial<RunOptions> = {},
) {
  return runAction({
    endpoint: fid.url,
    files: FILES,
    inputs: { 'stack-name': stack, template: 'stack.yaml', permissions: 'off', ...inputs },
    timeoutMs: 60_000,
    ...extra,
  });
}

/** Change sets of a stack still there and not executed (moto itself, past the proxy and its faults). */
async function openChangeSets(stack: string): Promise<string[]> {
  const out = await cloudformation()
    .send(new ListChangeSetsCommand({ StackName: stack }))
    .catch(() => undefined);
  return (out?.Summaries ?? [])
    .filter((s) => s.StackName === stack && s.ExecutionStatus !== 'EXECUTE_COMPLETE')
    .map((s) => s.ChangeSetName ?? '');
}

async function retention(stack: string): Promise<string | undefined> {
  const s = await describeStack(stack);
  return s?.Parameters?.find((p) => p.ParameterKey === 'RetentionSeconds')?.ParameterValue;
}

const FAULTS: [string, Scenario['faults']][] = [
  ['throttling 30%', { seed: 11, throttle: 0.3 }],
  ['5xx 20%', { seed: 12, serverError: 0.2 }],
  ['resets 10%', { seed: 13, reset: 0.1 }],
  ['slow answers', { seed: 14, slow: 0.3, slowMs: 400 }],
  [
    'answers lost after AWS acted',
    {
      seed: 15,
      operations: {
        CreateChangeSet: { lost: 1, limit: 1 },
        ExecuteChangeSet: { lost: 1, limit: 1 },
        DeleteChangeSet: { lost: 1, limit: 1 },
        DeleteStack: { lost: 1, limit: 1 },
      },
    },
  ],
];

beforeAll(() => resetMoto());

describe.each(FAULTS)('under %s', (_kind, faults) => {
  let fid: Fidelity;
  const stack = `faults-${Math.random().toString(36).slice(2, 8)}`;
  beforeAll(async () => {
    fid = await startFidelity({ upstream: motoEndpoint() });
  });
  afterAll(() => fid.close());
  // A fresh faults entry per run restarts the seeded sequence and the per-operation limits.
  const run = (inputs: Record<string, string>) => {
    fid.scenario({ faults });
    return deploy(fid, stack, inputs);
  };

  it('converges on plan (new stack), create, update, plan, plan-with-keep and execute', async () => {
    const plan0 = await run({ mode: 'plan', 'parameter-overrides': 'RetentionSeconds=100' });
    expect(plan0.outputs.result).toBe('planned');
    expect(await liveStacks()).not.toHaveProperty(stack);

    const create = await run({ 'parameter-overrides': 'RetentionSeconds=100' });
    expect(`${create.outputs.result} ${create.stdout.slice(-400)}`).toMatch(/^deployed/);
    expect((await describeStack(stack))?.StackStatus).toBe('CREATE_COMPLETE');
    expect(await retention(stack)).toBe('100');

    const update = await run({ 'parameter-overrides': 'RetentionSeconds=200' });
    expect(`${update.outputs.result} ${update.stdout.slice(-400)}`).toMatch(/^deployed/);
    expect(await retention(stack)).toBe('200');

    const plan = await run({ mode: 'plan', 'parameter-overrides': 'RetentionSeconds=300' });
    expect(plan.outputs.result).toBe('planned');
    expect(await retention(stack)).toBe('200');
    expect(await openChangeSets(stack)).toEqual([]);

    const keep = await run({
      mode: 'plan',
      'keep-change-set': 'true',
      'parameter-overrides': 'RetentionSeconds=400',
    });
    expect(keep.outputs.result).toBe('planned');
    const kept = keep.outputs['change-set-name'] ?? '';
    expect(await openChangeSets(stack)).toEqual([kept]);

    const execute = await run({
      mode: 'execute',
      'change-set-name': kept,
      'parameter-overrides': 'RetentionSeconds=400',
    });
    expect(`${execute.outputs.result} ${execute.stdout.slice(-400)}`).toMatch(/^executed/);
    expect(await retention(stack)).toBe('400');
    expect(await openChangeSets(stack)).toEqual([]);
    expect(fid.injected.total).toBeGreaterThan(0);
  }, 120_000);
});

describe('cancellation', () => {
  let fid: Fidelity;
  beforeAll(async () => {
    fid = await startFidelity({ upstream: motoEndpoint() });
  });
  afterAll(() => fid.close());

  it.each(['SIGINT', 'SIGTERM'] as const)(
    '%s at 1 s, before the change set exists, leaves nothing and says so',
    async (signal) => {
      const stack = `cancel-early-${signal.toLowerCase()}`;
      fid.scenario({ latencyMs: 250, changeSet: { createSeconds: 3 } }, { replace: true });
      const run = await deploy(fid, stack, {}, { signals: [{ signal, afterMs: 1_000 }] });
      expect(run.code).not.toBe(0);
      expect(run.stdout).toContain(`Cancelled (${signal}) before any change`);
      expect(run.summary).toContain('Cancelled');
      expect(await liveStacks()).not.toHaveProperty(stack);
      expect(await openChangeSets(stack)).toEqual([]);
    },
    30_000,
  );

  it.each(['SIGINT', 'SIGTERM'] as const)(
    '%s during the change-set wait deletes the change set and the empty stack it made, within the grace period',
    async (signal) => {
      const stack = `cancel-wait-${signal.toLowerCase()}`;
      fid.scenario({ changeSet: { createSeconds: 4 } }, { replace: true });
      const run = await deploy(
        fid,
        stack,
        {},
        { signals: [{ signal, afterMs: 800, whenOutput: 'Creating CREATE change set' }] },
      );
      expect(run.code).not.toBe(0);
      expect(run.stdout).toContain(`Cancelled (${signal}) before any change`);
      expect(run.stdout).toContain('which this run had made and not executed');
      expect(run.summary).toContain('Cancelled');
      expect(fid.calls('DeleteChangeSet').length).toBeGreaterThan(0);
      expect(await liveStacks()).not.toHaveProperty(stack);
      expect(await openChangeSets(stack)).toEqual([]);
    },
    30_000,
  );
});

describe('two concurrent deploys of one stack', () => {
  it('both end with a true message and the stack is consistent', async () => {
    const fid = await startFidelity({ upstream: motoEndpoint() });
    try {
      const stack = 'concurrent';
      expect((await deploy(fid, stack, { 'parameter-overrides': 'RetentionSeconds=100' })).code).toBe(0);
      fid.scenario({ changeSet: { createSeconds: 0.5 }, stack: { operationSeconds: 2 } });
      const values = ['200', '300'];
      const runs = (
        await Promise.all(
          values.map((v) => deploy(fid, stack, { 'parameter-overrides': `RetentionSeconds=${v}` })),
        )
      ).map((r, i) => ({ r, value: values[i] }));
      for (const { r } of runs) {
        const text = r.stdout;
        const truthful =
          r.outputs.result === 'deployed' ||
          /Another run executed change set \S+ on stack concurrent; change set \S+ was deleted with it\. Plan again\./.test(
            text,
          ) ||
          /can no longer be executed .*Plan again/.test(text);
        // On failure the run's own words say which message was not foreseen.
        expect(truthful ? 'truthful' : text.slice(-1500)).toBe('truthful');
      }
      const winners = runs.filter(({ r }) => r.outputs.result === 'deployed');
      expect(winners.length).toBeGreaterThan(0);
      const final = await describeStack(stack);
      expect(final?.StackStatus).toBe('UPDATE_COMPLETE');
      expect(winners.map((w) => w.value)).toContain(await retention(stack));
      expect(await openChangeSets(stack)).toEqual([]);
    } finally {
      await fid.close();
    }
  }, 60_000);
});
