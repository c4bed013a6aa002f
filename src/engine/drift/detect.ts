/**
 * Drift detection on one existing stack: DetectStackDrift → DescribeStackDriftDetectionStatus (the shared
 * adaptive poller) → DescribeStackResourceDrifts (every page). ListStackResources runs alongside the wait, to
 * name the resources detection did not check (types without drift support, or ones it failed on).
 *
 * AWS CloudFormation API Reference: DetectStackDrift, DescribeStackDriftDetectionStatus ("DETECTION_FAILED: …
 * failed for at least one resource in the stack. Results will be available for resources on which CloudFormation
 * successfully completed drift detection."), DescribeStackResourceDrifts ("Resources that don't currently support
 * drift detection aren't checked, and so not included").
 */
import {
  DescribeStackDriftDetectionStatusCommand,
  DescribeStackResourceDriftsCommand,
  DetectStackDriftCommand,
  ListStackResourcesCommand,
  type CloudFormationClient,
  type DescribeStackDriftDetectionStatusCommandOutput,
  type StackResourceDrift,
  type StackResourceSummary,
} from '@aws-sdk/client-cloudformation';
import { awsErrorName, errorMessage } from '../../errors.js';
import type { DriftProperty } from '../../report/model.js';
import { poll } from '../wait.js';

/** The most pages read of one paginated list (100 drifts or resources a page: 100,000 — beyond any stack). */
const MAX_PAGES = 1_000;

export interface DetectOptions {
  deadline: number;
  signal?: AbortSignal;
  now?: () => number;
}

/** A resource drift detection found MODIFIED or DELETED, before attribution. */
export interface RawDrift {
  logicalId: string;
  type: string;
  physicalId?: string;
  status: 'MODIFIED' | 'DELETED';
  properties: DriftProperty[];
}

export interface Detection {
  status: 'drifted' | 'in-sync' | 'unknown';
  checkedAt?: string;
  drifted: RawDrift[];
  notChecked: { logicalId: string; type: string }[];
  problem?: string;
}

/**
 * Detects drift. `start` is the client for DetectStackDrift itself: single-attempt, so an endpoint without drift
 * detection costs one request, not a retry storm. Never throws: what could not be learnt is in `problem`.
 */
export async function detectDrift(
  cfn: CloudFormationClient,
  start: CloudFormationClient,
  stackId: string,
  options: DetectOptions,
): Promise<Detection> {
  let detectionId: string;
  try {
    const out = await start.send(new DetectStackDriftCommand({ StackName: stackId }));
    if (!out.StackDriftDetectionId) return unknown('DetectStackDrift returned no detection ID.');
    detectionId = out.StackDriftDetectionId;
  } catch (error) {
    return unknown(`DetectStackDrift failed: ${short(error)}`, error);
  }
  // Which resources the stack has: read while detection runs, it does not change meanwhile.
  const listing = listResources(cfn, stackId).catch(() => undefined);
  let status: DescribeStackDriftDetectionStatusCommandOutput;
  try {
    status = await waitForDetection(cfn, detectionId, options);
  } catch (error) {
    return unknown(`drift detection did not finish: ${short(error)}`, error);
  }
  let drifts: StackResourceDrift[];
  try {
    drifts = await resourceDrifts(cfn, stackId);
  } catch (error) {
    return unknown(`DescribeStackResourceDrifts failed: ${short(error)}`, error);
  }
  const drifted = drifts.flatMap(toRawDrift);
  // Not checked: said so in the results (NOT_CHECKED, UNSUPPORTED…), or absent from them (AWS leaves them out).
  const checked = new Set(drifts.filter(isChecked).map((d) => d.LogicalResourceId));
  const notChecked = [...drifts, ...((await listing) ?? [])]
    .filter((r) => r.LogicalResourceId && !checked.has(r.LogicalResourceId))
    .map((r) => ({ logicalId: r.LogicalResourceId ?? '', type: r.ResourceType ?? 'unknown' }))
    .filter((r, i, all) => all.findIndex((o) => o.logicalId === r.logicalId) === i);
  const failed = status.DetectionStatus === 'DETECTION_FAILED';
  return {
    status: drifted.length > 0 ? 'drifted' : failed ? 'unknown' : 'in-sync',
    checkedAt: (status.Timestamp ?? new Date(options.now?.() ?? Date.now())).toISOString(),
    drifted,
    notChecked,
    problem: failed
      ? `drift detection failed for some resources: ${status.DetectionStatusReason ?? 'no reason given'}`
      : undefined,
  };
}

function unknown(problem: string, error?: unknown): Detection {
  const denied = error !== undefined && /AccessDenied|UnauthorizedOperation/.test(awsErrorName(error));
  return {
    status: 'unknown',
    drifted: [],
    notChecked: [],
    problem: denied
      ? `${problem} (the role needs the drift rights of the generated policy; see the README's Drift section)`
      : problem,
  };
}

async function waitForDetection(cfn: CloudFormationClient, id: string, options: DetectOptions) {
  let last = 'DETECTION_IN_PROGRESS';
  return poll(
    async () => {
      const out = await cfn.send(new DescribeStackDriftDetectionStatusCommand({ StackDriftDetectionId: id }));
      last = out.DetectionStatus ?? last;
      return out.DetectionStatus === 'DETECTION_IN_PROGRESS' ? undefined : out;
    },
    {
      what: `drift detection ${id}`,
      deadline: options.deadline,
      signal: options.signal,
      now: options.now,
      initialMs: 500,
      maxMs: 5_000,
      describe: () => last,
    },
  );
}

async function resourceDrifts(cfn: CloudFormationClient, stackId: string): Promise<StackResourceDrift[]> {
  const all: StackResourceDrift[] = [];
  let token: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const out = await cfn.send(
      new DescribeStackResourceDriftsCommand({ StackName: stackId, NextToken: token, MaxResults: 100 }),
    );
    all.push(...(out.StackResourceDrifts ?? []));
    token = out.NextToken;
    if (!token) break;
  }
  return all;
}

async function listResources(cfn: CloudFormationClient, stackId: string): Promise<StackResourceSummary[]> {
  const all: StackResourceSummary[] = [];
  let token: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const out = await cfn.send(new ListStackResourcesCommand({ StackName: stackId, NextToken: token }));
    all.push(...(out.StackResourceSummaries ?? []));
    token = out.NextToken;
    if (!token) break;
  }
  return all;
}

/** A drift result that says something about the resource (newer statuses mean "could not check"). */
function isChecked(d: StackResourceDrift): boolean {
  return ['IN_SYNC', 'MODIFIED', 'DELETED'].includes(d.StackResourceDriftStatus ?? '');
}

function toRawDrift(d: StackResourceDrift): RawDrift[] {
  const status = d.StackResourceDriftStatus;
  if ((status !== 'MODIFIED' && status !== 'DELETED') || !d.LogicalResourceId) return [];
  return [
    {
      logicalId: d.LogicalResourceId,
      type: d.ResourceType ?? 'unknown',
      physicalId: d.PhysicalResourceId || undefined,
      status,
      properties: (d.PropertyDifferences ?? []).map((p) => ({
        path: p.PropertyPath ?? '',
        expected: p.ExpectedValue,
        actual: p.ActualValue,
        difference: p.DifferenceType ?? 'NOT_EQUAL',
      })),
    },
  ];
}

/** An error in one line, short enough for a report. */
export function short(error: unknown): string {
  const text = errorMessage(error).replace(/\s+/g, ' ').trim();
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}
