// Change sets as AWS shows them while and after they are made (moto makes them instantly, with bare Changes):
//   changeSet: { createSeconds, fail: { reason, validationErrors } }, changes: [...], replaceChanges, nested: {...}
//
// AWS CloudFormation API Reference:
// - DescribeChangeSet (docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeChangeSet.html):
//   Status CREATE_PENDING | CREATE_IN_PROGRESS | CREATE_COMPLETE | FAILED …, ExecutionStatus UNAVAILABLE until the
//   change set is AVAILABLE; StatusReason "if your attempt to create a change set failed, CloudFormation shows the
//   error message"; IncludePropertyValues: "If true, the returned changes include detailed changes in the property
//   values" (BeforeContext/AfterContext, Details' BeforeValue/AfterValue); ParentChangeSetId, RootChangeSetId and
//   IncludeNestedStacks for nested stacks.
// - Change / ResourceChange / ResourceChangeDetail / ResourceTargetDefinition (…/API_ResourceChange.html,
//   …/API_ResourceChangeDetail.html, …/API_ResourceTargetDefinition.html): Replacement True | False | Conditional,
//   Scope, Details (Target Attribute/Name/RequiresRecreation/Path/BeforeValue/AfterValue/AttributeChangeType,
//   Evaluation Static | Dynamic, ChangeSource, CausingEntity), PolicyAction, ChangeSetId of a nested stack's change set;
//   for drift-aware change sets (CreateChangeSet DeploymentMode REVERT_DRIFT): StackDriftStatus, ResourceDriftStatus,
//   ResourceDriftIgnoredAttributes, PreviousDeploymentContext, Target BeforeValueFrom ACTUAL_STATE / AfterValueFrom /
//   Drift { PreviousValue, ActualValue, DriftDetectionTimestamp }, Action / AttributeChangeType SyncWithActual.
// - ExecuteChangeSet (…/API_ExecuteChangeSet.html), error InvalidChangeSetStatus: "The specified change set can't be
//   used to update the stack. For example, the change set status might be CREATE_IN_PROGRESS".
// - ListChangeSets (…/API_ListChangeSets.html): "Returns the ID and status of each active change set for a stack";
//   ChangeSetSummary Status/ExecutionStatus as above.
import { randomUUID } from 'node:crypto';
import YAML from 'yaml';
import { asList, queryResultOf } from '../wire.mjs';
import { changeSets, findChangeSet } from './change-sets.mjs';
import { NO_CHANGES_REASON } from './no-changes.mjs';

export const EARLY_VALIDATION_REASON =
  'The following hook(s)/validation failed: [AWS::EarlyValidation::PropertyValidation]. To troubleshoot Early Validation errors, use the DescribeEvents API for detailed failure information.';

/** { status, execution } of a change set record now. */
export function statusOf(record, now = Date.now()) {
  const seconds = Number(record.scenario.changeSet?.createSeconds ?? 0);
  const elapsed = (now - record.createdAt) / 1000;
  if (elapsed < seconds) {
    return {
      status: elapsed < seconds / 3 ? 'CREATE_PENDING' : 'CREATE_IN_PROGRESS',
      execution: 'UNAVAILABLE',
    };
  }
  if (record.scenario.changeSet?.fail || record.noChanges) {
    return { status: 'FAILED', execution: 'UNAVAILABLE', failed: true };
  }
  return { status: 'CREATE_COMPLETE', execution: record.executed ? 'EXECUTE_COMPLETE' : 'AVAILABLE' };
}

/** The StatusReason of a FAILED change set. */
export function reasonOf(record) {
  if (record.noChanges) return NO_CHANGES_REASON;
  return record.scenario.changeSet?.fail?.reason ?? EARLY_VALIDATION_REASON;
}

/** Keys of the template's NoEcho parameters (JSON or YAML; CloudFormation's short tags are read as plain values). */
export function noEchoKeys(template) {
  let doc;
  try {
    doc = JSON.parse(template);
  } catch {
    try {
      doc = YAML.parse(template, { logLevel: 'silent' });
    } catch {
      return [];
    }
  }
  const parameters = doc && typeof doc === 'object' ? (doc.Parameters ?? {}) : {};
  return Object.entries(parameters)
    .filter(([, p]) => p && String(p.NoEcho).toLowerCase() === 'true')
    .map(([key]) => key);
}

/** Request fields moto does not echo in DescribeChangeSet (it drops Capabilities, for one). */
const ECHOED = [
  'Description',
  'Capabilities',
  'NotificationARNs',
  'RollbackConfiguration',
  'OnStackFailure',
  'ImportExistingResources',
  'DeploymentMode',
];

