import { isThrottling } from '../errors.js';
import { DeadlineError, sleep } from './wait.js';

/**
 * The request budget of one wait: a token bucket that refills at `perSecond` and holds at most `burst`, so a
 * wait of T seconds sends at most `perSecond`·T + `burst` requests however it is paced. Fast phases (a change
 * set's first seconds, a stack whose resources are all done) spend the burst; when it is gone, polling falls
 * back to the refill rate by itself.
 */
export class RequestBudget {
  private tokens: number;
  private at: number;

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = burst;
    this.at = now();
  }

  /** Records `n` requests sent (the balance may go negative: the next ones wait longer). */
  spend(n = 1): void {
    this.refill();
    this.tokens -= n;
  }

  /** True when `n` more requests now stay within the burst. */
  allows(n: number): boolean {
    this.refill();
    return this.tokens >= n;
  }

  /** ms until one more request is within budget. */
  waitMs(): number {
    this.refill();
    return this.tokens >= 1 ? 0 : ((1 - this.tokens) / this.perSecond) * 1000;
  }

  /** No burst while AWS throttles. */
  drain(): void {
    this.refill();
    this.tokens = Math.min(this.tokens, 0);
  }

  private refill(): void {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.at) / 1000) * this.perSecond);
    this.at = t;
  }
}

export interface PacedPollOptions {
  /** What is being waited for, for the deadline message. */
  what: string;
  /** Absolute time (ms since epoch) after which polling stops with a DeadlineError. */
  deadline: number;
  signal?: AbortSignal;
  budget: RequestBudget;
  /** The wanted time between the starts of two checks (steady: it does not grow with the wait's length). */
  intervalMs: () => number;
  /** Slowest pace when AWS keeps throttling. Default 16 s. */
  maxIntervalMs?: number;
  now?: () => number;
  /** Describes the last state seen, for the deadline message. */
  describe?: () => string;
}

/** What one check learnt: done (a value), or not yet, and whether AWS had to be asked again (throttling). */
export interface CheckResult<T> {
  value?: T;
  /** The SDK retried a request of this check (throttling or a server error): slow down. */
  retried?: boolean;
}

/**
 * Calls `check` at a steady pace until it returns a value. Each check starts `intervalMs()` after the previous
 * one started (so the time a check takes does not add to the interval), within the request budget. Only
 * throttling slows it down: each throttled check doubles the interval (up to `maxIntervalMs`), each clean one
 * halves the slow-down again.
 */
export async function pacedPoll<T>(
  check: () => Promise<CheckResult<T>>,
  options: PacedPollOptions,
): Promise<T> {
  const now = options.now ?? Date.now;
  const max = options.maxIntervalMs ?? 16_000;
  let slowdown = 1;
  for (;;) {
    const started = now();
    let throttled = false;
    try {
      const result = await check();
      if (result.value !== undefined) return result.value;
      throttled = result.retried === true;
    } catch (error) {
      if (!isThrottling(error)) throw error;
      throttled = true;
    }
    if (throttled) {
      slowdown = Math.min(slowdown * 2, max / Math.max(1, options.intervalMs()));
      options.budget.drain();
    } else {
      slowdown = Math.max(1, slowdown / 2);
    }
    const interval = Math.min(max, options.intervalMs() * slowdown);
    const delay = Math.max(started + interval - now(), options.budget.waitMs(), 0);
    if (now() + delay > options.deadline) {
      const state = options.describe ? `; last seen: ${options.describe()}` : '';
      throw new DeadlineError(`Timed out waiting for ${options.what}${state}.`);
    }
    await sleep(delay, options.signal);
  }
}

/** True when the SDK needed more than one attempt for an answer. */
export function wasRetried(output: { $metadata?: { attempts?: number } }): boolean {
  return (output.$metadata?.attempts ?? 1) > 1;
}
