import {
  DescribeChangeSetCommand,
  UpdateTerminationProtectionCommand,
  type CloudFormationClient,
  type Stack,
} from '@aws-sdk/client-cloudformation';
import { UserError, errorMessage, transientKind } from '../../errors.js';
import type { Logger } from '../../logger.js';
import type { Settings } from '../../config/settings.js';
import { bestEffort } from './cleanup.js';
import { executeWhenReady } from './concurrency.js';
import type { StackChangeContext, StackChangeResult } from './context.js';
import { isSuccess, outputsOf } from './states.js';
import { rootCause } from './events.js';
import { followStack } from './follow.js';

/**
 * Executes, follows the stack until it settles (follow.ts), applies termination protection and reads outputs.
 * `cleanUpRefused` removes what this run made if CloudFormation refuses the execute; absent (mode: execute), a
 * refused change set is kept as it was.
 */
export async function executeAndFollow(
  settings: Settings,
  ctx: StackChangeContext,
  changeSetId: string,
  stackId: string,
  since: Date | undefined,
  cleanUpRefused?: () => Promise<void>,
  /** Logical IDs of the resources the change set changes (the end is near when all are done). */
  expected: string[] = [],
  type: 'CREATE' | 'UPDATE' = 'UPDATE',
): Promise<
  Pick<StackChangeResult, 'stackId' | 'stackStatus' | 'outputs' | 'events' | 'rootCause' | 'failure'>
> {
  const cfn = ctx.clients.cloudformation;
  const target = stackId || settings.stackName;
  const name = changeSetId.split('/')[1] ?? changeSetId;
  ctx.logger.info(`Executing change set ${name}.`);
  try {
    // Reads the stack again first: another run may be changing it, or may have executed its own change set.
    await executeWhenReady(settings, ctx, changeSetId, stackId, `mad-${Date.now()}`, type);
  } catch (error) {
    if (ctx.signal?.aborted) throw error;
    if (!(await startedAnyway(cfn, settings, changeSetId, error, ctx.logger))) {
      // Not started: the stack is as it was; remove what this run made, and only that.
      if (cleanUpRefused) await bestEffort(cleanUpRefused, ctx.logger);
      // AWS did not answer after every retry: the error names the operation and its attempts.
      if (transientKind(error)) throw error;
      if (error instanceof UserError) {
        // Execute mode never deletes the reviewed change set: say so, unless it is gone anyway.
        const kept = !cleanUpRefused && !/no longer|Another run executed/.test(error.message);
        throw kept
          ? new UserError(
              error.message,
              `${error.hint ?? ''} In execute mode the change set was kept as it was; execute it again once fixed, or plan again.`.trim(),
            )
          : error;
      }
      throw new UserError(
        `CloudFormation refused to execute change set ${name} of ${settings.stackName}: ${errorMessage(error)}`,
        cleanUpRefused
          ? 'The stack was not changed and the change set was deleted; fix the template or parameters and deploy again.'
          : 'The stack was not changed and the change set was kept as it was; fix the cause and execute it again, or plan again.',
      );
    }
  }

  const t0 = Date.now();
  const followed = await followStack(cfn, target, {
    stackName: settings.stackName,
    since: since ?? new Date(Date.now() - 60_000),
    expected,
    logger: ctx.logger,
    deadline: ctx.deadline,
    signal: ctx.signal,
  });
  ctx.logger.info(
    `Followed the stack with ${followed.requests} requests in ${((Date.now() - t0) / 1000).toFixed(1)} s.`,
  );
  const { stack: final, events } = followed;
  const status = final.StackStatus ?? 'unknown';
  const result = { stackId: final.StackId, stackStatus: status, outputs: outputsOf(final), events };
  if (!isSuccess(status)) {
    const cause = rootCause(events);
    return {
      ...result,
      rootCause: cause,
      failure: {
        message: `Stack ${settings.stackName} ended in ${status}${cause ? `: ${cause.logicalId} (${cause.type}) ${cause.status}: ${cause.reason ?? 'no reason given'}` : final.StackStatusReason ? `: ${final.StackStatusReason}` : ''}.`,
        hint: status.includes('ROLLBACK')
          ? 'CloudFormation rolled the stack back; fix the cause above and deploy again.'
          : undefined,
      },
    };
  }
  await ensureTerminationProtection(
    ctx.bestEffort.cloudformation,
    final,
    settings.terminationProtection,
    ctx.logger,
  );
  return result;
}

/**
 * After an ExecuteChangeSet error whose outcome is unknown (a 5xx after the retries, a lost answer), the
 * change set says whether the execution started: AVAILABLE = it did not (false); EXECUTE_* = it did
 * (true, and the stack is followed). A refusal (4xx) is known: false. Unreadable: say so, never "nothing changed".
 */
async function startedAnyway(
  cfn: CloudFormationClient,
  settings: Settings,
  changeSetId: string,
  error: unknown,
  logger: Logger,
): Promise<boolean> {
  if (!outcomeUnknown(error)) return false;
  let status: string | undefined;
  try {
    status = (
      await cfn.send(
        new DescribeChangeSetCommand({ StackName: settings.stackName, ChangeSetName: changeSetId }),
      )
    ).ExecutionStatus;
  } catch (readError) {
    throw new UserError(
      `ExecuteChangeSet for ${settings.stackName} failed (${errorMessage(error)}) and the change set cannot be read (${errorMessage(readError)}): whether the stack is changing is unknown.`,
      `Check the stack ${settings.stackName} and its events before deploying again; the change set was kept.`,
    );
  }
  if (status === 'AVAILABLE') return false;
  if (status?.startsWith('EXECUTE_') || status === 'OBSOLETE') {
    logger.warn(
      `ExecuteChangeSet answered with an error (${errorMessage(error)}), but the change set is ${status}: following the stack.`,
    );
    return true;
  }
  throw new UserError(
    `ExecuteChangeSet for ${settings.stackName} failed (${errorMessage(error)}) and the change set is ${status ?? 'gone'}: whether the stack is changing is unknown.`,
    `Check the stack ${settings.stackName} and its events before deploying again.`,
  );
}

/** A server error or a lost answer: the request may have been carried out. */
function outcomeUnknown(error: unknown): boolean {
  const e = error as { $fault?: string; $metadata?: { httpStatusCode?: number } } | undefined;
  const status = e?.$metadata?.httpStatusCode;
  return e?.$fault === 'server' || (status !== undefined ? status >= 500 : !(error instanceof UserError));
}

/** Applies `termination-protection` when the stack's setting differs (also on an unchanged stack). */
export async function ensureTerminationProtection(
  cfn: CloudFormationClient,
  stack: Stack,
  wanted: boolean,
  logger: Logger,
): Promise<boolean> {
  if (Boolean(stack.EnableTerminationProtection) === wanted) return false;
  try {
    await cfn.send(
      new UpdateTerminationProtectionCommand({
        StackName: stack.StackId,
        EnableTerminationProtection: wanted,
      }),
    );
    logger.info(`Termination protection ${wanted ? 'enabled' : 'disabled'}.`);
    return true;
  } catch (error) {
    logger.warn(`Could not ${wanted ? 'enable' : 'disable'} termination protection: ${errorMessage(error)}`);
    return false;
  }
}
