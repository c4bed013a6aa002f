// A workflow's job graph evaluated as GitHub evaluates it, for tests. GitHub's own parser reads the workflow
// (@actions/workflow-parser) and GitHub's own evaluator computes every expression (@actions/expressions); this
// module adds what the runner service does around them, following GitHub's documentation:
// - a job's `if` without a status function is `success() && (if)`; an absent `if` is `success()`;
// - success() is true when every job up the needs-chain (not only the direct needs) succeeded, so a skipped
//   grand-parent skips the job (actions/runner#2205); failure() when any of them failed; cancelled() when the run
//   was cancelled; always() always;
// - a job whose `if` is false is `skipped`; a matrix job succeeds when every leg does, its outputs are the last
//   leg's that set them (last writer wins); an empty matrix vector fails the job;
// - a job with an environment waits for it (recorded); a rejected review fails the job.
import { readFileSync } from 'node:fs';
import { Evaluator, Lexer, Parser, data } from '@actions/expressions';
import type { Expr } from '@actions/expressions';
import {
  NoOperationTraceWriter,
  convertWorkflowTemplate,
  isBasicExpression,
  isLiteral,
  isMapping,
  isSequence,
  parseWorkflow,
} from '@actions/workflow-parser';
import type { WorkflowTemplate } from '@actions/workflow-parser';

type Token = Parameters<typeof isLiteral>[0];
export type Result = 'success' | 'failure' | 'cancelled' | 'skipped';
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
type Contexts = Record<string, unknown>;

export interface JobSpec {
  id: string;
  needs: string[];
  /** The `if` as GitHub runs it (the expression without `${{ }}`). */
  condition: string;
  environment?: Token;
  strategy?: Token;
  outputs: [string, Token][];
}

export interface Workflow {
  file: string;
  errors: string[];
  template: WorkflowTemplate;
  jobs: Map<string, JobSpec>;
  /** workflow_call inputs with their defaults. */
  inputDefaults: Record<string, Json>;
}

const STATUS_FUNCTIONS = ['success', 'failure', 'cancelled', 'always'];

/** Parses and converts a workflow file with GitHub's parser; parse errors are returned, not thrown. */
export async function loadWorkflow(file: string): Promise<Workflow> {
  const parsed = parseWorkflow(
    { name: file, content: readFileSync(file, 'utf8') },
    new NoOperationTraceWriter(),
  );
  const errors = parsed.context.errors.getErrors().map((e) => e.message);
  const template = await convertWorkflowTemplate(parsed.context, parsed.value!);
  errors.push(...(template.errors ?? []).map((e) => e.Message));
  const jobs = new Map<string, JobSpec>();
  for (const job of template.jobs) {
    const outputs: [string, Token][] = [];
    for (const pair of job.outputs ?? [])
      outputs.push([String((pair.key as unknown as { value: unknown }).value), pair.value]);
    jobs.set(job.id.value, {
      id: job.id.value,
      needs: (job.needs ?? []).map((n) => n.value),
      condition: job.if ? job.if.expression : 'success()',
      environment: job.type === 'job' ? job.environment : undefined,
      strategy: job.strategy,
      outputs,
    });
  }
  const inputDefaults: Record<string, Json> = {};
  for (const [name, spec] of Object.entries(template.events.workflow_call?.inputs ?? {}))
    inputDefaults[name] = (spec.default as Json | undefined) ?? (spec.type === 'boolean' ? false : '');
  return { file, errors, template, jobs, inputDefaults };
}

function parse(expression: string, contexts: string[]): Expr {
  const lexed = new Lexer(expression).lex();
  const functions = STATUS_FUNCTIONS.map((name) => ({ name, minArgs: 0, maxArgs: 0 }));
  return new Parser(lexed.tokens, contexts, functions).parse();
}

/** Whether an expression calls a status function anywhere (GitHub's test for the implicit success()). */
export function hasStatusFunction(expression: string): boolean {
  const visit = (node: unknown): boolean => {
    if (!node || typeof node !== 'object') return false;
    const n = node as Record<string, unknown>;
    const name = (n.functionName as { lexeme?: string } | undefined)?.lexeme?.toLowerCase();
    if (name && STATUS_FUNCTIONS.includes(name)) return true;
    return ['args', 'left', 'right', 'expr', 'group', 'index'].some((key) => {
      const child = n[key];
      return Array.isArray(child) ? child.some(visit) : visit(child);
    });
  };
  return visit(parse(expression, ['needs', 'inputs', 'github', 'vars', 'matrix', 'steps', 'jobs']));
}

