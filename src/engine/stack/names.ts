import { createHash, randomBytes } from 'node:crypto';
import type { Provenance, Settings } from '../../config/settings.js';

/**
 * The prefixes of every change-set name this product makes. IAM keys on them (condition key
 * `cloudformation:ChangeSetName`, in templates/bootstrap.yaml and the generated policies): the pull-request plan
 * role may create, describe and delete only `mad-pr-*`; the release planner and the deploy role only
 * `mad-release-*`, and only the deploy role executes. So nothing a pull request makes can ever be executed.
 */
export const CHANGE_SET_PREFIX = {
  /** Plans of a pull request: `mad-pr-<number>-…`. */
  pullRequest: 'mad-pr-',
  /** Every other run (release plans kept for review on the default branch, deploys): `mad-release-…`. */
  release: 'mad-release-',
} as const;

/** A run triggered by a pull request (its ref, or its event for pull_request_target). */
export function isPullRequestRun(provenance: Provenance): boolean {
  return provenance.pullRequest !== undefined || /^pull_request/.test(provenance.eventName ?? '');
}

/**
 * A valid change-set name, unique per request: prefix, commit, run id, attempt, mode and 8 random hex digits
 * (two requests in the same second never share a name). Outside CI: `local`, a timestamp and the random part.
 */
export function changeSetName(
  settings: Settings,
  now: Date = new Date(),
  unique: string = randomBytes(4).toString('hex'),
): string {
  const p = settings.provenance;
  const prefix = isPullRequestRun(p)
    ? `${CHANGE_SET_PREFIX.pullRequest}${p.pullRequest ?? '0'}-`
    : CHANGE_SET_PREFIX.release;
  const parts = p.runId
    ? [p.sha?.slice(0, 7), p.runId, p.runAttempt ?? '1', settings.mode, unique]
    : ['local', settings.mode, now.toISOString().replace(/\D/g, '').slice(0, 14), unique];
  const rest = parts
    .filter(Boolean)
    .join('-')
    .replace(/[^A-Za-z0-9-]/g, '-');
  return `${prefix}${rest}`.slice(0, 128);
}

/**
 * CreateChangeSet's ClientToken: a hash of the whole request, so the SDK's retries of one request share it and
 * any request that differs in anything (name, stack, template, parameters, tags, role...) has another.
 */
export function clientToken(request: object): string {
  const digest = createHash('sha256').update(JSON.stringify(request)).digest('hex');
  return `mad-${digest.slice(0, 60)}`;
}

/** `on-create-failure` → CreateChangeSet's OnStackFailure (a first create only). */
export const ON_STACK_FAILURE = {
  delete: 'DELETE',
  rollback: 'ROLLBACK',
  'do-nothing': 'DO_NOTHING',
} as const;
