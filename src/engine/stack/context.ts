import type { Change, Stack } from '@aws-sdk/client-cloudformation';
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
  /** Clients not bound to the cancellation (with their own short time limit): the clean-up after a cancel. */
  cleanup?: () => AwsClients;
  /** What this run has made so far; filled in as it goes (read when the run is cancelled). */
  ledger?: RunLedger;
  now?: () => Date;
  /** Checks running alongside (permissions, ECR): nothing is executed or kept until they pass. */
  checks?: Promise<unknown>;
  /** A check that runs alongside the change set (drift detection), told the stack and asked before executing. */
  guard?: StackGuard;
  /** The stack as read alongside the identity check (DescribeStacks); absent, the lifecycle reads it itself. */
  stackRead?: Promise<Stack | undefined>;
}

/** What this run made in AWS, so a cancelled run removes exactly that and says what is true. */
export interface RunLedger {
  /** The change set, recorded before CreateChangeSet is sent (a request in flight may still have made it). */
  changeSet?: {
    name: string;
    id?: string;
    /** The stack did not exist before: a CREATE change set makes an empty REVIEW_IN_PROGRESS stack. */
    madeStack: boolean;
    /** Kept for review (plan with keep-change-set), or already deleted: not to be removed on the way out. */
    settled?: boolean;
  };
  /** The change set whose ExecuteChangeSet was sent: CloudFormation carries on with it whatever happens here. */
  executing?: string;
}

/**
 * What the stack lifecycle tells a companion check and asks it. The check's own work overlaps the change set's
 * creation; the lifecycle waits for it only at `beforeExecute`.
 */
export interface StackGuard {
  /** Sent with CreateChangeSet for an UPDATE (REVERT_DRIFT: the change set restores drifted values). */
  deploymentMode?: 'REVERT_DRIFT';
  /** The existing stack, settled, just before its change set is created (not called for a new stack). */
  started(stack: Stack): void;
  /** The change set's changes as CloudFormation described them. */
  described(changes: Change[]): void;
  /** Awaited just before ExecuteChangeSet: a refusal executes nothing. */
  beforeExecute(): Promise<{ message: string; hint: string } | undefined>;
}
