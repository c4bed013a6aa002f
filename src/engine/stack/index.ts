import { DeleteStackCommand, type CloudFormationClient, type Stack } from '@aws-sdk/client-cloudformation';
import { UserError, awsErrorName, errorMessage, isChangeSetNotFound } from '../../errors.js';
import type { DeployReport } from '../../report/model.js';
import type { Settings } from '../../config/settings.js';
import { changeSetName, createChangeSet, isNoChanges, waitForChangeSet } from './change-set.js';
import { bestEffort, cleanUp, deleteReviewStack, type Made } from './cleanup.js';
import { passChecks } from './checks.js';
import { ensureTerminationProtection, executeAndFollow } from './execute.js';
import { fingerprint } from './fingerprint.js';
import {
  describeStack,
  failedResources,
  nextStep,
  recoveryFor,
  waitForStack,
  type StackStep,
} from './states.js';
import { currentOperation } from './events.js';
import { isUnchanged, noOpBlocker, stackTags } from './no-op.js';
import { planRecreate } from './recreate.js';
import { describeChanges } from './describe.js';
import { base, guard } from './result.js';
import { formatValidation, validationErrors } from './validation.js';
import { executeReviewed } from './reviewed.js';
import { changeSetGone } from './concurrency.js';

import type { RunLedger, StackChangeContext, StackChangeResult } from './context.js';
import { cancelledRun } from './cancel.js';
import { checkAllowList } from './allow-list.js';

export type { StackChangeContext, StackChangeResult, StackGuard } from './context.js';
export { CHANGE_SET_PREFIX, changeSetName, isPullRequestRun } from './names.js';
export { describeStack } from './states.js';

/**
 * The change-set lifecycle for one stack: settle the stack's state → (fast no-op) → create → wait →
 * describe → classify → guard → execute → follow events → outputs. `execute` mode starts at the guard
 * with a change set made earlier.
 */
export async function runStackChange(
  settings: Settings,
  context: StackChangeContext,
): Promise<StackChangeResult> {
  const ledger: RunLedger = {};
  const ctx = { ...context, ledger };
  try {
    return await changeStack(settings, ctx);
  } catch (error) {
    // Cancelled: remove what this run made and did not execute, and say what is true about the stack.
    if (ctx.signal?.aborted) throw await cancelledRun(settings, ctx, ledger);
    throw error;
  }
}

