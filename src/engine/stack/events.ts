import {
  DescribeStackEventsCommand,
  type CloudFormationClient,
  type StackEvent as CfnEvent,
} from '@aws-sdk/client-cloudformation';
import type { StackEvent } from '../../report/model.js';

/**
 * Reads a stack's new events since a point in time, oldest first, each once (deduplicated by EventId).
 * DescribeStackEvents returns newest first, so it pages back only until it meets an event already seen
 * or older than the start.
 */
export class StackEventReader {
  private readonly seen = new Set<string>();
  /** Requests the last next() sent, and whether the SDK had to retry any of them (throttling). */
  requests = 0;
  retried = false;

  constructor(
    private readonly cfn: CloudFormationClient,
    private readonly stackId: string,
    private readonly since: Date,
  ) {}

  async next(): Promise<StackEvent[]> {
    const fresh: StackEvent[] = [];
    let token: string | undefined;
    this.requests = 0;
    this.retried = false;
    for (let page = 0; page < 50; page++) {
      this.requests++;
      const out = await this.cfn.send(
        new DescribeStackEventsCommand({ StackName: this.stackId, NextToken: token }),
      );
      if ((out.$metadata?.attempts ?? 1) > 1) this.retried = true;
      let reachedKnown = false;
      for (const event of out.StackEvents ?? []) {
        const id =
          event.EventId ??
          `${event.LogicalResourceId}-${event.Timestamp?.toISOString()}-${event.ResourceStatus}`;
        if (this.seen.has(id) || (event.Timestamp && event.Timestamp < this.since)) {
          reachedKnown = true;
          break;
        }
        this.seen.add(id);
        fresh.push(toEvent(id, event));
      }
      token = out.NextToken;
      if (reachedKnown || !token) break;
    }
    return fresh.reverse();
  }
}

function toEvent(id: string, e: CfnEvent): StackEvent {
  return {
    id,
    timestamp: (e.Timestamp ?? new Date(0)).toISOString(),
    status: e.ResourceStatus ?? 'UNKNOWN',
    type: e.ResourceType ?? '',
    logicalId: e.LogicalResourceId ?? '',
    reason: e.ResourceStatusReason || undefined,
  };
}

/** One line per event: time, status, type, logical ID, reason. */
export function formatEvent(e: StackEvent): string {
  const time = e.timestamp.slice(11, 19);
  return [time, e.status.padEnd(28), e.type.padEnd(32), e.logicalId, e.reason ? `— ${e.reason}` : '']
    .join(' ')
    .trimEnd();
}

/** Reasons that only say another resource failed first. */
const CASCADE = [
  /Resource creation cancelled/i,
  /Resource update cancelled/i,
  /The following resource\(s\) failed/i,
];

/** The first failure, oldest first, that is not a consequence of another one. */
export function rootCause(events: StackEvent[]): StackEvent | undefined {
  const failures = events.filter((e) => e.status.endsWith('_FAILED'));
  return failures.find((e) => !CASCADE.some((re) => re.test(e.reason ?? ''))) ?? failures[0];
}

/**
 * What holds a stack that is busy: its newest event, with the operation's ClientRequestToken (which names the
 * deploy tool or run that started it, when that tool set one). Undefined when events cannot be read.
 */
export async function currentOperation(
  cfn: CloudFormationClient,
  stackName: string,
): Promise<string | undefined> {
  try {
    const out = await cfn.send(new DescribeStackEventsCommand({ StackName: stackName }));
    const stackEvent = out.StackEvents?.find(
      (e) => e.LogicalResourceId === stackName || e.ResourceType === 'AWS::CloudFormation::Stack',
    );
    const e = stackEvent ?? out.StackEvents?.[0];
    if (!e) return undefined;
    const who = e.ClientRequestToken ? `, operation ${e.ClientRequestToken}` : '';
    return `${e.ResourceStatus ?? ''} since ${e.Timestamp?.toISOString() ?? '?'}${e.ResourceStatusReason ? ` (${e.ResourceStatusReason})` : ''}${who}`;
  } catch {
    return undefined;
  }
}
