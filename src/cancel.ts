import { CancelledError } from './errors.js';

/**
 * An AbortSignal that fires when the job is cancelled (the runner sends SIGINT, then SIGTERM about 7.5 s later)
 * or Ctrl-C is pressed. No write is sent after it and requests in flight are aborted; the engine removes what this
 * run made and not executed, and says what is true. Later signals are caught too, so the clean-up and the summary
 * are not cut short by the runner's second signal.
 */
export function cancellationSignal(): AbortSignal {
  const controller = new AbortController();
  const cancel = (signal: string): void => {
    if (!controller.signal.aborted) controller.abort(new CancelledError(signal));
  };
  process.on('SIGINT', () => cancel('SIGINT'));
  process.on('SIGTERM', () => cancel('SIGTERM'));
  return controller.signal;
}
