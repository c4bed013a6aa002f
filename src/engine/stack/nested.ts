import type { Change, CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { NestedChange } from '../impact/index.js';
import { allChanges } from './change-set.js';

/** Deeper than CloudFormation's own nesting limit would ever go: a guard against a loop, not a policy. */
const MAX_DEPTH = 10;

/**
 * A change set's changes with those of its nested change sets (IncludeNestedStacks): each
 * AWS::CloudFormation::Stack change that carries a ChangeSetId is read in full (DescribeChangeSet by
 * ARN, every page) and its changes follow it, named by their parents' logical IDs.
 */
export async function withNestedChanges(
  cfn: CloudFormationClient,
  changes: Change[],
  parents: string[] = [],
): Promise<NestedChange[]> {
  const levels = await Promise.all(
    changes.map(async (change): Promise<NestedChange[]> => {
      const own: NestedChange = { parents, change };
      const rc = change.ResourceChange;
      const nestedId = rc?.ResourceType === 'AWS::CloudFormation::Stack' ? rc.ChangeSetId : undefined;
      if (!nestedId || !rc?.LogicalResourceId || parents.length >= MAX_DEPTH) return [own];
      const inner = await allChanges(cfn, undefined, nestedId);
      return [own, ...(await withNestedChanges(cfn, inner, [...parents, rc.LogicalResourceId]))];
    }),
  );
  return levels.flat();
}
