import { isThrottling } from '../errors.js';

export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  factor?: number;
}

/** Exponential backoff with "equal jitter": never less than half the step, so waits stay predictable. */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions,
  random: () => number = Math.random,
): number {
  const step = Math.min(options.maxMs, options.initialMs * (options.factor ?? 2) ** Math.max(0, attempt - 1));
  return step / 2 + (random() * step) / 2;
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export class DeadlineError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DeadlineError';
  }
}

export interface PollOptions {
  /** What is being waited for, for the deadline message. */
  what: string;
  /** Absolute time (ms since epoch) after which polling stops with a DeadlineError. */
  deadline: number;
  signal?: AbortSignal;
  /** First delay; grows by 1.5× to `maxMs`. Defaults: 1 s → 5 s. */
  initialMs?: number;
  maxMs?: number;
  now?: () => number;
  /** Describes the last state seen, for the deadline message (the caller keeps that state). */
  describe?: () => string;
}

/**
 * Calls `check` until it returns a value other than undefined. Starts fast (the common case on a
 * small stack is a few seconds) and backs off; throttling doubles the delay instead of failing.
 */
export async function poll<T>(check: () => Promise<T | undefined>, options: PollOptions): Promise<T> {
  const now = options.now ?? Date.now;
  let delay = options.initialMs ?? 1_000;
  const max = options.maxMs ?? 5_000;
  for (let round = 0; round < 100_000; round++) {
    try {
      const result = await check();
      if (result !== undefined) return result;
      delay = Math.min(max, delay * 1.5);
    } catch (error) {
      if (!isThrottling(error)) throw error;
      delay = Math.min(max * 4, delay * 2);
    }
    if (now() + delay > options.deadline) {
      const state = options.describe ? `; last seen: ${options.describe()}` : '';
      throw new DeadlineError(`Timed out waiting for ${options.what}${state}.`);
    }
    await sleep(delay, options.signal);
  }
  throw new DeadlineError(`Gave up waiting for ${options.what}.`);
}
