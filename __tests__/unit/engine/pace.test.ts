import { jest } from '@jest/globals';
import { RequestBudget, pacedPoll } from '../../../src/engine/pace.js';
import { DeadlineError } from '../../../src/engine/wait.js';

beforeEach(() => jest.useFakeTimers({ now: 0 }));
afterEach(() => jest.useRealTimers());

const throttled = () => Object.assign(new Error('Rate exceeded'), { name: 'Throttling' });

/** Polls until `doneAt` (ms), recording when each check started; each check spends one request. */
async function pollUntil(
  doneAt: number,
  options: { intervalMs: number; burst?: number; fail?: (n: number) => Error | undefined },
) {
  const budget = new RequestBudget(1, options.burst ?? 8);
  const times: number[] = [];
  const pending = pacedPoll(
    async () => {
      budget.spend();
      times.push(Date.now());
      const error = options.fail?.(times.length);
      if (error) throw error;
      return { value: Date.now() >= doneAt ? Date.now() : undefined };
    },
    { what: 'x', deadline: 10 * 3_600_000, budget, intervalMs: () => options.intervalMs },
  );
  await jest.runAllTimersAsync();
  return { noticedAt: await pending, times };
}

describe('pacedPoll', () => {
  it('keeps a steady interval however long the wait: the end is noticed within one interval', async () => {
    for (const doneAt of [3_300, 60_700, 1_800_900]) {
      jest.setSystemTime(0);
      const { noticedAt, times } = await pollUntil(doneAt, { intervalMs: 1_000 });
      expect(noticedAt - doneAt).toBeLessThanOrEqual(1_000);
      const gaps = times.slice(1).map((t, i) => t - (times[i] ?? 0));
      expect(new Set(gaps)).toEqual(new Set([1_000]));
    }
  });

  it('counts the interval from the start of a check, so a slow answer does not stretch it', async () => {
    const budget = new RequestBudget(1, 8);
    const times: number[] = [];
    const pending = pacedPoll(
      async () => {
        budget.spend();
        times.push(Date.now());
        await new Promise((r) => setTimeout(r, 300));
        return { value: times.length === 4 ? 'done' : undefined };
      },
      { what: 'x', deadline: 600_000, budget, intervalMs: () => 1_000 },
    );
    await jest.runAllTimersAsync();
    await pending;
    expect(times).toEqual([0, 1_000, 2_000, 3_000]);
  });

  it('sends at most one request a second plus the burst, at any pace and length', async () => {
    for (const [intervalMs, doneAt] of [
      [250, 5_000],
      [250, 120_000],
      [500, 30_000],
      [100, 3_600_000],
    ] as const) {
      jest.setSystemTime(0);
      const { times } = await pollUntil(doneAt, { intervalMs, burst: 8 });
      expect(times.length).toBeLessThanOrEqual(doneAt / 1_000 + 8 + 1);
    }
  });

  it('spends the burst first: half-second checks for the first seconds, then one a second', async () => {
    const { times } = await pollUntil(30_000, { intervalMs: 500, burst: 8 });
    const early = times.filter((t) => t < 8_000).length;
    const late = times.filter((t) => t >= 20_000 && t < 30_000).length;
    expect(early).toBeGreaterThanOrEqual(14);
    expect(late).toBe(10);
  });

  it('slows down only on throttling (doubling), and comes back to the steady pace afterwards', async () => {
    const { times } = await pollUntil(40_000, {
      intervalMs: 1_000,
      fail: (n) => (n >= 2 && n <= 4 ? throttled() : undefined),
    });
    const gaps = times.slice(1).map((t, i) => t - (times[i] ?? 0));
    // checks 2, 3, 4 are throttled: the waits after them double (2 s, 4 s, 8 s), then halve back to 1 s.
    expect(gaps.slice(0, 7)).toEqual([1_000, 2_000, 4_000, 8_000, 4_000, 2_000, 1_000]);
    expect(gaps.slice(7).every((g) => g === 1_000)).toBe(true);
  });

  it('slows down when the SDK had to retry a request (throttled, then answered)', async () => {
    const budget = new RequestBudget(1, 8);
    const times: number[] = [];
    const pending = pacedPoll(
      async () => {
        budget.spend();
        times.push(Date.now());
        return { value: times.length === 3 ? 'done' : undefined, retried: times.length === 1 };
      },
      { what: 'x', deadline: 600_000, budget, intervalMs: () => 1_000 },
    );
    await jest.runAllTimersAsync();
    await pending;
    expect(times).toEqual([0, 2_000, 3_000]);
  });

  it('never slows past the maximum interval however long AWS throttles', async () => {
    const { times } = await pollUntil(200_000, {
      intervalMs: 1_000,
      fail: (n) => (n < 15 ? throttled() : undefined),
    });
    const gaps = times.slice(1).map((t, i) => t - (times[i] ?? 0));
    expect(Math.max(...gaps)).toBe(16_000);
  });

  it('fails at once on other errors, and stops at the deadline saying what it saw last', async () => {
    const budget = new RequestBudget(1, 8);
    await expect(
      pacedPoll(
        async () => {
          throw Object.assign(new Error('Access denied'), { name: 'AccessDenied' });
        },
        { what: 'x', deadline: 600_000, budget, intervalMs: () => 1_000 },
      ),
    ).rejects.toThrow('Access denied');

    const pending = pacedPoll(async () => ({}), {
      what: 'stack app to finish',
      deadline: 10_000,
      budget,
      intervalMs: () => 1_000,
      describe: () => 'UPDATE_IN_PROGRESS',
    });
    const outcome = pending.catch((e: unknown) => e);
    await jest.runAllTimersAsync();
    const error = await outcome;
    expect(error).toBeInstanceOf(DeadlineError);
    expect((error as Error).message).toBe(
      'Timed out waiting for stack app to finish; last seen: UPDATE_IN_PROGRESS.',
    );
  });
});

describe('RequestBudget', () => {
  it('holds at most the burst, refills at its rate, and lets a drained bucket wait', () => {
    const budget = new RequestBudget(1, 3);
    budget.spend(3);
    expect(budget.waitMs()).toBe(1_000);
    jest.setSystemTime(10_000);
    budget.spend(3);
    expect(budget.waitMs()).toBe(1_000);
    jest.setSystemTime(10_500);
    budget.drain();
    expect(budget.waitMs()).toBe(1_000);
  });
});
