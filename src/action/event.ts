import { readFileSync } from 'node:fs';

/** What the run needs of the triggering event, read from the runner's files (no Octokit needed). */
export interface GithubEvent {
  name: string;
  payload: {
    number?: number;
    pull_request?: { number?: number; head?: { sha?: string; repo?: { full_name?: string } } };
    issue?: { number?: number };
    repository?: { full_name?: string };
  };
  repo: { owner: string; repo: string };
}

export function readEvent(env: NodeJS.ProcessEnv = process.env): GithubEvent {
  let payload: GithubEvent['payload'] = {};
  if (env.GITHUB_EVENT_PATH) {
    try {
      payload = JSON.parse(readFileSync(env.GITHUB_EVENT_PATH, 'utf8')) as GithubEvent['payload'];
    } catch {
      payload = {};
    }
  }
  const [owner = '', repo = ''] = (env.GITHUB_REPOSITORY ?? '').split('/');
  return { name: env.GITHUB_EVENT_NAME ?? '', payload, repo: { owner, repo } };
}
