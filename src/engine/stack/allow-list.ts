import {
  DescribeStackResourcesCommand,
  type CloudFormationClient,
  type Stack,
} from '@aws-sdk/client-cloudformation';
import { InputError } from '../../errors.js';
import type { Settings } from '../../config/settings.js';

/**
 * `allow-destructive` logical IDs must name a resource of the template or of the stack (a typo would otherwise
 * allow nothing, silently — or, worse, later allow a resource nobody meant). Checked once the stack is read.
 */
export async function checkAllowList(
  cfn: CloudFormationClient,
  settings: Settings,
  stack: Stack | undefined,
): Promise<void> {
  const ids = Array.isArray(settings.allowDestructive) ? settings.allowDestructive : [];
  const inTemplate = new Set(settings.template.resources ?? []);
  let unknown = ids.filter((id) => !inTemplate.has(id));
  if (unknown.length === 0 || !settings.template.resources) return;
  if (stack?.StackId && stack.StackStatus !== 'REVIEW_IN_PROGRESS') {
    const out = await cfn.send(new DescribeStackResourcesCommand({ StackName: stack.StackId }));
    const inStack = new Set((out.StackResources ?? []).map((r) => r.LogicalResourceId));
    unknown = unknown.filter((id) => !inStack.has(id));
  }
  if (unknown.length > 0) {
    throw new InputError(
      'allow-destructive',
      unknown.join(', '),
      `logical IDs of resources in the template or the stack ${settings.stackName} (${[...inTemplate].join(', ') || 'none'})`,
      'Fix the spelling or remove them; nothing was changed.',
    );
  }
}
