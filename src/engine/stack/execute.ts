import {
  UpdateTerminationProtectionCommand,
  type CloudFormationClient,
  type Stack,
} from '@aws-sdk/client-cloudformation';
import { UserError, errorMessage } from '../../errors.js';
import type { Logger } from '../../logger.js';
import type { StackEvent } from '../../report/model.js';
import type { Settings } from '../../config/settings.js';
import { executeChangeSet } from './change-set.js';
import { bestEffort } from './cleanup.js';
import type { StackChangeContext, StackChangeResult } from './context.js';
import { describeStack, isSuccess, isTerminal, outputsOf } from './states.js';
import { StackEventReader, formatEvent, rootCause } from './events.js';
import { poll } from '../wait.js';

/**
 * Executes, follows the stack's events until it settles, applies termination protection and reads outputs.
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
): Promise<
  Pick<StackChangeResult, 'stackId' | 'stackStatus' | 'outputs' | 'events' | 'rootCause' | 'failure'>
> {
  const cfn = ctx.clients.cloudformation;
  const target = stackId || settings.stackName;
  const name = changeSetId.split('/')[1] ?? changeSetId;
  ctx.logger.info(`Executing change set ${name}.`);
  try {
    await executeChangeSet(cfn, settings.stackName, changeSetId, `mad-${Date.now()}`);
  } catch (error) {
    // Refused before anything ran: the stack is as it was; remove what this run made, and only that.
    if (cleanUpRefused) await bestEffort(cleanUpRefused, ctx.logger);
    throw new UserError(
      `CloudFormation refused to execute change set ${name} of ${settings.stackName}: ${errorMessage(error)}`,
      cleanUpRefused
        ? 'The stack was not changed and the change set was deleted; fix the template or parameters and deploy again.'
        : 'The stack was not changed and the change set was kept as it was; fix the cause and execute it again, or plan again.',
    );
  }

  const reader = new StackEventReader(cfn, target, since ?? new Date(Date.now() - 60_000));
  const events: StackEvent[] = [];
  let eventsBroken = false;
  const readEvents = async (): Promise<void> => {
    if (eventsBroken) return;
    try {
      for (const e of await reader.next()) {
        events.push(e);
        ctx.logger.info(formatEvent(e));
      }
    } catch (error) {
      // Events are commentary: never let them hide or delay the stack's real outcome.
      eventsBroken = true;
      ctx.logger.warn(
        `Could not read stack events (${errorMessage(error)}); following the stack status only.`,
      );
    }
  };
  let last = 'unknown';
  const startedAt = Date.now();
  const final = await poll(
    async () => {
      const stack = await describeStack(cfn, target);
      last = stack?.StackStatus ?? 'gone';
      await readEvents();
      const done = stack && isTerminal(stack.StackStatus) && stack.StackStatus !== 'REVIEW_IN_PROGRESS';
      if (!done) {
        const e = events.at(-1);
        ctx.logger.progress({
          what: `stack ${settings.stackName} to finish deploying`,
          since: startedAt,
          latest: e ? `${e.logicalId} ${e.status}` : last,
        });
      }
      return done ? stack : undefined;
    },
    {
      what: `stack ${settings.stackName} to finish deploying`,
      deadline: ctx.deadline,
      signal: ctx.signal,
      describe: () => last,
    },
  ).finally(() => ctx.logger.progress(undefined));
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

async function ensureTerminationProtection(
  cfn: CloudFormationClient,
  stack: Stack,
  wanted: boolean,
  logger: Logger,
): Promise<void> {
  if (Boolean(stack.EnableTerminationProtection) === wanted) return;
  try {
    await cfn.send(
      new UpdateTerminationProtectionCommand({
        StackName: stack.StackId,
        EnableTerminationProtection: wanted,
      }),
    );
    logger.info(`Termination protection ${wanted ? 'enabled' : 'disabled'}.`);
  } catch (error) {
    logger.warn(`Could not ${wanted ? 'enable' : 'disable'} termination protection: ${errorMessage(error)}`);
  }
}