export interface Status {
  success: boolean;
  failure: boolean;
  cancelled: boolean;
}

const toData = (value: unknown): data.Dictionary =>
  JSON.parse(JSON.stringify(value ?? {}), data.reviver) as data.Dictionary;
const fromData = (value: data.ExpressionData): Json =>
  JSON.parse(JSON.stringify(value, data.replacer) ?? 'null') as Json;

/** Evaluates one expression (no `${{ }}`) with GitHub's evaluator, the given contexts and status. */
export function evaluate(expression: string, contexts: Contexts, status?: Status): Json {
  const expr = parse(expression, Object.keys(contexts));
  const fn = (name: string, value: () => boolean) => ({
    name,
    minArgs: 0,
    maxArgs: 0,
    call: () => new data.BooleanData(value()),
  });
  const functions = new Map(
    [
      fn('success', () => !!status?.success),
      fn('failure', () => !!status?.failure),
      fn('cancelled', () => !!status?.cancelled),
      fn('always', () => true),
    ].map((f) => [f.name, f]),
  );
  return fromData(new Evaluator(expr, toData(contexts), functions).evaluate());
}

/** A job's `if`, with GitHub's implicit success() when it names no status function. */
export function evaluateCondition(condition: string, contexts: Contexts, status: Status): boolean {
  const expression = hasStatusFunction(condition) ? condition : `success() && (${condition})`;
  const value = evaluate(expression, contexts, status);
  return !(value === false || value === null || value === 0 || value === '');
}

/** A string with `${{ }}` expressions in it, as GitHub interpolates it (an expression alone keeps its value). */
export function interpolate(text: string, contexts: Contexts): Json {
  const whole = /^\$\{\{((?:(?!\}\})[\s\S])*)\}\}$/.exec(text.trim());
  if (whole) return evaluate(whole[1]!, contexts);
  return text.replace(/\$\{\{([\s\S]*?)\}\}/g, (_, expr: string) => {
    const value = evaluate(expr, contexts);
    return typeof value === 'string' ? value : JSON.stringify(value);
  });
}

/** Any template token (literal, expression, mapping, sequence) as JSON, expressions evaluated. */
export function valueOf(token: Token | undefined, contexts: Contexts): Json {
  if (!token) return null;
  if (isBasicExpression(token)) return evaluate(token.expression, contexts);
  if (isLiteral(token)) return (token as unknown as { value: Json }).value ?? null;
  if (isSequence(token)) {
    const out: Json[] = [];
    for (let i = 0; i < token.count; i++) out.push(valueOf(token.get(i), contexts));
    return out;
  }
  if (isMapping(token)) {
    const out: Record<string, Json> = {};
    for (const pair of token) out[String(valueOf(pair.key, contexts))] = valueOf(pair.value, contexts);
    return out;
  }
  throw new Error(`unexpected token ${String(token)}`);
}

export interface Leg {
  matrix: Record<string, Json>;
  result: Exclude<Result, 'skipped'>;
  outputs: Record<string, string>;
}

export interface JobRun {
  id: string;
  result: Result;
  outputs: Record<string, string>;
  legs: Leg[];
  /** The environment the job waited for (a deployment needing its protection rules). */
  environment?: string;
  error?: string;
}

export interface StepOutcome {
  result?: 'success' | 'failure' | 'cancelled';
  /** The outputs of the job's steps, by step id, as the job's `outputs:` read them. */
  steps?: Record<string, Record<string, string> | undefined>;
}

export interface Scenario {
  inputs: Record<string, Json>;
  github: Record<string, Json>;
  /** What a running job (leg) does. */
  run: (job: string, matrix: Record<string, Json>, contexts: Contexts) => StepOutcome;
  /** Whether the environment's reviewers approve (default: yes). */
  approve?: (environment: string, job: string) => boolean;
  /** The run was cancelled before these jobs started. */
  cancelledBefore?: string[];
}

/** Every job `id` waits for, directly or through others. */
export function ancestors(workflow: Workflow, id: string, seen = new Set<string>()): Set<string> {
  for (const n of workflow.jobs.get(id)?.needs ?? [])
    if (!seen.has(n)) {
      seen.add(n);
      ancestors(workflow, n, seen);
    }
  return seen;
}

