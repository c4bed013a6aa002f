import type { Change, Stack } from '@aws-sdk/client-cloudformation';
import { templateResources } from '../../config/template.js';
import type { Settings } from '../../config/settings.js';
import type { StackChangeContext, StackChangeResult } from './context.js';
import { describeChanges } from './describe.js';
import { base } from './result.js';

/**
 * A plan of a ROLLBACK_COMPLETE stack (a failed first create, no resources). CloudFormation accepts no change set on
 * it, so the plan says that a deploy deletes and creates it again, and lists the create from the template itself.
 */
export async function planRecreate(
  settings: Settings,
  ctx: StackChangeContext,
  stack: Stack | undefined,
  notes: string[],
): Promise<StackChangeResult> {
  const resources = templateResources(settings.template.body);
  ctx.logger.info(
    `Stack ${settings.stackName} is ROLLBACK_COMPLETE (its first create failed; it has no resources): a deploy deletes it and creates it again.`,
  );
  notes.push(
    `Stack ${settings.stackName} is ROLLBACK_COMPLETE from a failed first create: mode deploy deletes it and creates it again. CloudFormation takes no change set on it, so this plan lists the template's resources as the create adds them.`,
  );
  const conditional = (resources ?? []).filter((r) => r.conditional).map((r) => r.logicalId);
  if (!resources)
    notes.push('The template has a Transform: its resources are known only once CloudFormation expands it.');
  if (conditional.length > 0) notes.push(`Created only if their Conditions hold: ${conditional.join(', ')}.`);
  if (settings.keepChangeSet)
    notes.push(
      'No change set was kept, so there is nothing to execute: deploy with mode deploy, or delete the stack and plan again.',
    );
  const raw: Change[] = (resources ?? []).map((r) => ({
    Type: 'Resource',
    ResourceChange: { Action: 'Add', LogicalResourceId: r.logicalId, ResourceType: r.type },
  }));
  return {
    ...base(stack, notes),
    ...(await describeChanges(settings, ctx, undefined, raw, stack)),
    result: 'planned',
  };
}
