import type { ResourceChange as CfnResourceChange } from '@aws-sdk/client-cloudformation';
import type { ChangeAction } from '../../report/model.js';

/**
 * The action a change really takes, replacement included. CloudFormation's `Replacement` is True for a
 * static RequiresRecreation Always and Conditional for a dynamic one or for Conditionally
 * (API_ResourceChange); a `Dynamic` action or a dynamically evaluated detail whose property requires
 * recreation may replace the resource too, whatever `Replacement` says.
 */
export function actionOf(rc: CfnResourceChange): ChangeAction {
  const details = rc.Details ?? [];
  const recreates = (d: (typeof details)[number]) =>
    d.Target?.RequiresRecreation === 'Always' || d.Target?.RequiresRecreation === 'Conditionally';
  switch (rc.Action) {
    case 'Add':
      return 'add';
    case 'Remove':
      return 'remove';
    case 'Import':
      return 'import';
    case 'Dynamic':
      return details.some(recreates) ? 'may-replace' : 'dynamic';
    default:
      if (rc.Replacement === 'True') return 'replace';
      if (rc.Replacement === 'Conditional') return 'may-replace';
      if (details.some((d) => recreates(d) && d.Evaluation === 'Dynamic')) return 'may-replace';
      // No Replacement field (older or partial answers): the details decide.
      if (rc.Replacement === undefined && details.some(recreates)) {
        const sure = details.some(
          (d) => d.Target?.RequiresRecreation === 'Always' && d.Evaluation !== 'Dynamic',
        );
        return sure ? 'replace' : 'may-replace';
      }
      return 'modify';
  }
}
