// Runs the bundled action as a GitHub runner does: a node process with INPUT_* variables, command files
// (GITHUB_OUTPUT, GITHUB_ENV, GITHUB_STEP_SUMMARY), a workspace and the standard GITHUB_* context.
// Shared by the integration tests, the demo and the benchmarks.
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const DIST = join(REPO_ROOT, 'dist/index.js');

/** Parses a GITHUB_OUTPUT / GITHUB_ENV file as the runner does (name=value and heredoc forms). */
export function parseCommandFile(text) {
  const result = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (!line) continue;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const value = [];
      for (i++; i < lines.length && lines[i] !== heredoc[2]; i++) value.push(lines[i]);
      result[heredoc[1]] = value.join('\n');
    } else {
      const at = line.indexOf('=');
      if (at > 0) result[line.slice(0, at)] = line.slice(at + 1);
    }
  }
  return result;
}

/** A fresh workspace with the given files: path → text, or path → { from: repo-relative file }. */
export function makeWorkspace(files = {}, root = mkdtempSync(join(tmpdir(), 'mad-run-'))) {
  const workspace = join(root, 'workspace');
  mkdirSync(workspace, { recursive: true });
  for (const [path, content] of Object.entries(files)) {
    const target = join(workspace, path);
    mkdirSync(dirname(target), { recursive: true });
    if (typeof content === 'string') writeFileSync(target, content);
    else cpSync(join(REPO_ROOT, content.from), target);
  }
  return { root, workspace };
}

/**
 * What a runner gives every step: empty command files under `root` and the GITHUB_* context of a push to main.
 * Returns { files, env }.
 */
export function runnerStep(root, workspace) {
  const files = Object.fromEntries(
    ['output', 'env', 'summary', 'path', 'state'].map((f) => [f, join(root, f)]),
  );
  for (const f of Object.values(files)) writeFileSync(f, '');
  const env = {
    HOME: root,
    GITHUB_ACTIONS: 'true',
    CI: 'true',
    GITHUB_WORKSPACE: workspace,
    GITHUB_OUTPUT: files.output,
    GITHUB_ENV: files.env,
    GITHUB_STEP_SUMMARY: files.summary,
    GITHUB_PATH: files.path,
    GITHUB_STATE: files.state,
    GITHUB_REPOSITORY: 'acme/app',
    GITHUB_REPOSITORY_OWNER: 'acme',
    GITHUB_SHA: '0123456789abcdef0123456789abcdef01234567',
    GITHUB_REF: 'refs/heads/main',
    GITHUB_RUN_ID: String(1_000_000 + Math.floor(Math.random() * 1_000_000)),
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_ACTOR: 'octocat',
    GITHUB_WORKFLOW: 'deploy',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_EVENT_NAME: 'push',
  };
  return { files, env };
}

/**
 * Runs dist/index.js. Options: inputs, files, workspace (reuse one), endpoint (AWS), oidcUrl, githubApiUrl,
 * event ({name:'push'} | {name:'pull_request', number}), env, timeoutMs, entry (another build's index.js). Resolves to
 * { code, stdout, stderr, outputs, exported, summary, durationMs, workspace }.
 */
export async function runAction(options) {
  const { root, workspace } = options.workspace
    ? { root: mkdtempSync(join(tmpdir(), 'mad-run-')), workspace: options.workspace }
    : makeWorkspace(options.files);
  if (options.workspace && options.files) makeWorkspace(options.files, dirname(options.workspace));
  const { files, env: stepEnv } = runnerStep(root, workspace);
  const env = {
    PATH: process.env.PATH,
    ...stepEnv,
    AWS_ENDPOINT_URL: options.endpoint,
    AWS_REGION: 'eu-west-1',
    // The environment's credentials: used when no role-arn is given.
    AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'environment-secret-key',
    AWS_EC2_METADATA_DISABLED: 'true',
    NODE_NO_WARNINGS: '1',
  };
  if (options.oidcUrl) {
    env.ACTIONS_ID_TOKEN_REQUEST_URL = `${options.oidcUrl}/token?api-version=2.0`;
    env.ACTIONS_ID_TOKEN_REQUEST_TOKEN = 'request-token';
  }
  if (options.githubApiUrl) env.GITHUB_API_URL = options.githubApiUrl;
  if (options.event) {
    const eventPath = join(root, 'event.json');
    const repository = { name: 'app', owner: { login: 'acme' } };
    const payload =
      options.event.name === 'pull_request'
        ? {
            number: options.event.number,
            pull_request: { number: options.event.number, head: { sha: env.GITHUB_SHA } },
            repository,
          }
        : { ref: 'refs/heads/main', repository };
    writeFileSync(eventPath, JSON.stringify(payload));
    env.GITHUB_EVENT_NAME = options.event.name;
    env.GITHUB_EVENT_PATH = eventPath;
    if (options.event.name === 'pull_request') env.GITHUB_REF = `refs/pull/${options.event.number}/merge`;
  }
  for (const [name, value] of Object.entries(options.inputs ?? {}))
    env[`INPUT_${name.toUpperCase()}`] = value;
  Object.assign(env, options.env);
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];

  const started = Date.now();
  const entry = options.entry ?? DIST;
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), entry], {
    cwd: workspace,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d.toString()));
  child.stderr.on('data', (d) => (stderr += d.toString()));
  // Signals as a cancelled job gets them: each after a delay, or once stdout shows a text (then after its delay).
  const timers = [];
  for (const { signal, afterMs = 0, whenOutput } of options.signals ?? []) {
    const send = () => timers.push(setTimeout(() => child.exitCode === null && child.kill(signal), afterMs));
    if (!whenOutput) send();
    else {
      const watch = () => {
        if (!stdout.includes(whenOutput)) return;
        child.stdout.off('data', watch);
        send();
      };
      child.stdout.on('data', watch);
    }
  }
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
  const code = await new Promise((resolve) => child.on('close', resolve));
  clearTimeout(timer);
  for (const t of timers) clearTimeout(t);
  return {
    code,
    stdout,
    stderr,
    outputs: parseCommandFile(readFileSync(files.output, 'utf8')),
    exported: parseCommandFile(readFileSync(files.env, 'utf8')),
    summary: readFileSync(files.summary, 'utf8'),
    durationMs: Date.now() - started,
    workspace,
  };
}
