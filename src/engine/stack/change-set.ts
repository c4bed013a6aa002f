import { describeReviewed } from './verify.js';
import {
  CreateChangeSetCommand,
  DeleteChangeSetCommand,
  DescribeChangeSetCommand,
  ExecuteChangeSetCommand,
  type Change,
  type CloudFormationClient,
  type CreateChangeSetCommandInput,
  type DescribeChangeSetCommandOutput,
  type Parameter as CfnParameter,
  type Stack,
  type Tag as CfnTag,
} from '@aws-sdk/client-cloudformation';
import type { AwsClients } from '../../aws/clients.js';
import { UserError, awsErrorName, errorMessage, isChangeSetNotFound } from '../../errors.js';
import type { Logger } from '../../logger.js';
import type { Settings } from '../../config/settings.js';
import { DESCRIPTION_PREFIX } from './fingerprint.js';
import { ON_STACK_FAILURE, clientToken, isPullRequestRun } from './names.js';
import { RequestBudget, pacedPoll, wasRetried } from '../pace.js';

/** CloudFormation's limit for an inline TemplateBody. */
export const INLINE_TEMPLATE_LIMIT = 51_200;

const NO_CHANGES = ["The submitted information didn't contain changes", 'No updates are to be performed'];

/**
 * The one place that recognises "nothing to change": CloudFormation's FAILED change set reasons, and
 * the ValidationError some endpoints return from CreateChangeSet instead.
 */
export function isNoChanges(reasonOrError: unknown): boolean {
  const text =
    typeof reasonOrError === 'string'
      ? reasonOrError
      : awsErrorName(reasonOrError) === 'ValidationError'
        ? errorMessage(reasonOrError)
        : '';
  return NO_CHANGES.some((t) => text.includes(t));
}

export { CHANGE_SET_PREFIX, changeSetName, isPullRequestRun } from './names.js';

export interface CreateRequest {
  type: 'CREATE' | 'UPDATE';
  name: string;
  fingerprint: string;
  /** The stack as it is, for UsePreviousValue of parameters nobody set. */
  current?: Stack;
  tags: CfnTag[];
  /** REVERT_DRIFT: a drift-aware change set that restores drifted resources to the template (UPDATE only). */
  deploymentMode?: 'REVERT_DRIFT';
}

export async function createChangeSet(
  clients: AwsClients,
  settings: Settings,
  request: CreateRequest,
): Promise<{ id: string; stackId: string }> {
  const input: CreateChangeSetCommandInput = {
    StackName: settings.stackName,
    ChangeSetName: request.name,
    ChangeSetType: request.type,
    // A label for people only: `execute` verifies the change set itself, never this text (ADR 006).
    Description: `${DESCRIPTION_PREFIX}${request.fingerprint}`,
    ...(await templateSource(clients, settings, request.fingerprint)),
    Parameters: requestParameters(settings, request.current, request.type),
    Capabilities: settings.capabilities,
    RoleARN: changeSetRole(settings),
    Tags: request.tags,
    // Nested stacks get change sets of their own, so their changes can be read and guarded too.
    IncludeNestedStacks: true,
    // Only a CREATE takes it: a failed first create is deleted by default, never stranded in ROLLBACK_COMPLETE.
    ...(request.type === 'CREATE' ? { OnStackFailure: ON_STACK_FAILURE[settings.onCreateFailure] } : {}),
    ...(request.deploymentMode ? { DeploymentMode: request.deploymentMode } : {}),
  };
  try {
    const out = await clients.cloudformation.send(
      new CreateChangeSetCommand({ ...input, ClientToken: clientToken(input) }),
    );
    return { id: out.Id ?? request.name, stackId: out.StackId ?? '' };
  } catch (error) {
    // An answer lost after AWS made the change set: the SDK's retry finds the name taken. The name is unique to
    // this request, so the change set of that name with this request's Description is this run's own.
    if (awsErrorName(error) !== 'AlreadyExistsException') throw error;
    const made = await describeReviewed(clients.cloudformation, settings, request.name);
    if (!made?.ChangeSetId || made.Description !== input.Description) throw error;
    return { id: made.ChangeSetId, stackId: made.StackId ?? '' };
  }
}

/**
 * The execution role a change set names. A pull request's plan names none: the pull-request plan role may not
 * pass the execution role (so nothing it makes could run with it), and a plan is never executed.
 */
export function changeSetRole(settings: Settings): string | undefined {
  return settings.mode === 'plan' && isPullRequestRun(settings.provenance)
    ? undefined
    : settings.executionRoleArn;
}

/** Inline up to CloudFormation's limit; above it, through `template-bucket` (content-addressed key). */
async function templateSource(
  clients: AwsClients,
  settings: Settings,
  fingerprint: string,
): Promise<{ TemplateBody: string } | { TemplateURL: string }> {
  const size = Buffer.byteLength(settings.template.body, 'utf8');
  if (size <= INLINE_TEMPLATE_LIMIT) return { TemplateBody: settings.template.body };
  if (!settings.templateBucket) {
    throw new UserError(
      `The template ${settings.template.path} is ${size} bytes; CloudFormation takes at most ${INLINE_TEMPLATE_LIMIT} bytes inline.`,
      "Set 'template-bucket' to an S3 bucket in this account and region that the deploy role can write to.",
    );
  }
  const { bucket, prefix } = settings.templateBucket;
  const key = `${prefix}${settings.stackName}/${fingerprint}.template`;
  const { PutObjectCommand } = await import('@aws-sdk/client-s3');
  await (
    await clients.s3()
  ).send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: settings.template.body }));
  const host = `${bucket}.s3.${settings.region}.amazonaws.com${settings.region.startsWith('cn-') ? '.cn' : ''}`;
  return { TemplateURL: `https://${host}/${key.split('/').map(encodeURIComponent).join('/')}` };
}

