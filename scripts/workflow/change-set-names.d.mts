export const PULL_REQUEST_PREFIX: string;
export const RELEASE_PREFIX: string;
export function pullRequestName(
  pullRequest: string | number,
  run: string | number,
  attempt: string | number,
): string;
export function releaseName(run: string | number, attempt: string | number): string;
export function kindOf(nameOrArn: string): 'release' | 'pull-request' | 'other';
