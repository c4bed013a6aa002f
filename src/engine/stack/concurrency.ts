// Another run may act on the same stack at the same time (two pushes, a re-run beside a run). ExecuteChangeSet is
// itself the atomic check — CloudFormation refuses a busy stack and a change set that is gone or stale — so it is
// sent at once (no read on the critical path); a refusal is explained by its cause, and a busy stack is waited for
// (within timeout-minutes), the change set checked again and executed then.
// AWS CloudFormation API Reference, ExecuteChangeSet: "CloudFormation deletes all other change sets associated
// with the stack because they aren't valid for the updated stack"; errors InvalidChangeSetStatus,
// InsufficientCapabilities, ChangeSetNotFound, TokenAlreadyExists; Stack.ChangeSetId (DescribeStacks).
import type { CloudFormationClient, Stack } from '@aws-sdk/client-cloudformation';
import { UserError, awsErrorName, errorMessage, transientKind } from '../../errors.js';
import type { Settings } from '../../config/settings.js';
import { executeChangeSet } from './change-set.js';
import { describeReviewed } from './verify.js';
import type { StackChangeContext } from './context.js';
import { currentOperation } from './events.js';
import { describeStack, isInProgress, waitForStack } from './states.js';

const nameOf = (id: string): string => id.split('/')[1] ?? id;

/** Executes the change set once the stack is free and the change set still executable; explains a refusal. */
export async function executeWhenReady(
  settings: Settings,
  ctx: StackChangeContext,
  changeSetId: string,
  stackId: string,
  token: string,
  type: 'CREATE' | 'UPDATE' = 'UPDATE',
): Promise<void> {
  const cfn = ctx.clients.cloudformation;
  for (let round = 1; ; round++) {
    if (round > 1) await readyToExecute(settings, ctx, changeSetId, stackId);
    if (ctx.ledger) ctx.ledger.executing = nameOf(changeSetId);
    try {
      await executeChangeSet(cfn, settings.stackName, changeSetId, token, type);
      return;
    } catch (error) {
      if (ctx.ledger) ctx.ledger.executing = undefined;
      const cause = await refusalCause(cfn, settings, changeSetId, stackId, error);
      if (cause === 'executed') {
        // An answer lost after AWS acted: the retry is refused, but the stack shows our execution.
        if (ctx.ledger) ctx.ledger.executing = nameOf(changeSetId);
        return;
      }
      // Another operation holds the stack: wait for it, check the change set again and retry (three times at most).
      if (cause === 'busy' && round < 4) continue;
      throw cause === 'busy' ? busyError(settings, changeSetId) : cause;
    }
  }
}

/** Waits out another operation on the stack, then checks that the change set can still be executed. */
async function readyToExecute(
  settings: Settings,
  ctx: StackChangeContext,
  changeSetId: string,
  stackId: string,
): Promise<void> {
  const cfn = ctx.clients.cloudformation;
  let stack = await describeStack(cfn, stackId || settings.stackName);
  if (stack && isInProgress(stack.StackStatus)) {
    const holder = await currentOperation(ctx.bestEffort.cloudformation, settings.stackName);
    ctx.logger.info(
      `Stack ${settings.stackName} is ${stack.StackStatus}${holder ? ` — ${holder}` : ''} (another run?); waiting for it before executing.`,
    );
    stack = await waitForStack(cfn, stackId || settings.stackName, ctx, 'another operation to finish');
  }
  const cs = await describeReviewed(cfn, settings, changeSetId);
  if (!cs) throw goneError(settings, changeSetId, stack);
  if (cs.ExecutionStatus !== 'AVAILABLE')
    throw staleError(settings, changeSetId, cs.ExecutionStatus, cs.StatusReason);
}

type Cause = 'busy' | 'executed' | UserError | unknown;

