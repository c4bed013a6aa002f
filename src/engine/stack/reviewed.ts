import type { Stack } from '@aws-sdk/client-cloudformation';
import { UserError } from '../../errors.js';
import type { Settings } from '../../config/settings.js';
import { waitForChangeSet } from './change-set.js';
import type { StackChangeContext, StackChangeResult } from './context.js';
import { passChecks } from './checks.js';
import { executeAndFollow } from './execute.js';
import { describeChanges } from './describe.js';
import { base, guard } from './result.js';
import { changeSetTemplate, describeReviewed, refusalOf, verifyChangeSet } from './verify.js';

/**
 * `execute` mode: the change set named by ARN (or name) must exist, be executable and be, in content, what this run
 * would create (verify.ts). It is executed by its ARN, so the change set verified is the one that runs. This mode
 * deletes nothing: not a refused change set, not a stack.
 */
export async function executeReviewed(
  settings: Settings,
  ctx: StackChangeContext,
  stack: Stack | undefined,
  fingerprint: string,
  notes: string[],
): Promise<StackChangeResult> {
  const cfn = ctx.clients.cloudformation;
  const reference = settings.changeSetName ?? '';
  const cs = await describeReviewed(cfn, settings, reference);
  if (!cs?.ChangeSetId) {
    throw new UserError(
      `Change set ${reference} of stack ${settings.stackName} does not exist (it may have been executed or deleted, or the stack changed).`,
      'Run the plan again with keep-change-set: true and execute the change-set-id it reports; nothing was changed.',
    );
  }
  const name = cs.ChangeSetName ?? reference;
  if (cs.Status !== 'CREATE_COMPLETE' || cs.ExecutionStatus !== 'AVAILABLE') {
    throw new UserError(
      `Change set ${name} cannot be executed: its status is ${cs.Status}/${cs.ExecutionStatus}${cs.StatusReason ? ` (${cs.StatusReason})` : ''}.`,
      'Plan again and execute the new change set; nothing was changed.',
    );
  }
  if (stack?.StackStatus === 'ROLLBACK_COMPLETE') {
    throw new UserError(
      `Stack ${settings.stackName} is ROLLBACK_COMPLETE; change set ${name} cannot run on it, and mode execute deletes nothing.`,
      'Deploy with mode deploy (it deletes the failed stack and creates it again), or delete the stack and plan again.',
    );
  }
  const outcome = await waitForChangeSet(cfn, settings.stackName, cs.ChangeSetId, ctx);
  const raw = outcome.kind === 'ready' ? outcome.changes : [];
  const type = stack?.StackStatus === 'REVIEW_IN_PROGRESS' || !stack ? 'CREATE' : 'UPDATE';
  const changeSet = { name, id: cs.ChangeSetId, type, kept: true } as const;
  const described = await describeChanges(settings, ctx, changeSet, raw, stack);
  ctx.guard?.described(raw);

  const verification = verifyChangeSet(
    settings,
    { changeSet: cs, template: await changeSetTemplate(cfn, cs) },
    raw,
    { stack, accountId: ctx.accountId, fingerprint },
  );
  notes.push(...verification.notes);
  if (verification.differences.length > 0) {
    const refused = refusalOf(name, verification);
    return {
      ...base(stack, notes),
      ...described,
      result: 'failed',
      failure: { message: refused.message, hint: refused.hint },
    };
  }
  ctx.logger.info(
    `Change set ${name} is this run's: its own template, parameters, capabilities, tags, type, stack and role match.`,
  );

  const refused = guard(settings, described.changes, false);
  if (refused) return { ...base(stack, notes), ...described, result: 'failed', failure: refused };
  // The reviewed change set is never deleted here: it stays for a run whose checks pass, and can still be
  // executed once any drift is dealt with.
  await passChecks(ctx, async () => undefined);
  const drifted = await ctx.guard?.beforeExecute();
  if (drifted) return { ...base(stack, notes), ...described, result: 'failed', failure: drifted };
  const followed = await executeAndFollow(
    settings,
    ctx,
    cs.ChangeSetId,
    cs.StackId ?? settings.stackName,
    cs.CreationTime,
    undefined,
    described.changes.map((c) => c.logicalId),
    type,
  );
  return {
    ...base(stack, notes),
    ...described,
    changeSet: { ...changeSet, kept: false },
    ...followed,
    notes,
    result: followed.failure ? 'failed' : 'executed',
  };
}
