import type { AwsClients } from '../../aws/clients.js';
import type { Logger } from '../../logger.js';
import type { DeployReport } from '../../report/model.js';

/** The part of the DeployReport this phase fills in. */
export type StackChangeResult = Pick<
  DeployReport,
  | 'result'
  | 'stackId'
  | 'stackStatus'
  | 'changeSet'
  | 'changes'
  | 'otherChanges'
  | 'destructive'
  | 'outputs'
  | 'previousParameters'
  | 'events'
  | 'rootCause'
  | 'failure'
> & { notes: string[] };

export interface StackChangeContext {
  clients: AwsClients;
  /** Single-attempt clients for calls whose failure only earns a warning (no retry storm on an unsupported call). */
  bestEffort: AwsClients;
  logger: Logger;
  /** The account the run's credentials are in (a change set to execute must be in it). */
  accountId?: string;
  /** Absolute deadline for every wait (from `timeout-minutes`). */
  deadline: number;
  signal?: AbortSignal;
  now?: () => Date;
}
