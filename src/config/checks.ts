// Checks across inputs, all before any AWS request: tags as CloudFormation takes them, ARNs in the region's
// partition, template size against where it can go, and inputs that the chosen mode ignores.
import { InputError } from '../errors.js';
import { TAG_PREFIX } from './provenance.js';
import type { Mode, Tag } from './settings.js';

/** CloudFormation's limits for a template: inline TemplateBody, and TemplateURL (an S3 object). */
export const INLINE_TEMPLATE_LIMIT = 51_200;
export const TEMPLATE_URL_LIMIT = 1_048_576;

/** Tag limits (CloudFormation API Reference, Tag): key 1–128 characters, value 0–256, `aws:` reserved. */
export function checkTags(source: 'tags' | 'parameters', tags: Tag[]): void {
  const seen = new Set<string>();
  for (const { key, value } of tags) {
    if (seen.has(key)) {
      throw new InputError(source, key, 'each tag key once', `Remove the second ${key}=… line.`);
    }
    seen.add(key);
    if (key.length > 128) {
      throw new InputError(
        source,
        `${key.slice(0, 40)}…`,
        `a tag key of at most 128 characters (it has ${key.length})`,
      );
    }
    if (value.length > 256) {
      throw new InputError(
        source,
        key,
        `a tag value of at most 256 characters (the value of ${key} has ${value.length})`,
      );
    }
    if (/^aws:/i.test(key)) {
      throw new InputError(source, key, 'a tag key that does not start with aws: (AWS reserves that prefix)');
    }
    if (key.startsWith(TAG_PREFIX)) {
      throw new InputError(
        source,
        key,
        `a tag key without the prefix ${TAG_PREFIX}, which this action writes itself (provenance)`,
        'Choose another key; the provenance tags are added to every stack anyway.',
      );
    }
  }
}

/** Refuses the same key twice in one Key=Value input (the second would silently win). */
export function checkUniqueKeys(input: string, pairs: [string, string][]): void {
  const seen = new Set<string>();
  for (const [key] of pairs) {
    if (seen.has(key))
      throw new InputError(input, key, 'each key once', `Remove one of the two ${key}=… lines.`);
    seen.add(key);
  }
}

/** The partition of a region: aws-cn for China, aws-us-gov for GovCloud, aws-iso* for the isolated regions. */
export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  if (region.startsWith('us-isob-')) return 'aws-iso-b';
  if (region.startsWith('us-iso-')) return 'aws-iso';
  return 'aws';
}

/** An ARN must be in the region's partition: a role of aws-cn cannot be assumed from eu-west-1, and so on. */
export function checkPartition(input: string, arn: string | undefined, region: string): void {
  if (!arn) return;
  const partition = arn.split(':')[1] ?? '';
  const expected = partitionOf(region);
  if (partition !== expected) {
    throw new InputError(
      input,
      arn,
      `an ARN of the ${expected} partition, as region ${region} is in it (this ARN is in ${partition})`,
      `Check 'region' and '${input}': a role of one partition cannot act in another.`,
    );
  }
}

/** The account of `deploy-role` (an ARN) must be the account of `role-arn`: a run checks roles of its account. */
export function checkDeployRoleAccount(deployRole: string | undefined, roleArn: string | undefined): void {
  if (!deployRole?.startsWith('arn:') || !roleArn) return;
  const own = roleArn.split(':')[4];
  const other = deployRole.split(':')[4];
  if (own !== other) {
    throw new InputError(
      'deploy-role',
      deployRole,
      `a role of account ${own ?? '?'}, the account of role-arn (it is in ${other ?? '?'})`,
      'Give the role name only, or the ARN of the role in the account this job deploys to.',
    );
  }
}

/** Where the template can go: inline up to 51,200 bytes, through template-bucket up to 1 MB. */
export function checkTemplateSize(path: string, body: string, hasBucket: boolean): void {
  const size = Buffer.byteLength(body, 'utf8');
  if (size > TEMPLATE_URL_LIMIT) {
    throw new InputError(
      'template',
      path,
      `a template of at most ${TEMPLATE_URL_LIMIT} bytes (CloudFormation's limit; it has ${size})`,
      'Split it into nested stacks or modules.',
    );
  }
  if (size > INLINE_TEMPLATE_LIMIT && !hasBucket) {
    throw new InputError(
      'template',
      path,
      `a template of at most ${INLINE_TEMPLATE_LIMIT} bytes when 'template-bucket' is not set (it has ${size})`,
      "Set 'template-bucket' to an S3 bucket in this account and region that the deploy role can write to.",
    );
  }
}

/** Inputs that only some modes read: given elsewhere, they are ignored, and the run says so. */
const ONLY_IN: Record<string, readonly Mode[]> = { 'keep-change-set': ['plan'] };

export function ignoredInputs(mode: Mode, given: (name: string) => boolean): string[] {
  return Object.entries(ONLY_IN)
    .filter(([name, modes]) => given(name) && !modes.includes(mode))
    .map(
      ([name, modes]) =>
        `Input '${name}' is ignored in mode ${mode} (it applies to ${modes.join(', ')} only); remove it from this step.`,
    );
}

/** Long waits outlive the session: the run assumes the role again, which a role's own maximum does not cap. */
export function durationWarnings(
  timeoutMinutes: number,
  roleDurationSeconds: number,
  oidc: boolean,
): string[] {
  if (!oidc || timeoutMinutes * 60 <= roleDurationSeconds) return [];
  return [
    `timeout-minutes (${timeoutMinutes}) is longer than role-duration-seconds (${roleDurationSeconds} s): ` +
      'a longer wait gets a new ID token and assumes the role again before the session ends. ' +
      "If the job's token cannot be requested again by then, raise role-duration-seconds (up to the role's MaxSessionDuration).",
  ];
}