async function changeStack(
  settings: Settings,
  ctx: StackChangeContext & { ledger: RunLedger },
): Promise<StackChangeResult> {
  const cfn = ctx.clients.cloudformation;
  const hash = fingerprint(settings);
  const notes: string[] = [];
  const stack = await settleStack(cfn, settings, ctx, notes);
  const step = nextStep(stack);
  await checkAllowList(cfn, settings, stack);

  if (step.kind === 'update') ctx.guard?.started(step.stack);

  if (settings.mode === 'execute') return executeReviewed(settings, ctx, stack, hash, notes);
  if (step.kind === 'recreate') return planRecreate(settings, ctx, stack, notes);

  // A REVERT_DRIFT change set changes drifted resources even when the template is unchanged.
  const blocker =
    noOpBlocker(settings.template) ??
    (ctx.guard?.deploymentMode === 'REVERT_DRIFT'
      ? 'drift: revert makes the change set restore drifted values'
      : undefined);
  if (blocker && step.kind === 'update')
    ctx.logger.info(`Making a change set even if the template is unchanged: ${blocker}.`);
  if (step.kind === 'update' && !blocker && (await isUnchanged(cfn, settings, step.stack, hash))) {
    ctx.logger.info("The deployed template, parameters and tags equal this run's: nothing to change.");
    notes.push('Recognised as unchanged without creating a change set.');
    await unchangedStack(settings, ctx, step.stack, notes);
    return { ...base(step.stack, notes), result: 'no-changes' };
  }

  const type = step.kind === 'update' ? 'UPDATE' : 'CREATE';
  if (type === 'CREATE') requireParameterValues(settings);
  const name = settings.changeSetName ?? changeSetName(settings, ctx.now?.() ?? new Date());
  ctx.logger.info(`Creating ${type} change set ${name} for stack ${settings.stackName}.`);
  // Recorded before the request: one in flight when the run is cancelled may still make it.
  ctx.ledger.changeSet = { name, madeStack: step.kind === 'create' };
  const created = await createOrNoChanges(
    ctx,
    settings,
    {
      type,
      name,
      fingerprint: hash,
      current: step.kind === 'update' ? step.stack : undefined,
      tags: stackTags(settings, hash),
      deploymentMode: type === 'UPDATE' ? ctx.guard?.deploymentMode : undefined,
    },
    step.kind === 'create',
  );
  if (created === 'no-changes') {
    await unchangedStack(settings, ctx, stack, notes);
    return { ...base(stack, notes), result: 'no-changes' };
  }
  ctx.ledger.changeSet.id = created.id;
  // Only a stack that did not exist before this request is this run's to delete again.
  const made: Made = { changeSetId: created.id, stackId: created.stackId, madeStack: step.kind === 'create' };

  const outcome = await waitForChangeSet(cfn, settings.stackName, created.id, ctx).catch(async (error) => {
    // Executing another change set of the stack deletes this one, even while it is still being created.
    throw isChangeSetNotFound(error)
      ? await changeSetGone(cfn, settings, created.id, created.stackId)
      : error;
  });
  const changeSet = { name, id: created.id, type, kept: false } as NonNullable<DeployReport['changeSet']>;
  if (outcome.kind !== 'ready') {
    // Read before the cleanup: the events belong to the change set.
    const findings =
      outcome.kind === 'failed'
        ? await validationErrors(ctx.bestEffort.cloudformation, settings.stackName, created.id)
        : [];
    await cleanUp(cfn, settings, made, ctx.logger);
    if (outcome.kind === 'no-changes') {
      ctx.logger.info('The change set has no changes.');
      await unchangedStack(settings, ctx, stack, notes);
      return { ...base(stack, notes), result: 'no-changes' };
    }
    throw new UserError(
      findings.length
        ? `CloudFormation's validation refused the change set for ${settings.stackName}:\n${formatValidation(findings)}`
        : `CloudFormation could not create the change set for ${settings.stackName}: ${outcome.reason}`,
      'Fix the template or parameters; the change set was deleted and nothing was changed.',
    );
  }

  const described = await describeChanges(settings, ctx, changeSet, outcome.changes, stack);
  ctx.guard?.described(outcome.changes);
  const { changes } = described;
  await passChecks(ctx, () => cleanUp(cfn, settings, made, ctx.logger));

  if (settings.mode === 'plan') {
    if (settings.keepChangeSet) {
      changeSet.kept = true;
      ctx.ledger.changeSet.settled = true;
      ctx.logger.info(
        `Kept change set ${name} for review; execute it with mode: execute and change-set-name: ${created.id} (the change-set-id output).`,
      );
    } else {
      await cleanUp(cfn, settings, made, ctx.logger);
    }
    return {
      ...base(stack, notes),
      ...described,
      stackId: created.stackId || stack?.StackId,
      result: 'planned',
    };
  }

  const refused = guard(settings, changes, true);
  if (refused) {
    await cleanUp(cfn, settings, made, ctx.logger);
    return { ...base(stack, notes), ...described, result: 'failed', failure: refused };
  }
  const drifted = await ctx.guard?.beforeExecute();
  if (drifted) {
    await cleanUp(cfn, settings, made, ctx.logger);
    return { ...base(stack, notes), ...described, result: 'failed', failure: drifted };
  }
  const followed = await executeAndFollow(
    settings,
    ctx,
    created.id,
    created.stackId,
    outcome.description.CreationTime,
    () => cleanUp(cfn, settings, made, ctx.logger),
    changes.map((c) => c.logicalId),
    type,
  );
  return {
    ...base(stack, notes),
    ...described,
    ...followed,
    notes,
    result: followed.failure ? 'failed' : 'deployed',
  };
}

/**
 * Waits out an operation in progress; in deploy mode replaces a failed first create (ROLLBACK_COMPLETE), which plan
 * and execute leave as it is; refuses stuck states.
 */
