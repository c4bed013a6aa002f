import {
  DescribeRepositoriesCommand,
  GetLifecyclePolicyCommand,
  PutLifecyclePolicyCommand,
  type ECRClient,
} from '@aws-sdk/client-ecr';
import { UserError, awsErrorName, errorMessage } from '../../errors.js';
import type { Logger } from '../../logger.js';
import type { EcrFinding, EcrStatus } from '../../report/model.js';
import type { Settings } from '../../config/settings.js';
import {
  DEFAULT_POLICY,
  DEFAULT_POLICY_SOURCE,
  canonicalOrUndefined,
  parseLifecyclePolicy,
} from './policy.js';
import { mapWithLimit } from '../pool.js';

/**
 * Ensure phase: every repository named or matched by `ecr-repositories` gets the desired lifecycle policy.
 * Reads each repository's policy, compares canonical forms and puts only where they differ; `plan` only reports.
 * Throttling is absorbed by the clients' adaptive retry mode (src/aws/clients.ts).
 */
export interface EcrDeps {
  ecr: ECRClient;
  logger: Logger;
  /** Requests in flight at once (default 8): 300 repositories take seconds, well under ECR's rate limits. */
  concurrency?: number;
  /** Filled with the patterns left for after the deploy (they match only repositories the stack creates). */
  deferred?: string[];
  /** After the deploy: every pattern must match a repository now. */
  afterDeploy?: boolean;
}

export type EcrSettings = Pick<Settings, 'ecrRepositories' | 'ecrLifecyclePolicy' | 'mode'> & {
  template?: Pick<Settings['template'], 'ecrRepositories'>;
};

export const DEFAULT_CONCURRENCY = 8;
/** DescribeRepositories pages of 1,000: this bounds the listing at a million repositories. */
const MAX_PAGES = 1_000;

export async function ensureLifecyclePolicies(settings: EcrSettings, deps: EcrDeps): Promise<EcrFinding[]> {
  const desired = desiredPolicy(settings);
  const made = settings.template?.ecrRepositories ?? [];
  // Before the deploy, a pattern that only the stack's own repositories match waits until after it.
  const { names: repositories, deferred } = await matchRepositories(
    deps.ecr,
    settings.ecrRepositories,
    deps.afterDeploy ? [] : made,
  );
  deps.deferred?.push(...deferred);
  deps.logger.info(
    `${repositories.length} ECR repositor${repositories.length === 1 ? 'y' : 'ies'} matched; ${settings.mode === 'plan' ? 'checking' : 'ensuring'} the lifecycle policy from ${settings.ecrLifecyclePolicy?.source ?? DEFAULT_POLICY_SOURCE}.`,
  );
  const findings = await mapWithLimit(repositories, deps.concurrency ?? DEFAULT_CONCURRENCY, (repository) =>
    ensureOne(repository, desired, settings.mode === 'plan', deps),
  );
  const counts = new Map<EcrStatus, number>();
  for (const f of findings) counts.set(f.status, (counts.get(f.status) ?? 0) + 1);
  deps.logger.info(`Lifecycle policies: ${[...counts].map(([s, n]) => `${n} ${s}`).join(', ')}.`);
  const byStack = made.filter((name) => name !== '*' && deferred.some((p) => globToRegExp(p).test(name)));
  for (const name of byStack)
    deps.logger.info(`${name}: created by this stack; its lifecycle policy is ensured after the deploy.`);
  return [...findings, ...byStack.map((repository) => ({ repository, status: 'created-by-stack' as const }))];
}

/** The canonical text to put: the user's file (validated already by config) or the bundled default. */
export function desiredPolicy(settings: Pick<Settings, 'ecrLifecyclePolicy'>): string {
  const given = settings.ecrLifecyclePolicy;
  return given
    ? parseLifecyclePolicy(given.text, given.source)
    : parseLifecyclePolicy(JSON.stringify(DEFAULT_POLICY), DEFAULT_POLICY_SOURCE);
}

async function ensureOne(
  repository: string,
  desired: string,
  plan: boolean,
  deps: EcrDeps,
): Promise<EcrFinding> {
  const current = await currentPolicy(deps.ecr, repository);
  if (current !== undefined && canonicalOrUndefined(current) === desired) {
    deps.logger.debug(`${repository}: lifecycle policy unchanged.`);
    return { repository, status: 'unchanged' };
  }
  const exists = current !== undefined;
  if (plan) {
    deps.logger.info(`${repository}: lifecycle policy would be ${exists ? 'updated' : 'created'}.`);
    return { repository, status: exists ? 'would-update' : 'would-create' };
  }
  await call(`put the lifecycle policy of ${repository}`, 'ecr:PutLifecyclePolicy', () =>
    deps.ecr.send(
      new PutLifecyclePolicyCommand({ repositoryName: repository, lifecyclePolicyText: desired }),
    ),
  );
  deps.logger.info(`${repository}: lifecycle policy ${exists ? 'updated' : 'created'}.`);
  return { repository, status: exists ? 'updated' : 'created' };
}

