import { UserError } from './errors.js';

/**
 * An AbortSignal that fires when the job is cancelled (the runner sends SIGINT, then SIGTERM) or Ctrl-C is
 * pressed. Waiting stops and the run still reports; what CloudFormation already started carries on in AWS.
 */
export function cancellationSignal(): AbortSignal {
  const controller = new AbortController();
  const cancel = (signal: string): void =>
    controller.abort(
      new UserError(
        `Cancelled (${signal}) while waiting; CloudFormation carries on with any stack operation already started.`,
        'Check the stack before the next run; the next run waits for an operation in progress to finish.',
      ),
    );
  process.once('SIGINT', () => cancel('SIGINT'));
  process.once('SIGTERM', () => cancel('SIGTERM'));
  return controller.signal;
}
