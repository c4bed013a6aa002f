// Stack drift detection, which moto lacks, from scripted results:
//   drift: { detectSeconds, failReason, pageSize, resources: [{ logicalId, resourceType, physicalId, status,
//            expectedProperties, actualProperties, differences: [{ path, expected, actual, type }] }] }
// Resources of the stack (in moto) that the scenario does not name are reported IN_SYNC. Without `drift` in the
// scenario the requests go to moto, which does not know them.
//
// AWS CloudFormation API Reference:
// - DetectStackDrift (docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DetectStackDrift.html):
//   StackName, LogicalResourceIds → StackDriftDetectionId.
// - DescribeStackDriftDetectionStatus (…/API_DescribeStackDriftDetectionStatus.html): DetectionStatus
//   DETECTION_IN_PROGRESS | DETECTION_COMPLETE | DETECTION_FAILED ("failed for at least one resource in the stack.
//   Results will be available for resources on which CloudFormation successfully completed drift detection"),
//   DetectionStatusReason, StackDriftStatus DRIFTED | IN_SYNC | UNKNOWN | NOT_CHECKED, DriftedStackResourceCount
//   ("NULL until the drift detection operation reaches a status of DETECTION_COMPLETE"), Timestamp.
// - DescribeStackResourceDrifts (…/API_DescribeStackResourceDrifts.html): StackResourceDriftStatusFilters,
//   MaxResults (1–100), NextToken; StackResourceDrift (…/API_StackResourceDrift.html) with PropertyDifferences
//   (…/API_PropertyDifference.html: PropertyPath, ExpectedValue, ActualValue, DifferenceType ADD | REMOVE | NOT_EQUAL).
import { randomUUID } from 'node:crypto';
import { asList } from '../wire.mjs';
import { scenarioFor } from './change-sets.mjs';

const detections = (ctx) => ctx.state('drift', () => ({ byId: new Map() }));
const DRIFTED = new Set(['MODIFIED', 'DELETED']);

async function detect(ctx, script) {
  const described = await ctx.upstream('DescribeStacks', { StackName: ctx.params.StackName });
  if (described.status !== 200) return described;
  const stack = asList(described.result.Stacks)[0];
  const listed = await ctx.upstream('DescribeStackResources', { StackName: stack.StackId });
  const only = asList(ctx.params.LogicalResourceIds);
  const scripted = new Map((script.resources ?? []).map((r) => [r.logicalId, r]));
  const fromMoto = asList(listed.result.StackResources).map((r) => ({
    logicalId: r.LogicalResourceId,
    resourceType: r.ResourceType,
    physicalId: r.PhysicalResourceId,
    status: 'IN_SYNC',
    ...scripted.get(r.LogicalResourceId),
  }));
  const extra = [...scripted.values()].filter((r) => !fromMoto.some((m) => m.logicalId === r.logicalId));
  const resources = [...fromMoto, ...extra].filter((r) => only.length === 0 || only.includes(r.logicalId));
  const id = randomUUID();
  detections(ctx).byId.set(id, {
    id,
    stackId: stack.StackId,
    stackName: stack.StackName,
    startedAt: Date.now(),
    seconds: Number(script.detectSeconds ?? 0),
    failReason: script.failReason,
    pageSize: script.pageSize,
    resources,
  });
  return ctx.result({ StackDriftDetectionId: id });
}

function progress(d, now = Date.now()) {
  if (now - d.startedAt < d.seconds * 1000) return 'DETECTION_IN_PROGRESS';
  return d.failReason ? 'DETECTION_FAILED' : 'DETECTION_COMPLETE';
}

function status(ctx) {
  const d = detections(ctx).byId.get(ctx.params.StackDriftDetectionId);
  if (!d)
    return ctx.error(
      400,
      'ValidationError',
      `Drift detection [${ctx.params.StackDriftDetectionId}] not found`,
    );
  const state = progress(d);
  const drifted = d.resources.filter((r) => DRIFTED.has(r.status)).length;
  return ctx.result({
    StackId: d.stackId,
    StackDriftDetectionId: d.id,
    StackDriftStatus: state === 'DETECTION_IN_PROGRESS' ? undefined : drifted ? 'DRIFTED' : 'IN_SYNC',
    DetectionStatus: state,
    DetectionStatusReason: state === 'DETECTION_FAILED' ? d.failReason : undefined,
    DriftedStackResourceCount: state === 'DETECTION_COMPLETE' ? drifted : undefined,
    Timestamp: new Date(d.startedAt),
  });
}

function toDrift(d, r) {
  return {
    StackId: d.stackId,
    LogicalResourceId: r.logicalId,
    PhysicalResourceId: r.physicalId,
    ResourceType: r.resourceType,
    ExpectedProperties: r.expectedProperties,
    ActualProperties: r.status === 'DELETED' ? undefined : r.actualProperties,
    PropertyDifferences:
      r.status === 'MODIFIED'
        ? (r.differences ?? []).map((p) => ({
            PropertyPath: p.path,
            ExpectedValue: p.expected ?? '',
            ActualValue: p.actual ?? '',
            DifferenceType: p.type,
          }))
        : undefined,
    StackResourceDriftStatus: r.status,
    Timestamp: new Date(d.startedAt + d.seconds * 1000),
  };
}

function resourceDrifts(ctx) {
  const { StackName, StackResourceDriftStatusFilters, MaxResults, NextToken } = ctx.params;
  const latest = [...detections(ctx).byId.values()]
    .filter(
      (d) =>
        (d.stackName === StackName || d.stackId === StackName) && progress(d) !== 'DETECTION_IN_PROGRESS',
    )
    .sort((a, b) => b.startedAt - a.startedAt)[0];
  if (!latest) return ctx.result({ StackResourceDrifts: [] });
  const filters = asList(StackResourceDriftStatusFilters);
  const all = latest.resources.filter((r) => filters.length === 0 || filters.includes(r.status));
  const size = Math.min(Number(MaxResults ?? latest.pageSize ?? 100), 100);
  const start = NextToken ? Number(Buffer.from(String(NextToken), 'base64url').toString().split(':')[1]) : 0;
  if (!Number.isInteger(start) || start < 0) return ctx.error(400, 'ValidationError', 'Invalid NextToken');
  const page = all.slice(start, start + size);
  const next =
    start + size < all.length ? Buffer.from(`${latest.id}:${start + size}`).toString('base64url') : undefined;
  return ctx.result({ StackResourceDrifts: page.map((r) => toDrift(latest, r)), NextToken: next });
}

export default {
  name: 'drift',
  reference: 'docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DetectStackDrift.html',
  handle(ctx, next) {
    if (ctx.service !== 'cloudformation') return next();
    const known = ['DetectStackDrift', 'DescribeStackDriftDetectionStatus', 'DescribeStackResourceDrifts'];
    if (!known.includes(ctx.operation)) return next();
    const script = scenarioFor(ctx, ctx.params.StackName).drift;
    if (!script && detections(ctx).byId.size === 0) return next();
    if (ctx.operation === 'DetectStackDrift') return script ? detect(ctx, script) : next();
    if (ctx.operation === 'DescribeStackDriftDetectionStatus') return status(ctx);
    return resourceDrifts(ctx);
  },
};