/** The repository's policy text, or undefined when it has none. */
async function currentPolicy(ecr: ECRClient, repository: string): Promise<string | undefined> {
  try {
    const res = await ecr.send(new GetLifecyclePolicyCommand({ repositoryName: repository }));
    return res.lifecyclePolicyText;
  } catch (error) {
    if (awsErrorName(error) === 'LifecyclePolicyNotFoundException') return undefined;
    throw wrap(error, `read the lifecycle policy of ${repository}`, 'ecr:GetLifecyclePolicy');
  }
}

/**
 * Names and glob patterns → the account's repository names (sorted, unique), listing every page once.
 * A name or pattern that matches nothing is an error that lists what exists.
 */
export async function resolveRepositories(ecr: ECRClient, patterns: string[]): Promise<string[]> {
  return (await matchRepositories(ecr, patterns, [])).names;
}

/**
 * As resolveRepositories, but a pattern that matches nothing yet and does match a repository the stack itself
 * creates (`made`; '*' for one with a computed name) is deferred, not failed: it is ensured after the deploy.
 */
export async function matchRepositories(
  ecr: ECRClient,
  patterns: string[],
  made: string[],
): Promise<{ names: string[]; deferred: string[] }> {
  if (patterns.length === 0) return { names: [], deferred: [] };
  const existing = await listRepositories(ecr);
  const matched = new Set<string>();
  const unmatched: string[] = [];
  for (const pattern of patterns) {
    const re = globToRegExp(pattern);
    const hits = existing.filter((name) => re.test(name));
    if (hits.length === 0) unmatched.push(pattern);
    for (const h of hits) matched.add(h);
  }
  const deferred = unmatched.filter((p) => made.some((name) => name === '*' || globToRegExp(p).test(name)));
  unmatched.splice(0, unmatched.length, ...unmatched.filter((p) => !deferred.includes(p)));
  if (unmatched.length > 0) {
    const shown = existing.slice(0, 30).join(', ');
    const more = existing.length > 30 ? ` and ${existing.length - 30} more` : '';
    throw new UserError(
      `ecr-repositories: ${unmatched.map((p) => `"${p}"`).join(', ')} matched no ECR repository.`,
      existing.length
        ? `Repositories in this account and region: ${shown}${more}. Fix the names or patterns in 'ecr-repositories' (* matches within one path segment, ** across segments).`
        : "This account has no ECR repository in this region. Create the repositories first (for example in the stack's template of an earlier stage), or remove 'ecr-repositories'.",
    );
  }
  return { names: [...matched].sort(), deferred };
}

async function listRepositories(ecr: ECRClient): Promise<string[]> {
  const names: string[] = [];
  let nextToken: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const res = await call('list the ECR repositories', 'ecr:DescribeRepositories', () =>
      ecr.send(new DescribeRepositoriesCommand({ maxResults: 1000, nextToken })),
    );
    for (const r of res.repositories ?? []) if (r.repositoryName) names.push(r.repositoryName);
    nextToken = res.nextToken;
    if (!nextToken) return names.sort();
  }
  throw new UserError(`Listing the ECR repositories did not end after ${MAX_PAGES} pages.`);
}

/**
 * A repository glob as a RegExp: `*` matches within one path segment, `**` across segments, `?` one character
 * (as in GitHub's workflow path filters). Everything else is literal.
 */
export function globToRegExp(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === '*' && pattern[i + 1] === '*') {
      source += '.*';
      i++;
    } else if (c === '*') source += '[^/]*';
    else if (c === '?') source += '[^/]';
    else source += c.replace(/[.+^${}()|[\]\\/-]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

async function call<T>(what: string, permission: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw wrap(error, what, permission);
  }
}

function wrap(error: unknown, what: string, permission: string): Error {
  const name = awsErrorName(error);
  if (name === 'AccessDeniedException' || name === 'AccessDenied') {
    return new UserError(
      `Not allowed to ${what}: ${errorMessage(error)}`,
      `The deploy role needs ${permission} on the repositories of 'ecr-repositories' (plan runs need only ecr:DescribeRepositories and ecr:GetLifecyclePolicy).`,
    );
  }
  return new UserError(`Could not ${what}: ${errorMessage(error)}`);
}
