import type { CloudFormationClient, Stack } from '@aws-sdk/client-cloudformation';
import { errorMessage, isThrottling } from '../../errors.js';
import type { Logger } from '../../logger.js';
import type { StackEvent } from '../../report/model.js';
import { RequestBudget, pacedPoll, type CheckResult } from '../pace.js';
import { StackEventReader, formatEvent } from './events.js';
import { describeStack, isTerminal } from './states.js';

/** How the stack is followed: a steady second, a quarter of one when the end is near, within one request a second. */
export const FOLLOW_PACE = {
  intervalMs: 1_000,
  nearEndMs: 250,
  perSecond: 1,
  burst: 8,
  /** After this long without a new event, DescribeStacks is asked instead of the events (a safety net). */
  authorityAfterSilenceMs: 30_000,
};

export interface FollowOptions {
  /** The stack's name: its own events carry it as their logical ID. */
  stackName: string;
  /** Events older than this belong to earlier operations. */
  since: Date;
  /** Logical IDs of the resources the change set changes: when all are done, the end is near. */
  expected: string[];
  logger: Logger;
  deadline: number;
  signal?: AbortSignal;
  now?: () => number;
}

export interface Followed {
  stack: Stack;
  events: StackEvent[];
  /** AWS requests sent while following (for the log and the benchmarks). */
  requests: number;
}

/**
 * Follows a stack operation to its end with one source for both the live log and completion: the stack's
 * events, where the stack's own terminal event ends the wait and DescribeStacks confirms it (the authority for
 * the final status and the outputs). Polls at a steady pace, faster when every changed resource is done (the
 * stack's own event follows within a moment, so DescribeStacks is asked alongside the events then); slower only
 * when AWS throttles.
 */
export async function followStack(
  cfn: CloudFormationClient,
  target: string,
  options: FollowOptions,
): Promise<Followed> {
  const now = options.now ?? Date.now;
  const budget = new RequestBudget(FOLLOW_PACE.perSecond, FOLLOW_PACE.burst, now);
  const reader = new StackEventReader(cfn, target, options.since);
  const progress = new Progress(options.stackName, options.expected);
  const events: StackEvent[] = [];
  let eventsBroken = false;
  let requests = 0;
  let lastAuthority = Number.NEGATIVE_INFINITY;
  let lastFresh = Number.NEGATIVE_INFINITY;
  let last = 'unknown';

  const spend = (n = 1): void => {
    budget.spend(n);
    requests += n;
  };
  /** DescribeStacks: the stack when its operation has ended, else undefined. */
  const authority = async (): Promise<{ stack?: Stack; retried: boolean }> => {
    spend();
    lastAuthority = now();
    const stack = await describeStack(cfn, target);
    last = stack?.StackStatus ?? 'gone';
    return { stack: stack && ended(stack.StackStatus) ? stack : undefined, retried: false };
  };
  /** New events, logged; undefined when they cannot be read (the stack status alone is followed then). */
  const readEvents = async (): Promise<{ ended: boolean; retried: boolean } | undefined> => {
    if (eventsBroken) return undefined;
    try {
      const fresh = await reader.next();
      spend(reader.requests);
      if (fresh.length > 0) lastFresh = now();
      for (const e of fresh) {
        events.push(e);
        progress.see(e);
        options.logger.info(formatEvent(e));
      }
      return { ended: fresh.some((e) => progress.isOwnEnd(e)), retried: reader.retried };
    } catch (error) {
      spend(reader.requests);
      if (isThrottling(error)) throw error;
      // Events are commentary: never let them hide or delay the stack's real outcome.
      eventsBroken = true;
      options.logger.warn(
        `Could not read stack events (${errorMessage(error)}); following the stack status only.`,
      );
      return undefined;
    }
  };

  let first = true;
  const what = `stack ${options.stackName} to finish deploying`;
  const startedAt = now();
  const stack = await pacedPoll(
    async (): Promise<CheckResult<Stack>> => {
      // The live line: elapsed time and the latest event (a spinner on a terminal, plain lines in a log).
      const e = events.at(-1);
      options.logger.progress({ what, since: startedAt, latest: e ? `${e.logicalId} ${e.status}` : last });
      if (first) {
        // Right after ExecuteChangeSet: some operations are over at once (nothing to do, or a synchronous
        // endpoint), so ask both at the same time.
        first = false;
        const [seen, settled] = await Promise.all([readEvents(), authority()]);
        return { value: settled.stack, retried: seen?.retried };
      }
      // While events come, they will show the end; a long silence might hide a missed one.
      const due = now() - Math.max(lastAuthority, lastFresh) >= FOLLOW_PACE.authorityAfterSilenceMs;
      if (eventsBroken || due) {
        const settled = await authority();
        // The events since the last read, for the log and the root cause of a failure.
        if (settled.stack) await readEvents();
        return { value: settled.stack, retried: settled.retried };
      }
      if (progress.nearEnd() && budget.allows(2)) {
        // The end is a moment away: ask the authority in the same round, so seeing it costs no extra round trip
        // (while the burst lasts; an end that keeps waiting is followed by its events alone).
        const [seen, settled] = await Promise.all([readEvents(), authority()]);
        // The stack's own last event may have come just after the events were read.
        if (settled.stack && seen && !seen.ended) await readEvents();
        return { value: settled.stack, retried: seen?.retried };
      }
      const seen = await readEvents();
      if (!seen?.ended) return { retried: seen?.retried };
      const settled = await authority();
      return { value: settled.stack, retried: seen.retried };
    },
    {
      what,
      deadline: options.deadline,
      signal: options.signal,
      budget,
      intervalMs: () => (progress.nearEnd() ? FOLLOW_PACE.nearEndMs : FOLLOW_PACE.intervalMs),
      now,
      describe: () => last,
    },
  ).finally(() => options.logger.progress(undefined));
  return { stack, events, requests };
}

/** Over: no operation in progress (REVIEW_IN_PROGRESS is a stack waiting for its first change set). */
function ended(status: string | undefined): boolean {
  return isTerminal(status) && status !== 'REVIEW_IN_PROGRESS';
}

/** What the events tell about the operation's progress. */
class Progress {
  private readonly latest = new Map<string, string>();
  private stackStatus = '';

  constructor(
    private readonly stackName: string,
    private readonly expected: string[],
  ) {}

  see(e: StackEvent): void {
    if (this.isOwn(e)) this.stackStatus = e.status;
    else this.latest.set(e.logicalId, e.status);
  }

  isOwnEnd(e: StackEvent): boolean {
    return this.isOwn(e) && ended(e.status);
  }

  /**
   * Every changed resource has reached a state of its own (CloudFormation then ends the operation within a
   * moment), or the stack is cleaning up after its update.
   */
  nearEnd(): boolean {
    if (this.stackStatus.endsWith('_CLEANUP_IN_PROGRESS')) return true;
    if (this.stackStatus.includes('ROLLBACK')) return false;
    return this.expected.every((id) => {
      const status = this.latest.get(id);
      return status !== undefined && !status.endsWith('_IN_PROGRESS');
    });
  }

  private isOwn(e: StackEvent): boolean {
    return e.type === 'AWS::CloudFormation::Stack' && e.logicalId === this.stackName;
  }
}
