/**
 * The changes of a drift-aware (REVERT_DRIFT) change set that deal with drift. DescribeChangeSet marks them:
 * ResourceChange.ResourceDriftStatus of the resource, and per property Target.BeforeValueFrom ACTUAL_STATE (the
 * before value is the live one, which the change overwrites with the template's) or AttributeChangeType /
 * Action SyncWithActual (the template already matches the live state: only the drift status is reset).
 * AWS CloudFormation User Guide, "Using drift-aware change sets"; API Reference, ResourceTargetDefinition.
 */
import type { Change } from '@aws-sdk/client-cloudformation';
import type { DriftRevert } from '../../report/model.js';

/** `drifted`: the logical IDs drift detection found drifted (a change to one of them from ACTUAL_STATE reverts it). */
export function revertsOf(changes: Change[], drifted: ReadonlySet<string>): DriftRevert[] {
  return changes.flatMap((change): DriftRevert[] => {
    const rc = change.ResourceChange;
    if (change.Type !== 'Resource' || !rc?.LogicalResourceId) return [];
    const fromActual = (rc.Details ?? []).filter((d) => d.Target?.BeforeValueFrom === 'ACTUAL_STATE');
    const isDrifted =
      rc.ResourceDriftStatus === 'MODIFIED' ||
      rc.ResourceDriftStatus === 'DELETED' ||
      drifted.has(rc.LogicalResourceId);
    const sync =
      (rc.Action as string | undefined) === 'SyncWithActual' ||
      (fromActual.length > 0 && fromActual.every((d) => d.Target?.AttributeChangeType === 'SyncWithActual'));
    const reverting = fromActual.length > 0 && (isDrifted || fromActual.some((d) => d.Target?.Drift));
    // A resource deleted outside CloudFormation is created again.
    const recreating = rc.ResourceDriftStatus === 'DELETED';
    if (!sync && !reverting && !recreating) return [];
    const properties = fromActual
      .map((d) => d.Target?.Path ?? d.Target?.Name ?? '')
      .filter((p, i, all) => p !== '' && all.indexOf(p) === i);
    return [
      {
        logicalId: rc.LogicalResourceId,
        type: rc.ResourceType ?? 'unknown',
        properties,
        syncOnly: sync,
      },
    ];
  });
}