/** A scripted change in the API's Change shape (values only when IncludePropertyValues asked for them). */
export function toChange(c, withValues) {
  const rc = {
    PolicyAction: c.policyAction,
    Action: c.action ?? 'Modify',
    LogicalResourceId: c.logicalId,
    PhysicalResourceId: c.physicalId,
    ResourceType: c.resourceType,
    Replacement: c.replacement,
    Scope: c.scope,
    ResourceDriftStatus: c.resourceDriftStatus,
    ResourceDriftIgnoredAttributes: c.driftIgnoredAttributes?.map((a) => ({
      Path: a.path,
      Reason: a.reason,
    })),
    Details: c.details?.map((d) => ({
      Target: {
        Attribute: d.target.attribute,
        Name: d.target.name,
        RequiresRecreation: d.target.requiresRecreation,
        Path: d.target.path,
        BeforeValue: withValues ? d.target.beforeValue : undefined,
        AfterValue: withValues ? d.target.afterValue : undefined,
        AttributeChangeType: d.target.attributeChangeType,
        BeforeValueFrom: d.target.beforeValueFrom,
        AfterValueFrom: d.target.afterValueFrom,
        Drift: d.target.drift && {
          PreviousValue: withValues ? d.target.drift.previousValue : undefined,
          ActualValue: withValues ? d.target.drift.actualValue : undefined,
          DriftDetectionTimestamp: d.target.drift.detectedAt && new Date(d.target.drift.detectedAt),
        },
      },
      Evaluation: d.evaluation,
      ChangeSource: d.changeSource,
      CausingEntity: d.causingEntity,
    })),
    ChangeSetId: c.changeSetId,
    ModuleInfo: c.moduleInfo,
    BeforeContext: withValues ? c.beforeContext : undefined,
    AfterContext: withValues ? c.afterContext : undefined,
    PreviousDeploymentContext: withValues ? c.previousDeploymentContext : undefined,
  };
  return { Type: 'Resource', ResourceChange: rc };
}

/** moto's Changes with the scripted ones merged on by logical ID (or replacing them). */
function mergedChanges(motoChanges, script, nestedIds, withValues) {
  const scripted = (script.changes ?? []).map((c) => ({
    ...c,
    changeSetId: c.changeSetId ?? nestedIds[c.logicalId],
  }));
  for (const [logicalId, id] of Object.entries(nestedIds)) {
    if (!scripted.some((c) => c.logicalId === logicalId)) {
      scripted.push({
        logicalId,
        action: 'Modify',
        resourceType: 'AWS::CloudFormation::Stack',
        changeSetId: id,
      });
    }
  }
  const base = script.replaceChanges ? [] : asList(motoChanges);
  const out = base.map((change) => {
    const own = scripted.find((c) => c.logicalId === change.ResourceChange?.LogicalResourceId);
    if (!own) return change;
    const overlay = toChange({ resourceType: change.ResourceChange.ResourceType, ...own }, withValues);
    const rc = { ...change.ResourceChange, ...dropUndefined(overlay.ResourceChange) };
    if (!own.action) rc.Action = change.ResourceChange.Action;
    return { ...change, ResourceChange: rc };
  });
  for (const c of scripted) {
    if (!out.some((o) => o.ResourceChange?.LogicalResourceId === c.logicalId))
      out.push(toChange(c, withValues));
  }
  return out;
}

const dropUndefined = (o) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

/** Nested change sets (IncludeNestedStacks) as records of their own, answered without moto. */
async function makeNested(ctx, parent, nested, root) {
  const ids = {};
  for (const [logicalId, script] of Object.entries(nested ?? {})) {
    const suffix = randomUUID().slice(0, 8).toUpperCase();
    const name = `${parent.name}-${logicalId}-${suffix}`;
    const arn = `arn:aws:cloudformation:${ctx.region}:${ctx.account}:changeSet/${name}/${randomUUID()}`;
    // The nested stack moto made for the resource, if it did (AWS names one PARENT-LOGICALID-SUFFIX).
    const existing = await ctx.upstream('DescribeStackResource', {
      StackName: parent.stackName,
      LogicalResourceId: logicalId,
    });
    const physical = existing.result.StackResourceDetail?.PhysicalResourceId;
    const stackId = /:stack\//.test(physical ?? '')
      ? physical
      : `arn:aws:cloudformation:${ctx.region}:${ctx.account}:stack/${parent.stackName}-${logicalId}-${suffix}/${randomUUID()}`;
    const stackName = /:stack\/([^/]+)\//.exec(stackId)[1];
    const record = {
      arn,
      name,
      stackName,
      stackId,
      createdAt: parent.createdAt,
      executed: false,
      includeNestedStacks: true,
      parentArn: parent.arn,
      rootArn: root.arn,
      nestedOf: parent.stackName,
      scenario: {
        ...parent.scenario,
        changes: script.changes ?? [],
        replaceChanges: true,
        nested: script.nested,
      },
    };
    changeSets(ctx).byArn.set(arn, record);
    record.nestedIds = await makeNested(ctx, record, script.nested, root);
    ids[logicalId] = arn;
  }
  return ids;
}

