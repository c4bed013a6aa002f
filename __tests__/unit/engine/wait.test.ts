import { jest } from '@jest/globals';
import { DeadlineError, backoffDelay, poll, sleep } from '../../../src/engine/wait.js';

beforeEach(() => jest.useFakeTimers({ now: 0 }));
afterEach(() => jest.useRealTimers());

describe('poll', () => {
  it('checks at once, then backs off from the first delay to the maximum', async () => {
    const times: number[] = [];
    let calls = 0;
    const pending = poll(
      async () => {
        times.push(Date.now());
        return ++calls === 8 ? 'done' : undefined;
      },
      { what: 'x', deadline: 600_000, initialMs: 1_000, maxMs: 5_000 },
    );
    await jest.runAllTimersAsync();
    await expect(pending).resolves.toBe('done');
    const gaps = times.slice(1).map((t, i) => t - (times[i] ?? 0));
    expect(times[0]).toBe(0);
    expect(gaps).toEqual([1_500, 2_250, 3_375, 5_000, 5_000, 5_000, 5_000]);
  });

  it('slows down on throttling instead of failing', async () => {
    let calls = 0;
    const pending = poll(
      async () => {
        calls++;
        if (calls <= 2) throw Object.assign(new Error('Rate exceeded'), { name: 'Throttling' });
        return 'ok';
      },
      { what: 'x', deadline: 600_000, initialMs: 1_000 },
    );
    await jest.runAllTimersAsync();
    await expect(pending).resolves.toBe('ok');
    expect(Date.now()).toBe(2_000 + 4_000);
  });

  it('fails at once on other errors', async () => {
    const pending = poll(
      async () => {
        throw Object.assign(new Error('Access denied'), { name: 'AccessDenied' });
      },
      { what: 'x', deadline: 600_000 },
    );
    await expect(pending).rejects.toThrow('Access denied');
  });

  it('stops at the deadline, saying what it waited for and what it saw last', async () => {
    const pending = poll(async () => undefined, {
      what: 'stack app to finish',
      deadline: 10_000,
      describe: () => 'UPDATE_IN_PROGRESS',
    });
    const outcome = pending.catch((e: unknown) => e);
    await jest.runAllTimersAsync();
    const error = await outcome;
    expect(error).toBeInstanceOf(DeadlineError);
    expect((error as Error).message).toBe(
      'Timed out waiting for stack app to finish; last seen: UPDATE_IN_PROGRESS.',
    );
    expect(Date.now()).toBeLessThanOrEqual(10_000);
  });

  it('stops when the signal aborts, with its reason', async () => {
    const controller = new AbortController();
    const pending = poll(async () => undefined, { what: 'x', deadline: 600_000, signal: controller.signal });
    const outcome = pending.catch((e: unknown) => e);
    await jest.advanceTimersByTimeAsync(1_500);
    controller.abort(new Error('cancelled'));
    expect(await outcome).toEqual(new Error('cancelled'));
  });
});

describe('backoffDelay', () => {
  it('stays within half and all of the capped step', () => {
    expect(backoffDelay(1, { initialMs: 500, maxMs: 5_000 }, () => 0)).toBe(250);
    expect(backoffDelay(1, { initialMs: 500, maxMs: 5_000 }, () => 1)).toBe(500);
    expect(backoffDelay(10, { initialMs: 500, maxMs: 5_000 }, () => 1)).toBe(5_000);
  });

  it('sleep rejects at once for an aborted signal', async () => {
    await expect(sleep(1_000, AbortSignal.abort(new Error('gone')))).rejects.toThrow('gone');
  });
});
