// The way out of a cancelled run (the runner sends SIGINT, then SIGTERM about 7.5 s later): remove the change
// set this run made and did not execute (and the empty stack it made), with clients that the cancellation does
// not stop, then say what is true about the stack.
import { DescribeChangeSetCommand, type CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CancelledError, awsErrorName, errorMessage, isChangeSetNotFound } from '../../errors.js';
import type { Settings } from '../../config/settings.js';
import { deleteReviewStack } from './cleanup.js';
import { deleteChangeSet } from './change-set.js';
import type { RunLedger, StackChangeContext } from './context.js';

export async function cancelledRun(
  settings: Settings,
  ctx: StackChangeContext,
  ledger: RunLedger,
): Promise<CancelledError> {
  const reason: unknown = ctx.signal?.reason;
  const signal = reason instanceof CancelledError ? reason.signal : 'cancel';
  if (ledger.executing) {
    return new CancelledError(
      signal,
      `Cancelled (${signal}) while CloudFormation applies change set ${ledger.executing}: it carries on; the next run waits for it.`,
      `Follow stack ${settings.stackName} in the CloudFormation console; nothing else was left behind.`,
    );
  }
  const made = ledger.changeSet;
  if (!made || made.settled) return new CancelledError(signal);
  const cfn = (ctx.cleanup?.() ?? ctx.clients).cloudformation;
  const leftovers: string[] = [];
  try {
    await removeChangeSet(cfn, settings.stackName, made.id ?? made.name);
  } catch (error) {
    leftovers.push(`change set ${made.name} (${errorMessage(error)})`);
  }
  if (made.madeStack) {
    try {
      await deleteReviewStack(cfn, settings, { changeSetId: made.id ?? made.name, stackId: '' }, ctx.logger);
    } catch (error) {
      leftovers.push(`the empty stack ${settings.stackName} in REVIEW_IN_PROGRESS (${errorMessage(error)})`);
    }
  }
  if (leftovers.length === 0) {
    ctx.logger.info(`Deleted change set ${made.name}, which this run had made and not executed.`);
    return new CancelledError(signal);
  }
  return new CancelledError(
    signal,
    `Cancelled (${signal}) before any change, but could not remove ${leftovers.join(' and ')}.`,
    `Delete it: aws cloudformation delete-change-set --stack-name ${settings.stackName} --change-set-name ${made.name}` +
      (made.madeStack
        ? `; and the empty stack: aws cloudformation delete-stack --stack-name ${settings.stackName}`
        : ''),
  );
}

/**
 * Deletes a change set that may or may not exist (a CreateChangeSet aborted in flight may still have made it):
 * gone is success, whichever way the endpoint says it (some answer a missing one with HTTP 500).
 */
async function removeChangeSet(cfn: CloudFormationClient, stackName: string, id: string): Promise<void> {
  try {
    await deleteChangeSet(cfn, stackName, id);
  } catch (error) {
    if (!(await exists(cfn, stackName, id))) return;
    throw error;
  }
  // A create that was in flight when the signal came can land after the delete: look once more.
  if (await exists(cfn, stackName, id)) await deleteChangeSet(cfn, stackName, id);
}

async function exists(cfn: CloudFormationClient, stackName: string, id: string): Promise<boolean> {
  try {
    await cfn.send(new DescribeChangeSetCommand({ StackName: stackName, ChangeSetName: id }));
    return true;
  } catch (error) {
    if (isChangeSetNotFound(error)) return false;
    if (awsErrorName(error) === 'ValidationError' && /does not exist/.test(errorMessage(error))) return false;
    throw error;
  }
}
