import type { Stack } from '@aws-sdk/client-cloudformation';
import type { Settings } from '../../config/settings.js';
import type { ResourceChange } from '../../report/model.js';
import { blockedBroadening, blockedChanges, refusal } from '../impact/index.js';
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

/** The destructive and broadening changes this run's allow-* inputs do not cover, as a refusal. */
export function guard(settings: Settings, changes: ResourceChange[], changeSetDeleted: boolean) {
  return refusal(
    blockedChanges(changes, settings.allowDestructive),
    blockedBroadening(changes, settings.allowBroadening),
    changeSetDeleted,
  );
}