function order(workflow: Workflow): string[] {
  const done: string[] = [];
  const visit = (id: string) => {
    if (done.includes(id)) return;
    for (const n of workflow.jobs.get(id)?.needs ?? []) visit(n);
    done.push(id);
  };
  for (const id of workflow.jobs.keys()) visit(id);
  return done;
}

/** The legs of a job's matrix (one leg without a strategy); undefined when a vector is empty. */
function legsOf(strategy: Token | undefined, contexts: Contexts): Record<string, Json>[] | undefined {
  const value = valueOf(strategy, contexts) as { matrix?: Json } | null;
  const matrix = value?.matrix as Record<string, Json> | undefined;
  if (!matrix) return [{}];
  const { include, exclude, ...vectors } = matrix;
  if (exclude) throw new Error('matrix exclude is not modelled');
  let legs: Record<string, Json>[] = [{}];
  for (const [key, values] of Object.entries(vectors)) {
    if (!Array.isArray(values) || values.length === 0) return undefined;
    legs = legs.flatMap((leg) => values.map((v) => ({ ...leg, [key]: v })));
  }
  const extra = Array.isArray(include) ? (include as Record<string, Json>[]) : [];
  if (Object.keys(vectors).length === 0) return extra.length ? extra : undefined;
  return [...legs, ...extra];
}

const combine = (legs: Leg[]): Exclude<Result, 'skipped'> =>
  legs.some((l) => l.result === 'failure')
    ? 'failure'
    : legs.some((l) => l.result === 'cancelled')
      ? 'cancelled'
      : 'success';

/** Runs the workflow's job graph for one scenario. */
export function simulate(workflow: Workflow, scenario: Scenario): Map<string, JobRun> {
  const runs = new Map<string, JobRun>();
  const inputs = { ...workflow.inputDefaults, ...scenario.inputs };
  let cancelled = false;
  for (const id of order(workflow)) {
    const job = workflow.jobs.get(id)!;
    if (scenario.cancelledBefore?.includes(id)) cancelled = true;
    const needs = Object.fromEntries(
      job.needs.map((n) => [n, { result: runs.get(n)!.result, outputs: runs.get(n)!.outputs }]),
    );
    const chain = [...ancestors(workflow, id)].map((a) => runs.get(a)!.result);
    const status: Status = {
      success: !cancelled && chain.every((r) => r === 'success'),
      failure: chain.some((r) => r === 'failure'),
      cancelled,
    };
    const contexts = { inputs, github: scenario.github, needs, vars: {} };
    if (!evaluateCondition(job.condition, contexts, status)) {
      runs.set(id, { id, result: 'skipped', outputs: {}, legs: [] });
      continue;
    }
    const legs = legsOf(job.strategy, contexts);
    if (!legs) {
      runs.set(id, { id, result: 'failure', outputs: {}, legs: [], error: 'empty matrix' });
      continue;
    }
    const run: JobRun = { id, result: 'success', outputs: {}, legs: [] };
    for (const matrix of legs) {
      const legContexts = { ...contexts, matrix };
      const environment = valueOf(job.environment, legContexts);
      const name = typeof environment === 'string' ? environment : (environment as { name?: string })?.name;
      if (name) run.environment = name;
      if (name && scenario.approve && !scenario.approve(name, id)) {
        run.legs.push({ matrix, result: 'failure', outputs: {} });
        continue;
      }
      const outcome = scenario.run(id, matrix, legContexts);
      const steps = Object.fromEntries(
        Object.entries(outcome.steps ?? {}).map(([step, outputs]) => [step, { outputs: outputs ?? {} }]),
      );
      const outputs: Record<string, string> = {};
      for (const [key, token] of job.outputs) {
        const value = valueOf(token, { ...legContexts, steps });
        if (value !== null && value !== '') outputs[key] = String(value);
      }
      run.legs.push({ matrix, result: outcome.result ?? 'success', outputs });
      Object.assign(run.outputs, outputs); // last writer wins, key by key
    }
    run.result = combine(run.legs);
    runs.set(id, run);
  }
  return runs;
}

/** The longest chain of jobs that ran, ending at `id` (its serial critical path, by job count). */
export function criticalPath(workflow: Workflow, runs: Map<string, JobRun>, id: string): string[] {
  let best: string[] = [];
  for (const n of workflow.jobs.get(id)?.needs ?? []) {
    if (runs.get(n)?.result === 'skipped') continue;
    const path = criticalPath(workflow, runs, n);
    if (path.length > best.length) best = path;
  }
  return [...best, id];
}
