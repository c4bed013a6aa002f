import { DeleteStackCommand, type CloudFormationClient, type Stack } from '@aws-sdk/client-cloudformation';
import { UserError, awsErrorName, errorMessage } from '../../errors.js';
import type { DeployReport } from '../../report/model.js';
import type { Settings } from '../../config/settings.js';
import { changeSetName, createChangeSet, isNoChanges, waitForChangeSet } from './change-set.js';
import { bestEffort, cleanUp, deleteReviewStack, type Made } from './cleanup.js';
import { executeAndFollow } from './execute.js';
import { fingerprint } from './fingerprint.js';
import { blockedChanges } from '../impact/index.js';
import {
  describeStack,
  failedResources,
  nextStep,
  recoveryFor,
  waitForStack,
  type StackStep,
} from './states.js';
import { currentOperation } from './events.js';
import { isUnchanged, stackTags } from './no-op.js';
import { planRecreate } from './recreate.js';
import { base, describeChanges, refusal } from './result.js';
import { executeReviewed } from './reviewed.js';

import type { StackChangeContext, StackChangeResult } from './context.js';

export type { StackChangeContext, StackChangeResult } from './context.js';
export { CHANGE_SET_PREFIX, changeSetName, isPullRequestRun } from './names.js';

/**
 * The change-set lifecycle for one stack: settle the stack's state → (fast no-op) → create → wait →
 * describe → classify → guard → execute → follow events → outputs. `execute` mode starts at the guard
 * with a change set made earlier.
 */
export async function runStackChange(
  settings: Settings,
  ctx: StackChangeContext,
): Promise<StackChangeResult> {
  const cfn = ctx.clients.cloudformation;
  const hash = fingerprint(settings);
  const notes: string[] = [];
  const stack = await settleStack(cfn, settings, ctx, notes);
  const step = nextStep(stack);

  if (settings.mode === 'execute') return executeReviewed(settings, ctx, stack, hash, notes);
  if (step.kind === 'recreate') return planRecreate(settings, ctx, stack, notes);

  if (step.kind === 'update' && (await isUnchanged(cfn, settings, step.stack, hash))) {
    ctx.logger.info("The deployed template, parameters and tags equal this run's: nothing to change.");
    notes.push('Recognised as unchanged without creating a change set.');
    return { ...base(step.stack, notes), result: 'no-changes' };
  }

  const type = step.kind === 'update' ? 'UPDATE' : 'CREATE';
  if (type === 'CREATE') requireParameterValues(settings);
  const name = settings.changeSetName ?? changeSetName(settings, ctx.now?.() ?? new Date());
  ctx.logger.info(`Creating ${type} change set ${name} for stack ${settings.stackName}.`);
  const created = await createOrNoChanges(
    ctx,
    settings,
    {
      type,
      name,
      fingerprint: hash,
      current: step.kind === 'update' ? step.stack : undefined,
      tags: stackTags(settings, hash),
    },
    step.kind === 'create',
  );
  if (created === 'no-changes') return { ...base(stack, notes), result: 'no-changes' };
  // Only a stack that did not exist before this request is this run's to delete again.
  const made: Made = { changeSetId: created.id, stackId: created.stackId, madeStack: step.kind === 'create' };

  const outcome = await waitForChangeSet(cfn, settings.stackName, created.id, ctx);
  const changeSet = { name, id: created.id, type, kept: false } as NonNullable<DeployReport['changeSet']>;
  if (outcome.kind !== 'ready') {
    await cleanUp(cfn, settings, made, ctx.logger);
    if (outcome.kind === 'no-changes') {
      ctx.logger.info('The change set has no changes.');
      return { ...base(stack, notes), result: 'no-changes' };
    }
    throw new UserError(
      `CloudFormation could not create the change set for ${settings.stackName}: ${outcome.reason}`,
      'Fix the template or parameters; the change set was deleted and nothing was changed.',
    );
  }

  const described = describeChanges(changeSet, outcome.changes, ctx.logger);
  const { changes } = described;

  if (settings.mode === 'plan') {
    if (settings.keepChangeSet) {
      changeSet.kept = true;
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

  const blocked = blockedChanges(changes, settings.allowDestructive);
  if (blocked.length > 0) {
    await cleanUp(cfn, settings, made, ctx.logger);
    return {
      ...base(stack, notes),
      ...described,
      result: 'failed',
      failure: refusal(blocked),
    };
  }
  const followed = await executeAndFollow(
    settings,
    ctx,
    created.id,
    created.stackId,
    outcome.description.CreationTime,
    () => cleanUp(cfn, settings, made, ctx.logger),
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
  let stack = await describeStack(cfn, settings.stackName);
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
