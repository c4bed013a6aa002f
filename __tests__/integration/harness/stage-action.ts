// Runs the reusable workflow's stage action (.github/actions/stage/action.yml) the way the runner runs a
// composite action: each step's `if` (implicit success()), `env` and `with` evaluated with GitHub's evaluator,
// `run:` steps in bash with GITHUB_ACTION_PATH/RUNNER_TEMP/GITHUB_OUTPUT, the action step as the bundled action
// (runAction), and the artifact steps as copies into and out of an in-memory artifact store of the run.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { evaluateCondition, interpolate, type Json } from '../../unit/helpers/job-graph.js';
import { parseCommandFile, REPO_ROOT, runAction } from './run-action.js';

const STAGE = resolve(REPO_ROOT, '.github/actions/stage');
interface Step {
  id?: string;
  name?: string;
  if?: string;
  uses?: string;
  run?: string;
  env?: Record<string, string>;
  with?: Record<string, string>;
}
const action = parse(readFileSync(join(STAGE, 'action.yml'), 'utf8')) as {
  inputs: Record<string, { default?: string }>;
  outputs: Record<string, { value: string }>;
  runs: { steps: Step[] };
};

/** The artifacts of one workflow run: name → a directory holding its files. */
export type Artifacts = Map<string, string>;

export interface StageRun {
  outputs: Record<string, string>;
  steps: Record<string, { outcome: string; outputs: Record<string, string> }>;
  failed: boolean;
}

const text = (value: Json) =>
  value === null ? '' : typeof value === 'string' ? value : JSON.stringify(value);

export async function runStage(
  workspace: string,
  artifacts: Artifacts,
  inputs: Record<string, string>,
  /** The AWS endpoint of the bundled action's step (default: moto; the fidelity layer where AWS differs). */
  endpoint?: string,
): Promise<StageRun> {
  const runnerTemp = mkdtempSync(join(tmpdir(), 'mad-runner-temp-'));
  const defaults = Object.fromEntries(Object.entries(action.inputs).map(([k, v]) => [k, v.default ?? '']));
  const steps: StageRun['steps'] = {};
  let failed = false;
  for (const [index, step] of action.runs.steps.entries()) {
    const contexts = { inputs: { ...defaults, ...inputs }, steps, runner: { temp: runnerTemp }, github: {} };
    const condition = step.if ?? 'success()';
    if (!evaluateCondition(condition, contexts, { success: !failed, failure: failed, cancelled: false })) {
      if (step.id) steps[step.id] = { outcome: 'skipped', outputs: {} };
      continue;
    }
    const env = Object.fromEntries(
      Object.entries(step.env ?? {}).map(([k, v]) => [k, text(interpolate(v, contexts))]),
    );
    const args = Object.fromEntries(
      Object.entries(step.with ?? {}).map(([k, v]) => [k, text(interpolate(String(v), contexts))]),
    );
    let outcome = 'success';
    let outputs: Record<string, string> = {};
    if (step.uses?.startsWith('actions/download-artifact@')) {
      const from = artifacts.get(args.name ?? '');
      if (!from) outcome = 'failure';
      else cpSync(from, resolve(workspace, args.path ?? '.'), { recursive: true });
    } else if (step.uses?.startsWith('actions/upload-artifact@')) {
      const path = resolve(workspace, args.path ?? '.');
      if (existsSync(path)) {
        const stored = mkdtempSync(join(tmpdir(), 'mad-artifact-'));
        cpSync(path, stored, { recursive: true });
        artifacts.set(args.name ?? '', stored);
      }
    } else if (step.uses === './.multi-account-deploy/action') {
      const run = await runAction({ workspace, inputs: args, ...(endpoint ? { endpoint } : {}) });
      outcome = run.code === 0 ? 'success' : 'failure';
      outputs = run.outputs;
    } else if (step.run !== undefined) {
      const dir = mkdtempSync(join(tmpdir(), 'mad-step-'));
      writeFileSync(join(dir, 'step.sh'), step.run);
      writeFileSync(join(dir, 'output'), '');
      mkdirSync(runnerTemp, { recursive: true });
      const res = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', join(dir, 'step.sh')], {
        cwd: workspace,
        env: {
          PATH: process.env.PATH,
          ...env,
          GITHUB_ACTION_PATH: STAGE,
          RUNNER_TEMP: runnerTemp,
          GITHUB_OUTPUT: join(dir, 'output'),
        },
        encoding: 'utf8',
      });
      outcome = res.status === 0 ? 'success' : 'failure';
      outputs = parseCommandFile(readFileSync(join(dir, 'output'), 'utf8')) as Record<string, string>;
      if (outcome === 'failure')
        process.stderr.write(`stage step ${step.name ?? index}: ${res.stdout}${res.stderr}`);
    } else {
      throw new Error(`stage step ${step.name ?? index} (${step.uses}) is not modelled`);
    }
    if (step.id) steps[step.id] = { outcome, outputs };
    if (outcome === 'failure') failed = true;
  }
  const contexts = { inputs: { ...defaults, ...inputs }, steps };
  const outputs = Object.fromEntries(
    Object.entries(action.outputs).map(([k, v]) => [k, text(interpolate(v.value, contexts))]),
  );
  return { outputs, steps, failed };
}
