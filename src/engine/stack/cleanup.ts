import { DeleteStackCommand, type CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { errorMessage } from '../../errors.js';
import type { Logger } from '../../logger.js';
import type { Settings } from '../../config/settings.js';
import { deleteChangeSet } from './change-set.js';
import { describeStack } from './states.js';

/** Cleanup that must not hide the error being reported. */
export async function bestEffort(fn: () => Promise<void>, logger: Logger): Promise<void> {
  try {
    await fn();
  } catch (error) {
    logger.warn(`Cleanup failed: ${errorMessage(error)}`);
  }
}

/** Deletes a change set this run made, and the empty REVIEW_IN_PROGRESS stack a CREATE change set leaves. */
export async function cleanUp(
  cfn: CloudFormationClient,
  settings: Settings,
  id: string,
  created: boolean,
  logger: Logger,
): Promise<void> {
  await deleteChangeSet(cfn, settings.stackName, id);
  if (created) await deleteReviewStack(cfn, settings.stackName, logger);
}

export async function deleteReviewStack(
  cfn: CloudFormationClient,
  name: string,
  logger: Logger,
): Promise<void> {
  const stack = await describeStack(cfn, name);
  if (stack?.StackStatus !== 'REVIEW_IN_PROGRESS') return;
  await cfn.send(new DeleteStackCommand({ StackName: stack.StackId ?? name }));
  logger.info(`Deleted the empty stack ${name} (REVIEW_IN_PROGRESS) that the change set had created.`);
}