async function settleStack(
  cfn: CloudFormationClient,
  settings: Settings,
  ctx: StackChangeContext,
  notes: string[],
): Promise<Stack | undefined> {
  let stack = await (ctx.stackRead ?? describeStack(cfn, settings.stackName));
  let step: StackStep = nextStep(stack);
  if (step.kind === 'wait') {
    const holder = await currentOperation(ctx.bestEffort.cloudformation, settings.stackName);
    ctx.logger.info(
      `Stack ${settings.stackName} is ${step.status}${holder ? ` — ${holder}` : ''}; waiting for that operation to finish first.`,
    );
    stack = await waitForStack(
      cfn,
      settings.stackName,
      ctx,
      `the operation in progress to finish${holder ? ` (${holder})` : ''}`,
    );
    step = nextStep(stack);
  }
  if (step.kind === 'stuck') {
    const failed = await failedResources(ctx.bestEffort.cloudformation, settings.stackName);
    throw new UserError(
      `Stack ${settings.stackName} is ${step.status}; nothing was changed.`,
      recoveryFor(step.status, settings.stackName, failed),
    );
  }
  if (step.kind === 'recreate' && settings.mode === 'deploy') {
    // Deleting is a change: only once the checks running alongside have passed.
    await passChecks(ctx, async () => undefined);
    ctx.logger.info(
      `Stack ${settings.stackName} is ROLLBACK_COMPLETE (its first create failed and it has no resources): deleting it to create it again.`,
    );
    await cfn.send(new DeleteStackCommand({ StackName: step.stackId }));
    await waitForStack(cfn, step.stackId, ctx, 'the failed stack to be deleted');
    notes.push(
      'The stack was ROLLBACK_COMPLETE from a failed first create; it was deleted and created again.',
    );
    return undefined;
  }
  return stack;
}

async function createOrNoChanges(
  ctx: StackChangeContext,
  settings: Settings,
  request: Parameters<typeof createChangeSet>[2],
  madeStack: boolean,
): Promise<{ id: string; stackId: string } | 'no-changes'> {
  try {
    return await createChangeSet(ctx.clients, settings, request);
  } catch (error) {
    if (isNoChanges(error)) {
      ctx.logger.info('CloudFormation reports no updates to perform.');
      return 'no-changes';
    }
    // A failed CREATE may still have made the empty REVIEW_IN_PROGRESS stack: delete it if this run made it.
    if (madeStack)
      await bestEffort(
        () =>
          deleteReviewStack(
            ctx.clients.cloudformation,
            settings,
            { changeSetId: '', stackId: '' },
            ctx.logger,
          ),
        ctx.logger,
      );
    if (error instanceof UserError) throw error;
    throw new UserError(
      `CloudFormation could not create the change set for ${settings.stackName}: ${errorMessage(error)}`,
      awsErrorName(error) === 'InsufficientCapabilitiesException'
        ? "Add the capability it names to 'capabilities'; nothing was changed."
        : 'Fix the template, parameters or capabilities; nothing was changed.',
    );
  }
}

/** A new stack has no previous values: every parameter without a Default needs one from this run. */
function requireParameterValues(settings: Settings): void {
  const given = new Set(settings.parameters.filter((p) => !p.usePreviousValue).map((p) => p.key));
  const missing = settings.template.parameters
    .filter((p) => !p.hasDefault && !given.has(p.key))
    .map((p) => p.key);
  if (missing.length > 0) {
    throw new UserError(
      `Stack ${settings.stackName} does not exist yet, and the template's parameters ${missing.join(', ')} have no Default and no value.`,
      `Give them values in the 'parameters' file or 'parameter-overrides' (e.g. ${missing[0]}=...); nothing was created.`,
    );
  }
}

/**
 * An unchanged stack still gets this run's termination protection (it is no part of a change set);
 * plan mode only says what a deploy would do.
 */
async function unchangedStack(
  settings: Settings,
  ctx: StackChangeContext,
  stack: Stack | undefined,
  notes: string[],
): Promise<void> {
  if (!stack || Boolean(stack.EnableTerminationProtection) === settings.terminationProtection) return;
  const verb = settings.terminationProtection ? 'enable' : 'disable';
  if (settings.mode === 'plan') {
    notes.push(`A deploy would ${verb} termination protection.`);
    return;
  }
  const applied = await ensureTerminationProtection(
    ctx.bestEffort.cloudformation,
    stack,
    settings.terminationProtection,
    ctx.logger,
  );
  if (applied) notes.push(`Termination protection ${verb}d on the unchanged stack.`);
}
