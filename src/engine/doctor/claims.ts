/**
 * The claims GitHub puts in a job's OIDC token, as far as IAM sees them: `aud` and `sub` (IAM does not receive
 * GitHub's custom claims as condition keys). The subject depends on the job: a job with `environment:` gets
 * `repo:ORG/REPO:environment:NAME` whatever its branch; a pull request `repo:ORG/REPO:pull_request`; otherwise
 * `repo:ORG/REPO:ref:refs/heads/BRANCH` (or refs/tags/TAG). With immutable subject claims GitHub appends the owner's
 * and repository's numeric IDs: `repo:ORG@123/REPO@456:...`.
 */
import { UserError } from '../../errors.js';

export const GITHUB_ISSUER = 'token.actions.githubusercontent.com';

export type Trigger =
  { kind: 'environment'; name: string } | { kind: 'ref'; ref: string } | { kind: 'pull_request' };

export interface Job {
  /** ORG/REPO as spelled on GitHub. */
  repo: string;
  /** Immutable IDs, when the repository uses immutable subject claims. */
  ownerId?: string;
  repositoryId?: string;
  trigger: Trigger;
}

const REPO = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[A-Za-z0-9._-]{1,100}$/;

/** ORG/REPO, checked. `flag` names where it came from, for the message. */
export function parseRepo(value: string, flag = '--repo'): string {
  if (!REPO.test(value))
    throw new UserError(
      `${flag} is ${value ? `"${value}"` : 'empty'}: expected OWNER/REPOSITORY as on GitHub, e.g. acme/app.`,
    );
  return value;
}

/** A branch name becomes refs/heads/NAME; a full ref stays as it is. */
export function fullRef(ref: string): string {
  return ref.startsWith('refs/') ? ref : `refs/heads/${ref}`;
}

/** The `sub` claim GitHub sends for the job. */
export function subjectOf(job: Job): string {
  const [owner = '', name = ''] = job.repo.split('/');
  const repo =
    job.ownerId && job.repositoryId
      ? `${owner}@${job.ownerId}/${name}@${job.repositoryId}`
      : `${owner}/${name}`;
  const t = job.trigger;
  const context =
    t.kind === 'environment'
      ? `environment:${t.name}`
      : t.kind === 'pull_request'
        ? 'pull_request'
        : `ref:${fullRef(t.ref)}`;
  return `repo:${repo}:${context}`;
}

/** The condition keys IAM evaluates for a web identity request from GitHub, with their values for this job. */
export function requestKeys(job: Job, audience: string): Record<string, string> {
  return { [`${GITHUB_ISSUER}:aud`]: audience, [`${GITHUB_ISSUER}:sub`]: subjectOf(job) };
}
