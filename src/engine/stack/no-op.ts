import {
  GetTemplateCommand,
  type CloudFormationClient,
  type Stack,
  type Tag as CfnTag,
} from '@aws-sdk/client-cloudformation';
import type { Settings } from '../../config/settings.js';
import { noEchoKeys } from '../../config/template.js';
import { isSuccess } from './states.js';

import { TAG_PREFIX } from '../../config/provenance.js';

export { TAG_PREFIX };
const HASH_TAG = `${TAG_PREFIX}fingerprint`;

/** User tags plus provenance: who changed this stack, from which commit and run. */
export function stackTags(settings: Settings, hash: string): CfnTag[] {
  const p = settings.provenance;
  const provenance: [string, string | undefined][] = [
    ['repository', p.repository],
    ['commit', p.sha],
    ['run-url', p.runUrl],
    ['environment', settings.environment],
    ['actor', p.actor],
    ['fingerprint', hash],
  ];
  return [
    ...settings.tags
      .filter((t) => !t.key.startsWith(TAG_PREFIX))
      .map((t) => ({ Key: t.key, Value: t.value })),
    ...provenance
      .filter((entry): entry is [string, string] => !!entry[1])
      .map(([k, v]) => ({
        Key: `${TAG_PREFIX}${k}`,
        Value: v.replace(/[^\p{L}\p{N}\s_.:/=+\-@]/gu, '-').slice(0, 256),
      })),
  ];
}

/**
 * Why comparing templates cannot prove "nothing to change", or undefined when it can: CloudFormation
 * resolves SSM-typed parameters, runs macros and reads nested templates at every deploy, so the same
 * text may deploy something new.
 */
export function noOpBlocker(template: Settings['template']): string | undefined {
  const ssm = template.parameters.filter((p) => p.type?.startsWith('AWS::SSM::Parameter::Value<'));
  if (ssm.length)
    return `its parameters ${ssm.map((p) => p.key).join(', ')} are read from SSM at each deploy`;
  if (template.transforms?.length) return `it runs the transform ${template.transforms.join(', ')}`;
  const types = template.resourceTypes ?? [];
  if (types.includes('AWS::CloudFormation::Stack'))
    return 'it has nested stacks, whose templates may have changed';
  const modules = types.filter((t) => t.endsWith('::MODULE'));
  if (modules.length) return `it uses the module ${modules.join(', ')}, which may have changed`;
  return undefined;
}

/**
 * Unchanged when the deployed template is byte-equal to ours and the stack's parameters, user tags and
 * execution role equal this run's. NoEcho values come back masked, so for those the fingerprint tag the
 * last deploy wrote must match.
 */
export async function isUnchanged(
  cfn: CloudFormationClient,
  settings: Settings,
  stack: Stack,
  hash: string,
): Promise<boolean> {
  if (!isSuccess(stack.StackStatus)) return false;
  if ((stack.RoleARN ?? undefined) !== settings.executionRoleArn) return false;
  const deployed = new Map((stack.Parameters ?? []).map((p) => [p.ParameterKey, p.ParameterValue]));
  const noEcho = noEchoKeys(settings.template);
  for (const p of settings.parameters) {
    if (p.usePreviousValue) continue;
    if (noEcho.has(p.key)) {
      if (stack.Tags?.find((t) => t.Key === HASH_TAG)?.Value !== hash) return false;
    } else if (deployed.get(p.key) !== p.value) return false;
  }
  const userTags = (stack.Tags ?? []).filter((t) => !t.Key?.startsWith(TAG_PREFIX));
  const wanted = stackTags(settings, hash).filter((t) => !t.Key?.startsWith(TAG_PREFIX));
  const key = (tags: CfnTag[]) => JSON.stringify(tags.map((t) => [t.Key, t.Value]).sort());
  if (key(userTags) !== key(wanted)) return false;
  const out = await cfn.send(
    new GetTemplateCommand({ StackName: stack.StackId ?? settings.stackName, TemplateStage: 'Original' }),
  );
  return out.TemplateBody === settings.template.body;
}
