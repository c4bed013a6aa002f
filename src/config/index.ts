import { readFileSync, realpathSync, statSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { parseLifecyclePolicy } from '../engine/ecr/index.js';
import { InputError, errorMessage } from '../errors.js';
import { parseParametersFile } from './parameters-file.js';
import type {
  Capability,
  CommentMode,
  Mode,
  Parameter,
  PermissionsMode,
  Provenance,
  Settings,
  Tag,
  Template,
} from './settings.js';
import { parseTemplate } from './template.js';

/** Reads one input by its kebab-case name; '' when not set. */
export type InputReader = (name: string) => string;

/** What surrounds the inputs: the workspace files are read from, defaults from the environment, provenance. */
export interface RunContext {
  workspace: string;
  defaultRegion?: string;
  provenance: Provenance;
}

const MODES: readonly Mode[] = ['plan', 'deploy', 'execute'];
const PERMISSIONS: readonly PermissionsMode[] = ['verify', 'enforce', 'apply', 'off'];
const COMMENT: readonly CommentMode[] = ['auto', 'always', 'never'];
const CAPABILITIES: readonly Capability[] = [
  'CAPABILITY_IAM',
  'CAPABILITY_NAMED_IAM',
  'CAPABILITY_AUTO_EXPAND',
];

export const ROLE_ARN = /^arn:aws(-[a-z]+)*:iam::\d{12}:role\/([\w+=,.@-]+\/)*[\w+=,.@-]{1,64}$/;
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
const REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$/;
const STACK_NAME = /^[A-Za-z][A-Za-z0-9-]{0,127}$/;
const CHANGE_SET_NAME = /^[A-Za-z][A-Za-z0-9-]{0,127}$/;
const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;
const LOGICAL_ID = /^[A-Za-z0-9]{1,255}$/;
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const ECR_PATTERN = /^[a-z0-9*?][a-z0-9._/*?-]{0,255}$/;
const ENVIRONMENT = /^[\w.-]{1,64}$/;

/** Validates every input once. The first bad value throws an InputError; nothing has called AWS yet. */
export function parseSettings(read: InputReader, context: RunContext): Settings {
  const input = (name: string): string => read(name).trim();
  const mode = oneOf('mode', input('mode') || 'deploy', MODES);
  const changeSetName = optional(input('change-set-name'), (v) =>
    matching(
      'change-set-name',
      v,
      CHANGE_SET_NAME,
      'a name that starts with a letter and has only letters, digits and hyphens (≤ 128)',
    ),
  );
  if (mode === 'execute' && !changeSetName) {
    throw new InputError(
      'change-set-name',
      '',
      "the name of the change set to execute when 'mode' is execute",
      "Pass the 'change-set-name' output of the plan run that kept it (keep-change-set: true).",
    );
  }

  const template = readTemplate(input('template'), context.workspace);
  const fromFile = input('parameters')
    ? readParameters(input('parameters'), context.workspace)
    : { parameters: [], tags: [] };
  const overrides = keyValueLines('parameter-overrides', read('parameter-overrides')).map(
    ([key, value]): Parameter => ({ key, value }),
  );
  const parameters = mergeParameters(template, fromFile.parameters, overrides);

  return {
    roleArn: optional(input('role-arn'), (v) => roleArn('role-arn', v)),
    region: region(input('region') || context.defaultRegion || ''),
    audience: input('audience') || 'sts.amazonaws.com',
    roleSessionName: input('role-session-name')
      ? matching(
          'role-session-name',
          input('role-session-name'),
          SESSION_NAME,
          '2–64 characters of letters, digits and +=,.@_-',
        )
      : defaultSessionName(context.provenance),
    roleDurationSeconds: integer(
      'role-duration-seconds',
      input('role-duration-seconds') || '3600',
      900,
      43200,
    ),
    stackName: matching(
      'stack-name',
      input('stack-name'),
      STACK_NAME,
      'a stack name: starts with a letter, then letters, digits and hyphens, at most 128 characters',
    ),
    template,
    parameters,
    tags: mergeTags(fromFile.tags, keyValueLines('tags', read('tags'))),
    capabilities: capabilities(input('capabilities') || 'CAPABILITY_IAM,CAPABILITY_NAMED_IAM'),
    executionRoleArn: optional(input('execution-role-arn'), (v) => roleArn('execution-role-arn', v)),
    templateBucket: optional(input('template-bucket'), templateBucket),
    mode,
    changeSetName,
    keepChangeSet: boolean('keep-change-set', input('keep-change-set') || 'false'),
    allowDestructive: allowDestructive(read('allow-destructive')),
    terminationProtection: boolean('termination-protection', input('termination-protection') || 'true'),
    timeoutMinutes: integer('timeout-minutes', input('timeout-minutes') || '60', 1, 4320),
    environment: optional(input('environment'), (v) =>
      matching('environment', v, ENVIRONMENT, 'a short label such as dev or prod (letters, digits, . _ -)'),
    ),
    ecrRepositories: lines(read('ecr-repositories')).map((v) =>
      matching(
        'ecr-repositories',
        v,
        ECR_PATTERN,
        'repository names or glob patterns such as app/* (lowercase)',
      ),
    ),
    ecrLifecyclePolicy: optional(input('ecr-lifecycle-policy'), (v) => {
      const text = readWorkspaceFile('ecr-lifecycle-policy', v, context.workspace);
      parseLifecyclePolicy(text, v); // throws an InputError naming the rule and field
      return { source: v, text };
    }),
    permissions: oneOf('permissions', input('permissions') || 'verify', PERMISSIONS),
    deployRole: optional(input('deploy-role'), (v) =>
      v.startsWith('arn:')
        ? roleArn('deploy-role', v)
        : matching(
            'deploy-role',
            v,
            ROLE_NAME,
            'a role name (letters, digits and +=,.@_-, ≤ 64) or role ARN',
          ),
    ),
    comment: oneOf('comment', input('comment') || 'auto', COMMENT),
    provenance: context.provenance,
  };
}

/** The default `role-session-name`: repository, run and attempt, cut to what STS accepts. */
export function defaultSessionName(provenance: Provenance): string {
  const repo = (provenance.repository ?? 'local').split('/').pop() ?? 'local';
  const parts = ['mad', repo, provenance.runId, provenance.runAttempt].filter(Boolean).join('-');
  return sanitizeSessionName(parts);
}

/** STS allows [\w+=,.@-], 2–64 characters. */
export function sanitizeSessionName(raw: string): string {
  const cleaned = raw.replace(/[^\w+=,.@-]/g, '-').slice(0, 64);
  return cleaned.length >= 2 ? cleaned : `${cleaned}--`.slice(0, 2);
}

function mergeParameters(template: Template, fromFile: Parameter[], overrides: Parameter[]): Parameter[] {
  const known = new Set(template.parameters.map((p) => p.key));
  for (const [source, list] of [
    ['parameters', fromFile],
    ['parameter-overrides', overrides],
  ] as const) {
    const unknown = list.find((p) => !known.has(p.key));
    if (unknown) {
      throw new InputError(
        source,
        unknown.key,
        `a parameter of the template ${template.path} (${[...known].join(', ') || 'it declares none'})`,
        'Remove the key or declare it under Parameters in the template.',
      );
    }
  }
  const merged = new Map<string, Parameter>();
  for (const p of [...fromFile, ...overrides]) merged.set(p.key, p);
  // Template order keeps the request (and its hash) stable whatever order the user wrote.
  return template.parameters.flatMap((t) => merged.get(t.key) ?? []);
}

function mergeTags(fromFile: Tag[], fromInput: [string, string][]): Tag[] {
  const merged = new Map(fromFile.map((t) => [t.key, t.value]));
  for (const [key, value] of fromInput) merged.set(key, value);
  if (merged.size > 40)
    throw new InputError(
      'tags',
      `${merged.size} tags`,
      'at most 40 tags (the provenance tags need the rest of the 50)',
    );
  return [...merged].map(([key, value]) => ({ key, value }));
}

function readTemplate(path: string, workspace: string): Template {
  if (!path)
    throw new InputError('template', '', 'the path of a CloudFormation template file in the repository');
  const body = readWorkspaceFile('template', path, workspace);
  try {
    return { path, body, ...parseTemplate(body) };
  } catch (error) {
    throw new InputError('template', path, `a CloudFormation template, but it is ${errorMessage(error)}`);
  }
}

function readParameters(path: string, workspace: string) {
  const text = readWorkspaceFile('parameters', path, workspace);
  try {
    return parseParametersFile(text);
  } catch (error) {
    throw new InputError(
      'parameters',
      path,
      'a parameters file (a [{ParameterKey, ParameterValue}] list, {Parameters: {...}} or a plain map, in JSON or YAML)',
      `The file has a ${errorMessage(error)}`,
    );
  }
}

/** Reads a file that must lie inside the workspace (after resolving symlinks), so a run reads only the repository. */
function readWorkspaceFile(input: string, path: string, workspace: string): string {
  const root = realpathSync(workspace);
  const full = resolve(root, path);
  let real: string;
  try {
    real = realpathSync(full);
  } catch {
    throw new InputError(
      input,
      path,
      `an existing file relative to the workspace ${root}`,
      'Check the path and that the repository is checked out (actions/checkout) before this step.',
    );
  }
  const rel = relative(root, real);
  if (rel.startsWith('..') || isAbsolute(rel)) {
    throw new InputError(
      input,
      path,
      `a file inside the workspace ${root}`,
      'Use a path relative to the repository root.',
    );
  }
  if (!statSync(real).isFile()) throw new InputError(input, path, 'a file, not a directory');
  try {
    return readFileSync(real, 'utf8');
  } catch (error) {
    throw new InputError(input, path, `a readable file (${errorMessage(error)})`);
  }
}

function keyValueLines(name: string, raw: string): [string, string][] {
  return lines(raw).map((line) => {
    const at = line.indexOf('=');
    const key = at > 0 ? line.slice(0, at).trim() : '';
    if (!key) throw new InputError(name, line, 'lines of Key=Value', 'Write one Key=Value per line.');
    return [key, line.slice(at + 1).trim()];
  });
}

function lines(raw: string): string[] {
  return raw
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}

function capabilities(raw: string): Capability[] {
  return raw
    .split(/[\s,]+/)
    .filter(Boolean)
    .map((c) => oneOf('capabilities', c, CAPABILITIES));
}

function templateBucket(raw: string): { bucket: string; prefix: string } {
  const [bucket = '', ...rest] = raw.replace(/^s3:\/\//, '').split('/');
  matching('template-bucket', raw, BUCKET, 'an S3 bucket name, optionally followed by /key-prefix', bucket);
  const prefix = rest.filter(Boolean).join('/');
  return { bucket, prefix: prefix ? `${prefix}/` : '' };
}

function allowDestructive(raw: string): boolean | string[] {
  const value = raw.trim();
  if (value === '' || /^false$/i.test(value)) return false;
  if (/^true$/i.test(value)) return true;
  // A logical ID may be any word, but these are a boolean meant otherwise: say so rather than guess.
  if (/^(yes|no|on|off|y|n|1|0)$/i.test(value)) {
    throw new InputError(
      'allow-destructive',
      value,
      'true, false, or logical IDs of resources (one per line)',
      `Write true or false; "${value}" would otherwise be read as the logical ID of a resource.`,
    );
  }
  return lines(raw)
    .flatMap((l) => l.split(/[\s,]+/).filter(Boolean))
    .map((id) =>
      matching(
        'allow-destructive',
        id,
        LOGICAL_ID,
        'true, false, or logical IDs of resources (one per line)',
      ),
    );
}

function region(value: string): string {
  if (!value) {
    throw new InputError(
      'region',
      '',
      'an AWS region such as eu-west-1',
      "Set the 'region' input or AWS_REGION.",
    );
  }
  return matching('region', value, REGION, 'an AWS region such as eu-west-1 or us-gov-west-1');
}

function roleArn(name: string, value: string): string {
  return matching(name, value, ROLE_ARN, 'an IAM role ARN such as arn:aws:iam::111111111111:role/deploy');
}

function matching(name: string, value: string, pattern: RegExp, expected: string, tested = value): string {
  if (!pattern.test(tested)) throw new InputError(name, value, expected);
  return value;
}

function oneOf<T extends string>(name: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw new InputError(name, value, `one of ${allowed.join(', ')}`);
  }
  return value as T;
}

function boolean(name: string, value: string): boolean {
  if (/^true$/i.test(value)) return true;
  if (/^false$/i.test(value)) return false;
  throw new InputError(name, value, 'true or false');
}

function integer(name: string, value: string, min: number, max: number): number {
  const n = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new InputError(name, value, `a whole number from ${min} to ${max}`);
  }
  return n;
}

function optional<T>(value: string, parse: (value: string) => T): T | undefined {
  return value === '' ? undefined : parse(value);
}