function describe(ctx, record, motoResult) {
  const { status, execution, failed } = statusOf(record);
  const ready = status === 'CREATE_COMPLETE';
  const withValues = ctx.params.IncludePropertyValues === 'true';
  const echoed = Object.fromEntries(ECHOED.map((k) => [k, motoResult[k] || record.request?.[k]]));
  const masked = noEchoKeys(record.template ?? '');
  const parameters = asList(motoResult.Parameters ?? record.synthetic?.Parameters).map((p) =>
    masked.includes(p.ParameterKey) ? { ...p, ParameterValue: '****' } : p,
  );
  const result = {
    ...motoResult,
    ...record.synthetic,
    ...echoed,
    Parameters: parameters,
    ChangeSetName: record.name,
    ChangeSetId: record.arn,
    StackId: record.stackId,
    StackName: record.stackName,
    CreationTime: motoResult.CreationTime ?? new Date(record.createdAt),
    Status: status,
    ExecutionStatus: execution,
    StatusReason: failed ? reasonOf(record) : undefined,
    Changes: ready
      ? mergedChanges(motoResult.Changes, record.scenario, record.nestedIds ?? {}, withValues)
      : [],
  };
  // A drift-aware change set (DeploymentMode REVERT_DRIFT) says whether the stack had drifted.
  if (ready && record.request?.DeploymentMode === 'REVERT_DRIFT') {
    const drifted = (record.scenario.changes ?? []).some((c) =>
      ['MODIFIED', 'DELETED'].includes(c.resourceDriftStatus),
    );
    result.StackDriftStatus = drifted ? 'DRIFTED' : 'IN_SYNC';
  }
  if (record.includeNestedStacks) {
    result.IncludeNestedStacks = true;
    if (record.parentArn)
      Object.assign(result, { ParentChangeSetId: record.parentArn, RootChangeSetId: record.rootArn });
  }
  return ctx.result(result);
}

async function onCreate(ctx, next) {
  const response = await next();
  if (response.status !== 200) return response;
  const record = changeSets(ctx).byArn.get(queryResultOf(response.body).Id);
  if (record?.includeNestedStacks)
    record.nestedIds = await makeNested(ctx, record, record.scenario.nested, record);
  return response;
}

async function onDescribe(ctx, next) {
  const record = findChangeSet(ctx, ctx.params.ChangeSetName, ctx.params.StackName);
  if (!record) return next();
  if (record.parentArn || record.synthetic) return describe(ctx, record, {});
  const response = await next();
  return response.status === 200 ? describe(ctx, record, queryResultOf(response.body)) : response;
}

async function onExecute(ctx, next) {
  const record = findChangeSet(ctx, ctx.params.ChangeSetName, ctx.params.StackName);
  if (!record) return next();
  const { status, execution } = statusOf(record);
  if (execution !== 'AVAILABLE' || record.parentArn) {
    return ctx.error(
      400,
      'InvalidChangeSetStatus',
      `ChangeSet [${record.arn}] cannot be executed in its current status of [${status}]`,
    );
  }
  return next();
}

async function onList(ctx, next) {
  const response = await next();
  if (response.status !== 200) return response;
  const result = queryResultOf(response.body);
  const stack = ctx.params.StackName;
  // moto lists the change sets of the whole region; AWS those of the stack asked for.
  const own = asList(result.Summaries).filter((s) => s.StackName === stack || s.StackId === stack);
  result.Summaries = own.map((s) => {
    const record = changeSets(ctx).byArn.get(s.ChangeSetId);
    if (!record) return s;
    const { status, execution, failed } = statusOf(record);
    const reason = failed ? reasonOf(record) : s.StatusReason;
    return { ...s, Status: status, ExecutionStatus: execution, StatusReason: reason };
  });
  return ctx.result(result);
}

export default {
  name: 'change-set-status',
  reference: 'docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeChangeSet.html',
  handle(ctx, next) {
    if (ctx.service !== 'cloudformation') return next();
    if (ctx.operation === 'CreateChangeSet') return onCreate(ctx, next);
    if (ctx.operation === 'DescribeChangeSet') return onDescribe(ctx, next);
    if (ctx.operation === 'ExecuteChangeSet') return onExecute(ctx, next);
    if (ctx.operation === 'ListChangeSets') return onList(ctx, next);
    return next();
  },
};
