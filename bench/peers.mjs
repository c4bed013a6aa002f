// The peers the latency benchmarks run, each as a separate process the way its users run it, against the same
// endpoint as ours. Measurement only: nothing of a peer's code is imported or copied.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT, runnerStep } from '../scripts/lib/runner.mjs';
import { awsCli, cliEnv } from './lib.mjs';

/** aws-actions/aws-cloudformation-github-deploy v2.2.0's committed bundle (../shared/peers/README.md beside this checkout). */
export const GITHUB_DEPLOY_PEER =
  process.env.GITHUB_DEPLOY_PEER ??
  join(REPO_ROOT, '../shared/peers/aws-cloudformation-github-deploy-v2.2.0/dist/index.js');

let defaults;
function actionDefaults() {
  defaults ??= Object.fromEntries(
    Object.entries(
      parse(readFileSync(join(dirname(GITHUB_DEPLOY_PEER), '../action.yml'), 'utf8')).inputs ?? {},
    )
      .filter(([, spec]) => spec.default !== undefined)
      .map(([name, spec]) => [name, String(spec.default)]),
  );
  return defaults;
}

/** Spawns a command, collects its output; resolves to { code, stdout, stderr, ms }. */
function run(command, args, options) {
  const t0 = performance.now();
  const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve) =>
    child.on('close', (code) => resolve({ code, stdout, stderr, ms: performance.now() - t0 })),
  );
}

/**
 * aws-cloudformation-github-deploy as a runner starts it: `node dist/index.js` with INPUT_<NAME> variables
 * (upper-cased, dashes kept), the GITHUB_* command files, AWS_ENDPOINT_URL and credentials.
 */
export async function peerDeploy({ workspace, endpoint, stackName, template, overrides }) {
  const root = mkdtempSync(join(tmpdir(), 'mad-peer-'));
  // A runner passes every input of action.yml, with its default where the workflow sets none.
  const inputs = {
    ...actionDefaults(),
    name: stackName,
    template,
    capabilities: 'CAPABILITY_IAM',
    ...(overrides ? { 'parameter-overrides': overrides } : {}),
  };
  const env = {
    ...cliEnv(endpoint),
    ...runnerStep(root, workspace).env,
    NODE_NO_WARNINGS: '1',
    ...Object.fromEntries(Object.entries(inputs).map(([k, v]) => [`INPUT_${k.toUpperCase()}`, v])),
  };
  const res = await run(process.execPath, [GITHUB_DEPLOY_PEER], { cwd: workspace, env });
  // The action reports failure through ::error:: and exit code 1.
  return { ...res, ok: res.code === 0 };
}

/** `aws cloudformation deploy` (the preinstalled CLI), with --endpoint-url. */
export async function cliDeploy({ workspace, endpoint, stackName, template, overrides }) {
  const cli = awsCli();
  const args = [
    ...cli.slice(1),
    '--endpoint-url',
    endpoint,
    'cloudformation',
    'deploy',
    '--template-file',
    template,
    '--stack-name',
    stackName,
    '--no-fail-on-empty-changeset',
    ...(overrides ? ['--parameter-overrides', ...overrides.split(',')] : []),
  ];
  const res = await run(cli[0], args, { cwd: workspace, env: cliEnv(endpoint) });
  return { ...res, ok: res.code === 0 };
}
