/**
 * What CloudFormation's PolicyAction (API_ResourceChange) does to the data of the old or removed
 * resource, in words for a reviewer.
 */
export function policyActionText(policyAction: string | undefined): string | undefined {
  switch (policyAction) {
    case 'Delete':
      return 'deleted (DeletionPolicy Delete)';
    case 'Retain':
      return 'kept (DeletionPolicy Retain)';
    case 'Snapshot':
      return 'a snapshot is taken, then it is deleted';
    case 'ReplaceAndDelete':
      return 'the old resource is deleted after the replacement';
    case 'ReplaceAndRetain':
      return 'the old resource is kept after the replacement (UpdateReplacePolicy Retain)';
    case 'ReplaceAndSnapshot':
      return 'the old resource is snapshotted, then deleted, after the replacement';
    default:
      return undefined;
  }
}