/**
 * This run's parameters; on an UPDATE, UsePreviousValue for those the stack has and nobody set. A CREATE
 * has no previous values (CloudFormation refuses UsePreviousValue there): such a parameter takes its Default.
 */
export function requestParameters(
  settings: Settings,
  current: Stack | undefined,
  type: 'CREATE' | 'UPDATE' = current ? 'UPDATE' : 'CREATE',
): CfnParameter[] {
  const given = new Map(settings.parameters.map((p) => [p.key, p]));
  const previous = new Set(type === 'UPDATE' ? (current?.Parameters ?? []).map((p) => p.ParameterKey) : []);
  return settings.template.parameters.flatMap((t): CfnParameter[] => {
    const p = given.get(t.key);
    if (type === 'UPDATE' && (p?.usePreviousValue || (!p && previous.has(t.key))))
      return [{ ParameterKey: t.key, UsePreviousValue: true }];
    return p && !p.usePreviousValue ? [{ ParameterKey: t.key, ParameterValue: p.value }] : [];
  });
}

/**
 * Most change sets are made in a few seconds: half-second polls while the burst lasts (8 s), then one a
 * second, so a wait of T seconds costs at most T + 8 requests and notices the end within half a second.
 */
export const CHANGE_SET_PACE = { intervalMs: 500, perSecond: 1, burst: 8 };

export type ChangeSetOutcome =
  | { kind: 'ready'; description: DescribeChangeSetCommandOutput; changes: Change[] }
  | { kind: 'no-changes'; reason: string }
  | { kind: 'failed'; reason: string };

/** Waits for the change set to be created, then reads every page of its changes. */
export async function waitForChangeSet(
  cfn: CloudFormationClient,
  stackName: string,
  changeSetId: string,
  options: { deadline: number; signal?: AbortSignal; logger?: Pick<Logger, 'progress'> },
): Promise<ChangeSetOutcome> {
  let lastStatus = 'unknown';
  const budget = new RequestBudget(CHANGE_SET_PACE.perSecond, CHANGE_SET_PACE.burst);
  const since = Date.now();
  // Short enough for an 80-column terminal: the change set's name is on the line before.
  const what = 'the change set to be created';
  const first = await pacedPoll(
    async () => {
      budget.spend();
      const out = await describePage(cfn, stackName, changeSetId);
      lastStatus = out.Status ?? 'unknown';
      const pending = out.Status === 'CREATE_PENDING' || out.Status === 'CREATE_IN_PROGRESS';
      // A live line on a terminal; in a log, a line on every new status and at least every 5 s.
      if (pending) options.logger?.progress({ what, since, latest: lastStatus });
      return { value: pending ? undefined : out, retried: wasRetried(out) };
    },
    {
      what: `change set ${changeSetId} to be created`,
      deadline: options.deadline,
      signal: options.signal,
      budget,
      intervalMs: () => CHANGE_SET_PACE.intervalMs,
      describe: () => lastStatus,
    },
  ).finally(() => options.logger?.progress(undefined));
  if (first.Status === 'FAILED') {
    const reason = first.StatusReason ?? 'no reason given';
    return isNoChanges(reason) ? { kind: 'no-changes', reason } : { kind: 'failed', reason };
  }
  return { kind: 'ready', description: first, changes: await allChanges(cfn, stackName, changeSetId, first) };
}

/** Every page of a change set's changes (a nested change set is named by its ARN alone). */
export async function allChanges(
  cfn: CloudFormationClient,
  stackName: string | undefined,
  changeSetId: string,
  first?: DescribeChangeSetCommandOutput,
): Promise<Change[]> {
  const page1 = first ?? (await describePage(cfn, stackName, changeSetId));
  const changes = [...(page1.Changes ?? [])];
  let token = page1.NextToken;
  for (let page = 0; token && page < 1_000; page++) {
    const next = await describePage(cfn, stackName, changeSetId, token);
    changes.push(...(next.Changes ?? []));
    token = next.NextToken;
  }
  return changes;
}

function describePage(
  cfn: CloudFormationClient,
  stackName: string | undefined,
  changeSetName: string,
  nextToken?: string,
) {
  return cfn.send(
    new DescribeChangeSetCommand({
      StackName: stackName,
      ChangeSetName: changeSetName,
      NextToken: nextToken,
      IncludePropertyValues: true,
    }),
  );
}

export async function executeChangeSet(
  cfn: CloudFormationClient,
  stackName: string,
  changeSetId: string,
  token: string,
  type: 'CREATE' | 'UPDATE' = 'UPDATE',
) {
  await cfn.send(
    new ExecuteChangeSetCommand({
      StackName: stackName,
      ChangeSetName: changeSetId,
      ClientRequestToken: token,
      // An UPDATE always rolls back, whatever an earlier caller chose. A CREATE carries OnStackFailure,
      // with which CloudFormation refuses DisableRollback.
      ...(type === 'UPDATE' ? { DisableRollback: false } : {}),
    }),
  );
}

/** Deletes a change set; a missing one is already gone (some endpoints answer 500 for that). */
export async function deleteChangeSet(
  cfn: CloudFormationClient,
  stackName: string,
  changeSetId: string,
): Promise<void> {
  try {
    await cfn.send(new DeleteChangeSetCommand({ StackName: stackName, ChangeSetName: changeSetId }));
  } catch (error) {
    if (isChangeSetNotFound(error)) return;
    throw error;
  }
}
