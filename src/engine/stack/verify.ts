import {
  DescribeChangeSetCommand,
  GetTemplateCommand,
  type Change,
  type CloudFormationClient,
  type DescribeChangeSetCommandOutput,
  type Stack,
  type Tag as CfnTag,
} from '@aws-sdk/client-cloudformation';
import { parseChangeSetArn } from '../../config/change-set-ref.js';
import type { Settings } from '../../config/settings.js';
import { noEchoKeys } from '../../config/template.js';
import { UserError, isChangeSetNotFound } from '../../errors.js';
import { ON_STACK_FAILURE } from './names.js';
import { TAG_PREFIX, stackTags } from './no-op.js';

/**
 * `execute` runs a change set made earlier only when the change set ITSELF is what this run would create (ADR 006):
 * the change set named by ARN (or by name on this stack), its own template (GetTemplate by change set, stage
 * Original) byte for byte, its parameters, capabilities, tags, type, stack and the role it runs with. Its
 * Description is written by whoever made it, so it proves nothing and is not read.
 */

/** Provenance tags that legitimately differ between the run that planned and the run that executes. */
const PER_RUN_TAGS = new Set([`${TAG_PREFIX}run-url`, `${TAG_PREFIX}actor`]);

export interface Reviewed {
  changeSet: DescribeChangeSetCommandOutput;
  /** The change set's own template (GetTemplate with ChangeSetName, stage Original). */
  template: string | undefined;
}

/** DescribeChangeSet by ARN (no stack name: the ARN names exactly one) or by name on this run's stack. */
export async function describeReviewed(
  cfn: CloudFormationClient,
  settings: Settings,
  reference: string,
): Promise<DescribeChangeSetCommandOutput | undefined> {
  const byArn = parseChangeSetArn(reference) !== undefined;
  try {
    return await cfn.send(
      new DescribeChangeSetCommand({
        ChangeSetName: reference,
        StackName: byArn ? undefined : settings.stackName,
        IncludePropertyValues: true,
      }),
    );
  } catch (error) {
    if (isChangeSetNotFound(error)) return undefined;
    throw error;
  }
}

/** The change set's own template, as submitted (Original stage). */
export async function changeSetTemplate(
  cfn: CloudFormationClient,
  changeSet: DescribeChangeSetCommandOutput,
): Promise<string | undefined> {
  const out = await cfn.send(
    new GetTemplateCommand({
      StackName: changeSet.StackId,
      ChangeSetName: changeSet.ChangeSetId,
      TemplateStage: 'Original',
    }),
  );
  return out.TemplateBody;
}

export interface Verification {
  /** What differs from what this run would create, one entry each; empty = the change set is this run's. */
  differences: string[];
  /** What could not be compared, and why. */
  notes: string[];
}

/**
 * Compares the change set with what this run would create on `stack` (pure). `accountId` is the account the run's
 * credentials are in, `fingerprint` this run's.
 */
export function verifyChangeSet(
  settings: Settings,
  reviewed: Reviewed,
  changes: Change[],
  run: { stack: Stack | undefined; accountId?: string; fingerprint: string },
): Verification {
  const cs = reviewed.changeSet;
  const differences: string[] = [];
  const notes: string[] = [];
  differences.push(...identity(settings, cs, run));
  differences.push(...type(changes, run.stack));
  if (reviewed.template !== settings.template.body) {
    differences.push(`template: the change set's own template is not ${settings.template.path} of this run`);
  }
  const params = parameters(settings, cs, run.stack);
  differences.push(...params.differences);
  notes.push(...params.notes);
  const wanted = [...settings.capabilities].sort().join(',');
  const actual = [...(cs.Capabilities ?? [])].sort().join(',');
  if (wanted !== actual)
    differences.push(`capabilities: the change set acknowledges [${actual}], this run [${wanted}]`);
  differences.push(...tags(cs.Tags ?? [], stackTags(settings, run.fingerprint)));
  differences.push(...role(settings, run.stack, notes));
  differences.push(...options(cs, settings));
  return { differences, notes };
}

function identity(
  settings: Settings,
  cs: DescribeChangeSetCommandOutput,
  run: { stack: Stack | undefined; accountId?: string },
): string[] {
  const out: string[] = [];
  const given = parseChangeSetArn(settings.changeSetName ?? '');
  if (given && cs.ChangeSetId !== given.arn)
    out.push(`identity: the change set is ${cs.ChangeSetId}, not ${given.arn}`);
  if (cs.StackName !== settings.stackName)
    out.push(`stack: the change set is for stack ${cs.StackName}, this run deploys ${settings.stackName}`);
  else if (run.stack?.StackId && cs.StackId !== run.stack.StackId)
    out.push(`stack: the change set is for stack ${cs.StackId}, not the stack ${run.stack.StackId}`);
  const arn = parseChangeSetArn(cs.ChangeSetId ?? '');
  if (arn && arn.region !== settings.region)
    out.push(`region: the change set is in ${arn.region}, this run in ${settings.region}`);
  if (arn && run.accountId && arn.accountId !== run.accountId)
    out.push(`account: the change set is in ${arn.accountId}, this run in ${run.accountId}`);
  return out;
}

/**
 * DescribeChangeSet does not report ChangeSetType: it follows from the stack (a REVIEW_IN_PROGRESS stack takes only
 * a CREATE change set, a deployed one an UPDATE), and an IMPORT change set shows as Import changes.
 */
