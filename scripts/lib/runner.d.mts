export const REPO_ROOT: string;
export const DIST: string;

export type WorkspaceFiles = Record<string, string | { from: string }>;

export interface RunOptions {
  /** Inputs by their action.yml names; they become INPUT_* the way the runner does. */
  inputs: Record<string, string>;
  /** Files to put into a new workspace. */
  files?: WorkspaceFiles;
  /** Reuse a workspace of an earlier run (files, if given, are written into it). */
  workspace?: string;
  /** AWS endpoint (AWS_ENDPOINT_URL): moto, or a counting proxy in front of it. */
  endpoint?: string;
  /** OIDC token endpoint base URL; absent = no ACTIONS_ID_TOKEN_REQUEST_URL at all. */
  oidcUrl?: string;
  /** GitHub API base URL (GITHUB_API_URL). */
  githubApiUrl?: string;
  event?: { name: 'push' } | { name: 'pull_request'; number: number };
  /** Extra environment variables; undefined removes a default. */
  env?: Record<string, string | undefined>;
  timeoutMs?: number;
  /** Another build of the action to run instead of dist/index.js (benchmarks compare builds). */
  entry?: string;
  /** Signals to send the process: after `afterMs`, counted from the start or from when stdout shows `whenOutput`. */
  signals?: { signal: NodeJS.Signals; afterMs?: number; whenOutput?: string }[];
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  exported: Record<string, string>;
  summary: string;
  durationMs: number;
  workspace: string;
}

export function parseCommandFile(text: string): Record<string, string>;

/** Empty command files under root and the GITHUB_* context of a push to main, as a runner gives a step. */
export function runnerStep(
  root: string,
  workspace: string,
): { files: Record<'output' | 'env' | 'summary' | 'path' | 'state', string>; env: Record<string, string> };
export function makeWorkspace(files?: WorkspaceFiles, root?: string): { root: string; workspace: string };
export function runAction(options: RunOptions): Promise<RunResult>;
