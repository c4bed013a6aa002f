import type { Change, Stack } from '@aws-sdk/client-cloudformation';
import type { Logger } from '../../logger.js';
import type { DeployReport, ResourceChange } from '../../report/model.js';
import { classify, sortChanges } from '../impact/index.js';
import type { StackChangeResult } from './context.js';
import { outputsOf } from './states.js';

/** A result that changes nothing, from the stack as it is. */
export function base(stack: Stack | undefined, notes: string[]): StackChangeResult {
  return {
    result: 'no-changes',
    stackId: stack?.StackId,
    stackStatus: stack?.StackStatus,
    changes: [],
    destructive: [],
    outputs: outputsOf(stack),
    previousParameters: stack?.Parameters?.map((p) => ({
      key: p.ParameterKey ?? '',
      value: p.ParameterValue ?? '',
    })),
    events: [],
    notes,
  };
}

/** The change set's changes classified and in a stable order, logged one line each. */
export function describeChanges(
  changeSet: NonNullable<DeployReport['changeSet']> | undefined,
  raw: Change[],
  logger: Logger,
) {
  const changes = sortChanges(raw.flatMap((c) => classify(c) ?? []));
  logChanges(logger, changes);
  return {
    changeSet,
    changes,
    otherChanges: changes.length === 0,
    destructive: changes.filter((c) => c.destructive).map((c) => c.logicalId),
  };
}

function logChanges(logger: Logger, changes: ResourceChange[]): void {
  if (changes.length === 0) {
    logger.info('The change set changes no resources (e.g. only Outputs).');
    return;
  }
  for (const c of changes) {
    logger.info(
      `  ${c.destructive ? '!' : ' '} ${c.action.padEnd(11)} ${c.logicalId} (${c.type})${c.stateful && c.destructive ? ' — holds data' : ''}`,
    );
  }
}

/** The refusal of destructive changes; `kept` when the change set stays (mode: execute deletes nothing). */
export function refusal(blocked: ResourceChange[], kept = false): { message: string; hint: string } {
  const list = blocked
    .map((c) => `${c.logicalId} (${c.type}: ${c.action}${c.stateful ? ', holds data' : ''})`)
    .join(', ');
  return {
    message: `Refusing to deploy: destructive changes to ${list}. ${kept ? 'The change set was kept' : 'The change set was deleted'}; nothing was changed.`,
    hint: `If these are intended, set allow-destructive to true or list the logical IDs: ${blocked.map((c) => c.logicalId).join(', ')}.`,
  };
}