function type(changes: Change[], stack: Stack | undefined): string[] {
  const wanted = stack?.StackStatus === 'REVIEW_IN_PROGRESS' ? 'CREATE' : 'UPDATE';
  const imports = changes.filter((c) => c.ResourceChange?.Action === 'Import');
  return imports.length > 0
    ? [
        `type: the change set imports resources (${imports.map((c) => c.ResourceChange?.LogicalResourceId).join(', ')}); this run would create ${wanted}`,
      ]
    : [];
}

/**
 * Each template parameter must have the value this run gives it: its value, the stack's current value where the
 * run keeps the previous one, or the template's Default. NoEcho values come back masked and cannot be compared.
 */
function parameters(
  settings: Settings,
  cs: DescribeChangeSetCommandOutput,
  stack: Stack | undefined,
): Verification {
  const differences: string[] = [];
  const noEcho = noEchoKeys(settings.template);
  const given = new Map(settings.parameters.map((p) => [p.key, p]));
  const current = new Map((stack?.Parameters ?? []).map((p) => [p.ParameterKey, p.ParameterValue]));
  const actual = new Map((cs.Parameters ?? []).map((p) => [p.ParameterKey, p.ParameterValue]));
  const declared = new Set(settings.template.parameters.map((p) => p.key));
  for (const key of actual.keys())
    if (key && !declared.has(key)) differences.push(`parameters: ${key} is not a parameter of this template`);
  const skipped: string[] = [];
  for (const t of settings.template.parameters) {
    if (noEcho.has(t.key)) {
      skipped.push(t.key);
      continue;
    }
    const p = given.get(t.key);
    const keepsPrevious = p?.usePreviousValue || (!p && current.has(t.key));
    const wanted = keepsPrevious ? current.get(t.key) : p ? p.value : t.default;
    const value = actual.get(t.key);
    // AWS lists every parameter; an endpoint that lists only those given leaves the Default (same template).
    if (value === undefined && !p && !keepsPrevious) continue;
    if (value !== wanted) differences.push(`parameters: ${t.key} has another value than this run gives it`);
  }
  const notes = skipped.length
    ? [
        `The NoEcho parameters ${skipped.join(', ')} were not compared: CloudFormation returns their values masked.`,
      ]
    : [];
  return { differences, notes };
}

/** User tags and the provenance tags that decide the change must match; run URL and actor differ per run. */
function tags(actual: CfnTag[], wanted: CfnTag[]): string[] {
  const key = (list: CfnTag[]) =>
    new Map(list.filter((t) => t.Key && !PER_RUN_TAGS.has(t.Key)).map((t) => [t.Key ?? '', t.Value ?? '']));
  const a = key(actual);
  const w = key(wanted);
  const differing = [...new Set([...a.keys(), ...w.keys()])].filter((k) => a.get(k) !== w.get(k)).sort();
  return differing.length ? [`tags: ${differing.join(', ')} differ from this run's`] : [];
}

/**
 * DescribeChangeSet does not report the change set's RoleARN. CloudFormation runs a change set with its own role or,
 * when it names none, the stack's; only principals allowed iam:PassRole of a role can name it, and the bootstrap
 * lets only the release planner and the deploy role pass the execution role. So the stack's role must be this
 * run's execution role: then every change set our roles can make runs with it.
 */
function role(settings: Settings, stack: Stack | undefined, notes: string[]): string[] {
  const actual = stack?.RoleARN || undefined;
  if (actual === settings.executionRoleArn) return [];
  if (!actual && stack?.StackStatus === 'REVIEW_IN_PROGRESS') {
    // A new stack shows no role until created: without one, CloudFormation would act with the deploy role's own
    // (CloudFormation-only) rights, so nothing is gained by a change set that names none.
    notes.push("The new stack's execution role could not be read before its first execute.");
    return [];
  }
  return [
    `execution role: the stack runs with ${actual ?? 'no execution role'}, this run with ${settings.executionRoleArn ?? 'none'} (a change of execution role takes mode: deploy)`,
  ];
}

/**
 * Options this product never sets (any of them means someone else made the change set), and the two it does:
 * nested stacks always, OnStackFailure as `on-create-failure` says for a CREATE (CloudFormation's default ROLLBACK too).
 */
function options(cs: DescribeChangeSetCommandOutput, settings: Settings): string[] {
  const out: string[] = [];
  if ((cs.NotificationARNs ?? []).length > 0) out.push('notifications: the change set notifies SNS topics');
  if ((cs.RollbackConfiguration?.RollbackTriggers ?? []).length > 0)
    out.push('rollback configuration: the change set has rollback triggers');
  if (cs.IncludeNestedStacks === false)
    out.push('nested stacks: the change set leaves nested stacks out, so their changes were never reviewed');
  if (cs.ImportExistingResources) out.push('import: the change set imports existing resources');
  if (cs.DeploymentMode) out.push(`deployment mode: the change set uses ${cs.DeploymentMode}`);
  const wanted = ON_STACK_FAILURE[settings.onCreateFailure];
  if (cs.OnStackFailure && cs.OnStackFailure !== 'ROLLBACK' && cs.OnStackFailure !== wanted)
    out.push(`on stack failure: the change set does ${cs.OnStackFailure}, this run ${wanted}`);
  return out;
}

/** The refusal of a change set that is not this run's: says what differs; nothing was executed or deleted. */
export function refusalOf(name: string, verification: Verification): UserError {
  return new UserError(
    `Refusing to execute change set ${name}: it is not what this run would create — ${verification.differences.join('; ')}. Nothing was executed and nothing was deleted.`,
    'Execute the change-set-id of the plan made from exactly this commit and inputs, or plan again (keep-change-set: true). ' +
      'If nobody you know made this change set, find who did in CloudTrail (CreateChangeSet).',
  );
}