async function refusalCause(
  cfn: CloudFormationClient,
  settings: Settings,
  changeSetId: string,
  stackId: string,
  error: unknown,
): Promise<Cause> {
  if (transientKind(error)) return error;
  const name = awsErrorName(error);
  const message = errorMessage(error);
  if (name === 'OperationInProgressException' || /_IN_PROGRESS state|can ?not be updated/i.test(message))
    return 'busy';
  if (name === 'InsufficientCapabilitiesException' || /capabilit/i.test(message)) {
    return new UserError(
      `CloudFormation refused to execute change set ${nameOf(changeSetId)}: it needs a capability this run did not grant (${message}).`,
      "Add the capability it names to 'capabilities' and plan again; nothing was changed.",
    );
  }
  if (/AccessDenied|UnauthorizedOperation/.test(name) || /not authorized/i.test(message)) {
    return new UserError(
      `The role may not execute change set ${nameOf(changeSetId)} of ${settings.stackName}: ${message}`,
      'Grant cloudformation:ExecuteChangeSet on this stack (and iam:PassRole of execution-role-arn); see the policy `permissions: verify` prints. Nothing was changed.',
    );
  }
  // Gone or no longer executable: read the stack to tell "ours ran (lost answer)" from "another run's ran".
  const stack = await describeStack(cfn, stackId || settings.stackName).catch(() => undefined);
  if (stack?.ChangeSetId && stack.ChangeSetId === changeSetId) return 'executed';
  const cs = await describeReviewed(cfn, settings, changeSetId).catch(() => undefined);
  if (!cs) return goneError(settings, changeSetId, stack);
  if (/^EXECUTE_(IN_PROGRESS|COMPLETE)$/.test(cs.ExecutionStatus ?? '')) return 'executed';
  if (cs.ExecutionStatus !== 'AVAILABLE' || name === 'InvalidChangeSetStatusException')
    return staleError(settings, changeSetId, cs.ExecutionStatus, cs.StatusReason);
  return new UserError(
    `CloudFormation refused to execute change set ${nameOf(changeSetId)} of ${settings.stackName}: ${message}`,
    'The stack was not changed; fix the cause above and deploy again.',
  );
}

/** Explains a change set that vanished while this run waited for it (another run executed one of the stack). */
export async function changeSetGone(
  cfn: CloudFormationClient,
  settings: Settings,
  changeSetId: string,
  stackId: string,
): Promise<UserError> {
  return goneError(
    settings,
    changeSetId,
    await describeStack(cfn, stackId || settings.stackName).catch(() => undefined),
  );
}

/** Our change set is gone: executing another one removes every other change set of the stack. */
function goneError(settings: Settings, changeSetId: string, stack: Stack | undefined): UserError {
  const other =
    stack?.ChangeSetId && stack.ChangeSetId !== changeSetId ? nameOf(stack.ChangeSetId) : undefined;
  return new UserError(
    other
      ? `Another run executed change set ${other} on stack ${settings.stackName}; change set ${nameOf(changeSetId)} was deleted with it. Plan again.`
      : `Change set ${nameOf(changeSetId)} of stack ${settings.stackName} no longer exists: another run executed or deleted a change set of this stack. Plan again.`,
    'Nothing of this run was executed. Run the plan or deploy again: it starts from the stack as it is now.',
  );
}

function staleError(settings: Settings, changeSetId: string, status?: string, reason?: string): UserError {
  return new UserError(
    `Change set ${nameOf(changeSetId)} of stack ${settings.stackName} can no longer be executed (${status ?? 'unknown'}${reason ? `: ${reason}` : ''}): the stack changed since it was made. Plan again.`,
    'Nothing of this run was executed; another operation on the stack made this change set stale.',
  );
}

function busyError(settings: Settings, changeSetId: string): UserError {
  return new UserError(
    `Stack ${settings.stackName} stayed busy with other operations; change set ${nameOf(changeSetId)} was not executed.`,
    'Another run keeps changing this stack: let it finish (or cancel it) and deploy again.',
  );
}
