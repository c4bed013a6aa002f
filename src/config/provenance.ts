import type { Provenance } from './settings.js';

/** Tag keys the product writes itself (provenance); user tags may not use the prefix. */
export const TAG_PREFIX = 'multi-account-deploy:';

/** Where a run comes from, read from the standard GITHUB_* variables (all absent on a laptop). */
export function provenanceFrom(env: NodeJS.ProcessEnv): Provenance {
  const server = env.GITHUB_SERVER_URL ?? 'https://github.com';
  const runUrl =
    env.GITHUB_REPOSITORY && env.GITHUB_RUN_ID
      ? `${server}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}${env.GITHUB_RUN_ATTEMPT ? `/attempts/${env.GITHUB_RUN_ATTEMPT}` : ''}`
      : undefined;
  const pullRequest = /^refs\/pull\/(\d+)\//.exec(env.GITHUB_REF ?? '')?.[1];
  return {
    repository: env.GITHUB_REPOSITORY || undefined,
    sha: env.GITHUB_SHA || undefined,
    ref: env.GITHUB_REF || undefined,
    runId: env.GITHUB_RUN_ID || undefined,
    runAttempt: env.GITHUB_RUN_ATTEMPT || undefined,
    runUrl,
    actor: env.GITHUB_ACTOR || undefined,
    workflow: env.GITHUB_WORKFLOW || undefined,
    eventName: env.GITHUB_EVENT_NAME || undefined,
    pullRequest,
  };
}
