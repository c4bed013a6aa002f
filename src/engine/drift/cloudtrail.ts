/**
 * Who changed a drifted resource, from CloudTrail's event history: LookupEvents by ResourceName = the physical
 * ID, over a bounded look-back window, newest first; the first write event (ReadOnly false) that CloudFormation
 * did not make itself names the principal, the API call and the time. Nothing found stays unknown: never guessed.
 *
 * AWS CloudTrail API Reference, LookupEvents: one lookup attribute per request (so ReadOnly is filtered here),
 * at most 50 events a page, events of the last 90 days, "limited to two per second, per account, per Region"
 * (lookups run one after another; the client's adaptive retry absorbs throttling).
 */
import {
  LookupEventsCommand,
  type CloudTrailClient,
  type Event as TrailEvent,
} from '@aws-sdk/client-cloudtrail';
import { awsErrorName } from '../../errors.js';
import type { ChangedBy } from '../../report/model.js';
import { short } from './detect.js';

/** CloudTrail's event history holds 90 days. */
export const LOOKBACK_DAYS = 90;
/** Pages of 50 events read per resource before giving up on finding a write. */
const MAX_PAGES = 4;
/** Drifted resources looked up per run (two lookups a second: a bound on the time this adds). */
export const MAX_LOOKUPS = 20;

export interface Attribution {
  /** By physical ID; absent = unknown. */
  changedBy: Map<string, ChangedBy>;
  /** Said once when CloudTrail could not be read for any of them. */
  note?: string;
}

export async function attribute(
  physicalIds: string[],
  cloudtrail: () => Promise<CloudTrailClient>,
  options: { now: number; signal?: AbortSignal },
): Promise<Attribution> {
  const changedBy = new Map<string, ChangedBy>();
  const ids = [...new Set(physicalIds)];
  if (ids.length === 0) return { changedBy };
  const start = new Date(options.now - LOOKBACK_DAYS * 86_400_000);
  let client: CloudTrailClient;
  try {
    client = await cloudtrail();
  } catch (error) {
    return {
      changedBy,
      note: `CloudTrail could not be read (${short(error)}): who changed them is unknown.`,
    };
  }
  for (const id of ids.slice(0, MAX_LOOKUPS)) {
    if (options.signal?.aborted) break;
    try {
      const found = await lastWrite(client, id, start, options.signal);
      if (found) changedBy.set(id, found);
    } catch (error) {
      const denied = /AccessDenied/.test(awsErrorName(error));
      return {
        changedBy,
        note: denied
          ? 'CloudTrail LookupEvents was denied (the role needs cloudtrail:LookupEvents): who changed the drifted resources is unknown.'
          : `CloudTrail LookupEvents failed (${short(error)}): who changed the drifted resources is unknown.`,
      };
    }
  }
  const skipped = ids.length - MAX_LOOKUPS;
  return skipped > 0
    ? { changedBy, note: `Who changed them was looked up for the first ${MAX_LOOKUPS} resources only.` }
    : { changedBy };
}

async function lastWrite(
  client: CloudTrailClient,
  physicalId: string,
  start: Date,
  signal?: AbortSignal,
): Promise<ChangedBy | undefined> {
  let token: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const out = await client.send(
      new LookupEventsCommand({
        LookupAttributes: [{ AttributeKey: 'ResourceName', AttributeValue: physicalId }],
        StartTime: start,
        MaxResults: 50,
        NextToken: token,
      }),
      { abortSignal: signal },
    );
    // Newest first, but the order is not promised: take the latest write of the page.
    const writes = (out.Events ?? []).filter(isOutsideWrite).sort(byTimeDesc);
    const latest = writes[0];
    if (latest) return changedByOf(latest);
    token = out.NextToken;
    if (!token) return undefined;
  }
  return undefined;
}

/** A write that a principal made itself (CloudFormation's own calls carry invokedBy/sourceIPAddress of it). */
export function isOutsideWrite(event: TrailEvent): boolean {
  if (event.ReadOnly === 'true') return false;
  const record = recordOf(event);
  const via = [record?.sourceIPAddress, record?.userIdentity?.invokedBy];
  return !via.includes('cloudformation.amazonaws.com');
}

function byTimeDesc(a: TrailEvent, b: TrailEvent): number {
  return (b.EventTime?.getTime() ?? 0) - (a.EventTime?.getTime() ?? 0);
}

interface TrailRecord {
  sourceIPAddress?: string;
  userIdentity?: { type?: string; arn?: string; invokedBy?: string; userName?: string };
}

function recordOf(event: TrailEvent): TrailRecord | undefined {
  if (!event.CloudTrailEvent) return undefined;
  try {
    return JSON.parse(event.CloudTrailEvent) as TrailRecord;
  } catch {
    return undefined;
  }
}

export function changedByOf(event: TrailEvent): ChangedBy | undefined {
  const principal = principalOf(event);
  if (!principal || !event.EventTime) return undefined;
  return { principal, at: event.EventTime.toISOString(), event: event.EventName ?? 'unknown' };
}

/** "assumed-role/Admin/alice", "user/bob", "root": the ARN's resource part, else the event's user name. */
export function principalOf(event: TrailEvent): string | undefined {
  const identity = recordOf(event)?.userIdentity;
  if (identity?.type === 'Root') return 'root';
  const arn = identity?.arn;
  if (arn?.startsWith('arn:')) {
    const resource = arn.split(':').slice(5).join(':');
    if (resource) return resource;
  }
  return event.Username || identity?.userName || undefined;
}
