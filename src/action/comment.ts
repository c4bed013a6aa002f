/**
 * The sticky pull-request comment: one per stack, environment and region, found again by a hidden marker and
 * updated in place. The logic takes a small API object (Octokit in the action, a fake in tests); only
 * `postComment` touches @actions/*. A comment is commentary: no error here ever fails the deploy.
 */
import * as core from '@actions/core';
import { errorMessage } from '../errors.js';
import { COMMENT_LIMIT, commentMarker, renderMarkdown } from '../report/markdown.js';
import type { DeployReport } from '../report/model.js';
import type { CommentMode } from '../config/settings.js';
import type { GithubEvent } from './event.js';

export interface ExistingComment {
  id: number;
  body?: string | null;
  html_url?: string;
}

/** The three calls the sticky comment needs, on one issue or pull request. */
export interface CommentsApi {
  /** The comments, page by page, oldest first. */
  pages(): AsyncIterable<ExistingComment[]>;
  create(body: string): Promise<ExistingComment>;
  update(id: number, body: string): Promise<ExistingComment>;
}

export type CommentOutcome =
  | { action: 'created' | 'updated' | 'unchanged'; id: number; url?: string }
  | { action: 'skipped'; reason: string };

/** 100 pages of 100: a pull request with more comments than that gets a new comment rather than an endless scan. */
export const MAX_PAGES = 100;

/**
 * Updates the comment that carries `marker`, or creates one when `create` says the report is worth it
 * (changes or a failure; a "no changes" report only replaces an earlier plan, it never starts a thread).
 */
export async function upsertComment(
  api: CommentsApi,
  request: { marker: string; body: string; create: boolean },
): Promise<CommentOutcome> {
  let existing: ExistingComment | undefined;
  let pages = 0;
  for await (const page of api.pages()) {
    existing = page.find((c) => c.body?.includes(request.marker));
    if (existing || ++pages >= MAX_PAGES) break;
  }
  if (existing) {
    if (existing.body === request.body)
      return { action: 'unchanged', id: existing.id, url: existing.html_url };
    const updated = await api.update(existing.id, request.body);
    return { action: 'updated', id: existing.id, url: updated.html_url };
  }
  if (!request.create) return { action: 'skipped', reason: 'no changes and no earlier comment to update' };
  const created = await api.create(request.body);
  return { action: 'created', id: created.id, url: created.html_url };
}

/** The facts of the triggering event that decide about the comment. */
export interface EventFacts {
  eventName: string;
  /** The pull request's or issue's number, if the event has one. */
  issue?: number;
  /** A pull request from a fork: its GITHUB_TOKEN is read-only whatever the workflow asks for. */
  fork: boolean;
}

const PULL_REQUEST_EVENTS = new Set(['pull_request', 'pull_request_target']);

/** Which issue to comment on, or why not: `auto` = pull-request events, `always` = any event with a number. */
export function commentTarget(mode: CommentMode, event: EventFacts): { issue: number } | { skip: string } {
  if (mode === 'never') return { skip: 'comment is never' };
  if (mode === 'auto' && !PULL_REQUEST_EVENTS.has(event.eventName))
    return { skip: `comment is auto and ${event.eventName} is not a pull-request event` };
  if (!event.issue)
    return { skip: `the ${event.eventName} event has no pull request or issue to comment on` };
  return { issue: event.issue };
}

/** What a user reads when the comment could not be written, with the fix for the usual cause. */
export function commentWarning(error: unknown, event: EventFacts): string {
  const status = (error as { status?: unknown } | null)?.status;
  const message = errorMessage(error);
  const base = `Could not write the pull-request comment on #${event.issue}: ${message}`;
  if (status === 403 && /not accessible by integration/i.test(message)) {
    const lines = [
      `${base}.`,
      'Grant the job the right to comment:',
      '  permissions:',
      '    pull-requests: write',
    ];
    if (event.fork)
      lines.push(
        "This pull request comes from a fork, and a fork's token is read-only whatever the workflow grants;",
        "skip the comment for forks: comment: ${{ github.event.pull_request.head.repo.fork && 'never' || 'auto' }}",
      );
    lines.push('The deploy itself is not affected; the job summary has the report.');
    return lines.join('\n');
  }
  return `${base}. The deploy itself is not affected; the job summary has the report.`;
}

export interface LogSink {
  info(message: string): void;
  warn(message: string): void;
}

/** Renders the comment and upserts it; every failure becomes a warning. Returns what happened. */
export async function publishComment(
  report: DeployReport,
  api: CommentsApi,
  event: EventFacts,
  log: LogSink,
  secrets: readonly string[] = [],
): Promise<CommentOutcome | undefined> {
  const body = renderMarkdown(report, { marker: true, maxChars: COMMENT_LIMIT, secrets });
  try {
    const outcome = await upsertComment(api, {
      marker: commentMarker(report),
      body,
      create: report.result !== 'no-changes',
    });
    if (outcome.action === 'skipped') log.info(`No pull-request comment: ${outcome.reason}.`);
    else
      log.info(
        `Pull-request comment ${outcome.action}${outcome.url ? `: ${outcome.url}` : ` (#${outcome.id})`}.`,
      );
    return outcome;
  } catch (error) {
    log.warn(commentWarning(error, event));
    return undefined;
  }
}

/** The action's edge: reads the event, builds Octokit on GITHUB_API_URL and publishes the comment. */
export async function postComment(
  report: DeployReport,
  mode: CommentMode,
  token: string,
  secrets: readonly string[],
  ctx: GithubEvent,
): Promise<void> {
  const log: LogSink = { info: (m) => core.info(m), warn: (m) => core.warning(m) };
  try {
    const pr = ctx.payload.pull_request;
    const event: EventFacts = {
      eventName: ctx.name,
      issue: pr?.number ?? ctx.payload.issue?.number,
      fork: !!pr?.head?.repo?.full_name && pr.head.repo.full_name !== ctx.payload.repository?.full_name,
    };
    const target = commentTarget(mode, event);
    if ('skip' in target) {
      core.debug(`No pull-request comment: ${target.skip}.`);
      return;
    }
    if (!token) {
      log.warn(`No pull-request comment: the github-token input is empty (comment: ${mode}).`);
      return;
    }
    // Octokit is large: loaded only when there is a comment to write.
    const { getOctokit } = await import('@actions/github');
    const octokit = getOctokit(token);
    const where = { ...ctx.repo, issue_number: target.issue };
    const api: CommentsApi = {
      pages: () =>
        pagesOf(octokit.paginate.iterator(octokit.rest.issues.listComments, { ...where, per_page: 100 })),
      create: async (body) => (await octokit.rest.issues.createComment({ ...where, body })).data,
      update: async (id, body) =>
        (await octokit.rest.issues.updateComment({ ...ctx.repo, comment_id: id, body })).data,
    };
    await publishComment(report, api, event, log, secrets);
  } catch (error) {
    log.warn(
      `Could not write the pull-request comment: ${errorMessage(error)}. The deploy itself is not affected.`,
    );
  }
}

async function* pagesOf(
  iterator: AsyncIterable<{ data: ExistingComment[] }>,
): AsyncIterable<ExistingComment[]> {
  for await (const response of iterator) yield response.data;
}
