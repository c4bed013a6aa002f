import { jest } from '@jest/globals';
import {
  CloudFormationClient,
  DescribeChangeSetCommand,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  type StackEvent,
} from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { createClients } from '../../../../src/aws/clients.js';
import { waitForChangeSet } from '../../../../src/engine/stack/change-set.js';
import { FOLLOW_PACE, followStack } from '../../../../src/engine/stack/follow.js';
import { silentLogger, type Logger } from '../../../../src/logger.js';

const cfn = mockClient(CloudFormationClient);
const STACK_ID = 'arn:aws:cloudformation:eu-west-1:111111111111:stack/app/abc';
const T0 = Date.parse('2026-11-25T10:00:00Z');

beforeEach(() => {
  cfn.reset();
  jest.useFakeTimers({ now: T0 });
});
afterEach(() => jest.useRealTimers());

const client = () =>
  createClients({ region: 'eu-west-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } })
    .cloudformation;
const throttled = () => Object.assign(new Error('Rate exceeded'), { name: 'Throttling' });

interface Scripted {
  at: number;
  logicalId: string;
  status: string;
  type?: string;
}

/**
 * A stack operation as AWS shows it over (fake) time: events appear at their second, newest first; the stack's
 * status is its latest own event; the outputs exist once it completed.
 */
function simulate(seconds: number, resources: Scripted[], final = 'UPDATE_COMPLETE') {
  const own = (at: number, status: string): Scripted => ({
    at,
    logicalId: 'app',
    status,
    type: 'AWS::CloudFormation::Stack',
  });
  const script = [own(0, 'UPDATE_IN_PROGRESS'), ...resources, own(seconds, final)].sort(
    (a, b) => a.at - b.at,
  );
  const happened = () => script.filter((e) => T0 + e.at * 1000 <= Date.now());
  const events = (): StackEvent[] =>
    happened()
      .map((e, i) => ({
        EventId: `e${i}`,
        StackId: STACK_ID,
        StackName: 'app',
        LogicalResourceId: e.logicalId,
        ResourceType: e.type ?? 'AWS::SQS::Queue',
        ResourceStatus: e.status as never,
        Timestamp: new Date(T0 + e.at * 1000),
      }))
      .reverse();
  const calls: { op: string; at: number }[] = [];
  cfn.on(DescribeStackEventsCommand).callsFake(() => {
    calls.push({ op: 'events', at: Date.now() - T0 });
    return { StackEvents: events() };
  });
  cfn.on(DescribeStacksCommand).callsFake(() => {
    calls.push({ op: 'stacks', at: Date.now() - T0 });
    const status = happened()
      .filter((e) => e.logicalId === 'app')
      .pop()?.status;
    const done = !status?.endsWith('_IN_PROGRESS');
    return {
      Stacks: [
        {
          StackName: 'app',
          StackId: STACK_ID,
          StackStatus: status as never,
          CreationTime: new Date(T0),
          Outputs: done ? [{ OutputKey: 'Url', OutputValue: 'https://x' }] : [],
        },
      ],
    };
  });
  return { calls };
}

async function follow(expected: string[], logger: Logger = silentLogger) {
  const pending = followStack(client(), STACK_ID, {
    stackName: 'app',
    since: new Date(T0 - 1_000),
    expected,
    logger,
    deadline: T0 + 3 * 3_600_000,
  });
  const settled = pending.then(
    (value) => ({ value, error: undefined }),
    (error: unknown) => ({ value: undefined, error }),
  );
  await jest.runAllTimersAsync();
  return settled;
}

describe('following a stack operation', () => {
  it('ends on the stack’s own terminal event, confirmed by DescribeStacks, whose outputs it keeps', async () => {
    const { calls } = simulate(20.3, [
      { at: 1, logicalId: 'Queue', status: 'UPDATE_IN_PROGRESS' },
      { at: 12, logicalId: 'Queue', status: 'UPDATE_COMPLETE' },
    ]);
    const { value } = await follow(['Queue']);
    expect(value?.stack.StackStatus).toBe('UPDATE_COMPLETE');
    expect(value?.stack.Outputs).toEqual([{ OutputKey: 'Url', OutputValue: 'https://x' }]);
    expect(value?.events.map((e) => `${e.logicalId} ${e.status}`)).toEqual([
      'app UPDATE_IN_PROGRESS',
      'Queue UPDATE_IN_PROGRESS',
      'Queue UPDATE_COMPLETE',
      'app UPDATE_COMPLETE',
    ]);
    // The last two requests: the events that showed the end, then the authority, at once.
    const [events, stacks] = calls.slice(-2);
    expect(events).toMatchObject({ op: 'events' });
    expect(stacks).toMatchObject({ op: 'stacks', at: events?.at });
    expect(value?.requests).toBe(calls.length);
  });

  it('asks DescribeStacks alongside the events once every changed resource is done, so the end costs no extra round trip', async () => {
    const { calls } = simulate(20.6, [
      { at: 1, logicalId: 'Queue', status: 'UPDATE_IN_PROGRESS' },
      { at: 20, logicalId: 'Queue', status: 'UPDATE_COMPLETE' },
    ]);
    const { value } = await follow(['Queue']);
    expect(value?.stack.StackStatus).toBe('UPDATE_COMPLETE');
    expect(value?.events.at(-1)).toMatchObject({ logicalId: 'app', status: 'UPDATE_COMPLETE' });
    // Before the queue is done: events alone (and the first round's pair). After: a pair every quarter second.
    const stacks = calls.filter((c) => c.op === 'stacks').map((c) => c.at / 1000);
    expect(stacks.filter((t) => t > 0 && t < 20)).toEqual([]);
    expect(stacks.filter((t) => t >= 20).length).toBeGreaterThanOrEqual(2);
    const last = calls.at(-1)?.at ?? 0;
    expect(last / 1000 - 20.6).toBeLessThanOrEqual(0.25);
    expect(
      calls
        .filter((c) => c.at === last)
        .map((c) => c.op)
        .sort(),
    ).toEqual(['events', 'stacks']);
  });

  it('notices the end within a second at any operation length, on one request a second plus a constant', async () => {
    for (const seconds of [5.4, 20.7, 63.2, 600.5, 1_800.9]) {
      cfn.reset();
      jest.setSystemTime(T0);
      // Resources that finish well before the end: no hint that the end is near.
      const { calls } = simulate(seconds, [
        { at: 1, logicalId: 'Queue', status: 'UPDATE_IN_PROGRESS' },
        { at: 2, logicalId: 'Queue', status: 'UPDATE_COMPLETE' },
      ]);
      const { value } = await follow(['Queue']);
      expect(value?.stack.StackStatus).toBe('UPDATE_COMPLETE');
      const noticed = (calls.at(-1)?.at ?? 0) / 1000;
      expect(noticed - seconds).toBeGreaterThanOrEqual(0);
      expect(noticed - seconds).toBeLessThanOrEqual(1);
      expect(calls.length).toBeLessThanOrEqual(seconds + FOLLOW_PACE.burst + 3);
    }
  }, 30_000);

  it('polls four times a second once every changed resource is done, so the end is seen within 0.25 s', async () => {
    const { calls } = simulate(30.6, [
      { at: 1, logicalId: 'Queue', status: 'UPDATE_IN_PROGRESS' },
      { at: 1, logicalId: 'Topic', status: 'UPDATE_IN_PROGRESS', type: 'AWS::SNS::Topic' },
      { at: 9, logicalId: 'Topic', status: 'UPDATE_COMPLETE', type: 'AWS::SNS::Topic' },
      { at: 29.7, logicalId: 'Queue', status: 'UPDATE_COMPLETE' },
    ]);
    await follow(['Queue', 'Topic']);
    const noticed = (calls.at(-1)?.at ?? 0) / 1000;
    expect(noticed - 30.6).toBeLessThanOrEqual(0.25);
    // Not before the queue was done: the topic alone does not make the end near.
    const fast = calls.filter((c, i) => i > 0 && c.at - (calls[i - 1]?.at ?? 0) === 250);
    expect(fast.every((c) => c.at > 29_700)).toBe(true);
  });

  it('slows down while AWS throttles the events, and still ends', async () => {
    const { calls } = simulate(40, []);
    let n = 0;
    cfn.on(DescribeStackEventsCommand).callsFake(() => {
      n++;
      calls.push({ op: 'events', at: Date.now() - T0 });
      if (n >= 3 && n <= 5) throw throttled();
      return { StackEvents: [] };
    });
    const { value, error } = await follow(['Queue']);
    expect(error).toBeUndefined();
    expect(value?.stack.StackStatus).toBe('UPDATE_COMPLETE');
    const times = calls.filter((c) => c.op === 'events').map((c) => c.at);
    const gaps = times.slice(1).map((t, i) => t - (times[i] ?? 0));
    expect(Math.max(...gaps)).toBeGreaterThanOrEqual(4_000);
  });

  it('follows the stack status alone when the events cannot be read', async () => {
    const { calls } = simulate(12.5, []);
    cfn.on(DescribeStackEventsCommand).rejects(
      Object.assign(new Error('not authorized to perform: cloudformation:DescribeStackEvents'), {
        name: 'AccessDenied',
      }),
    );
    const warnings: string[] = [];
    const { value } = await follow([], { ...silentLogger, warn: (m) => warnings.push(m) });
    expect(value?.stack.StackStatus).toBe('UPDATE_COMPLETE');
    expect(warnings.join('\n')).toMatch(/following the stack status only/);
    const noticed = (calls.at(-1)?.at ?? 0) / 1000;
    expect(noticed - 12.5).toBeLessThanOrEqual(1);
  });

  it('asks DescribeStacks now and then, so a missed event cannot make it wait forever', async () => {
    // The stack ends, but no event of its own ever says so.
    simulate(15, []);
    cfn.on(DescribeStackEventsCommand).resolves({ StackEvents: [] });
    const { value } = await follow([]);
    expect(value?.stack.StackStatus).toBe('UPDATE_COMPLETE');
    expect(Date.now() - T0).toBeLessThanOrEqual(15_000 + FOLLOW_PACE.authorityAfterSilenceMs + 1_000);
  });
});

describe('waiting for a change set', () => {
  function changeSetReadyAfter(seconds: number) {
    const calls: number[] = [];
    cfn.on(DescribeChangeSetCommand).callsFake(() => {
      calls.push(Date.now() - T0);
      const ready = Date.now() >= T0 + seconds * 1000;
      return {
        Status: ready ? 'CREATE_COMPLETE' : 'CREATE_IN_PROGRESS',
        ExecutionStatus: ready ? 'AVAILABLE' : 'UNAVAILABLE',
        Changes: [],
      };
    });
    return calls;
  }

  it('notices a change set within half a second while it is quick, within a second after, on T + 8 requests', async () => {
    for (const seconds of [2.7, 6.2, 45.3]) {
      cfn.reset();
      jest.setSystemTime(T0);
      const calls = changeSetReadyAfter(seconds);
      const pending = waitForChangeSet(client(), 'app', 'cs', { deadline: T0 + 3_600_000 });
      await jest.runAllTimersAsync();
      await expect(pending).resolves.toMatchObject({ kind: 'ready' });
      const late = (calls.at(-1) ?? 0) / 1000 - seconds;
      expect(late).toBeLessThanOrEqual(seconds < 8 ? 0.5 : 1);
      expect(calls.length).toBeLessThanOrEqual(seconds + 8 + 1);
    }
  });
});
