import {
  DeleteStackCommand,
  ListChangeSetsCommand,
  type CloudFormationClient,
} from '@aws-sdk/client-cloudformation';
import { errorMessage } from '../../errors.js';
import type { Logger } from '../../logger.js';
import type { Settings } from '../../config/settings.js';
import { deleteChangeSet } from './change-set.js';
import { isPullRequestRun } from './names.js';
import { describeStack } from './states.js';

/** Cleanup that must not hide the error being reported. */
export async function bestEffort(fn: () => Promise<void>, logger: Logger): Promise<void> {
  try {
    await fn();
  } catch (error) {
    logger.warn(`Cleanup failed: ${errorMessage(error)}`);
  }
}

/** What this run made: its change set, and whether its CREATE change set made the stack (none existed before). */
export interface Made {
  changeSetId: string;
  stackId: string;
  madeStack: boolean;
}

/** Deletes only what this run made: its change set, and the empty stack its CREATE change set made. */
export async function cleanUp(
  cfn: CloudFormationClient,
  settings: Settings,
  made: Made,
  logger: Logger,
): Promise<void> {
  await deleteChangeSet(cfn, settings.stackName, made.changeSetId);
  if (made.madeStack) await deleteReviewStack(cfn, settings, made, logger);
}

/**
 * Deletes the REVIEW_IN_PROGRESS stack this run's CREATE change set made, by its ID (never a namesake made since),
 * and only while no other change set is on it: another run's kept change set lives there too.
 */
export async function deleteReviewStack(
  cfn: CloudFormationClient,
  settings: Settings,
  made: Pick<Made, 'changeSetId' | 'stackId'>,
  logger: Logger,
): Promise<void> {
  const stack = await describeStack(cfn, made.stackId || settings.stackName);
  if (stack?.StackStatus !== 'REVIEW_IN_PROGRESS' || !stack.StackId) return;
  if (isPullRequestRun(settings.provenance)) {
    logger.info(
      `Left the empty stack ${settings.stackName} (REVIEW_IN_PROGRESS, no resources): the pull-request plan role may not delete stacks.`,
    );
    return;
  }
  const listed = await cfn.send(new ListChangeSetsCommand({ StackName: stack.StackId }));
  // (Filtered by stack as well: some endpoints list every stack's change sets.)
  const others = (listed.Summaries ?? []).filter(
    (s) => s.ChangeSetId !== made.changeSetId && (!s.StackId || s.StackId === stack.StackId),
  );
  if (others.length > 0) {
    logger.info(
      `Kept the stack ${settings.stackName} (REVIEW_IN_PROGRESS): it holds other change sets (${others.map((s) => s.ChangeSetName).join(', ')}).`,
    );
    return;
  }
  await cfn.send(new DeleteStackCommand({ StackName: stack.StackId }));
  logger.info(
    `Deleted the empty stack ${settings.stackName} (REVIEW_IN_PROGRESS) that this run's change set had created.`,
  );
}
