import { parseLifecyclePolicy } from '../engine/ecr/index.js';
import { InputError } from '../errors.js';
import {
  checkDeployRoleAccount,
  checkPartition,
  checkTags,
  checkTemplateSize,
  checkUniqueKeys,
  durationWarnings,
  ignoredInputs,
} from './checks.js';
import type { Parameter, Provenance, Settings, Tag, Template } from './settings.js';
import {
  COMMENT,
  DRIFT,
  ECR_PATTERN,
  ENVIRONMENT,
  MODES,
  ON_CREATE_FAILURE,
  PERMISSIONS,
  ROLE_NAME,
  SESSION_NAME,
  STACK_NAME,
  allowList,
  boolean,
  capabilities,
  integer,
  keyValueLines,
  lines,
  matching,
  oneOf,
  optional,
  region,
  roleArn,
  templateBucket,
} from './values.js';
import { readParameters, readTemplate, readWorkspaceFile } from './workspace.js';
import { changeSetReference } from './change-set-ref.js';

export { ROLE_ARN } from './values.js';

/** Reads one input by its kebab-case name; '' when not set. */
export type InputReader = (name: string) => string;

/** What surrounds the inputs: the workspace files are read from, defaults from the environment, provenance. */
export interface RunContext {
  workspace: string;
  defaultRegion?: string;
  provenance: Provenance;
}

/** Validates every input once. The first bad value throws an InputError; nothing has called AWS yet. */
export function parseSettings(read: InputReader, context: RunContext): Settings {
  const settings = readInputs(read, context);
  const given = (name: string): boolean => read(name).trim() !== '';
  // Across inputs, still before any AWS request.
  for (const [name, arn] of [
    ['role-arn', settings.roleArn],
    ['execution-role-arn', settings.executionRoleArn],
    ['deploy-role', settings.deployRole?.startsWith('arn:') ? settings.deployRole : undefined],
  ] as const)
    checkPartition(name, arn, settings.region);
  checkDeployRoleAccount(settings.deployRole, settings.roleArn);
  checkTemplateSize(settings.template.path, settings.template.body, !!settings.templateBucket);
  settings.warnings.push(
    ...ignoredInputs(settings.mode, given),
    ...durationWarnings(settings.timeoutMinutes, settings.roleDurationSeconds, !!settings.roleArn),
  );
  return settings;
}

function readInputs(read: InputReader, context: RunContext): Settings {
  const input = (name: string): string => read(name).trim();
  const mode = oneOf('mode', input('mode') || 'deploy', MODES);
  const changeSetName = input('change-set-name') || undefined;
  if (mode === 'execute' && !changeSetName) {
    throw new InputError(
      'change-set-name',
      '',
      "the ARN (or name) of the change set to execute when 'mode' is execute",
      "Pass the 'change-set-id' output of the plan run that kept it (keep-change-set: true).",
    );
  }

  const template = readTemplate(input('template'), context.workspace);
  const fromFile = input('parameters')
    ? readParameters(input('parameters'), context.workspace)
    : { parameters: [], tags: [] };
  const overridePairs = keyValueLines('parameter-overrides', read('parameter-overrides'));
  checkUniqueKeys('parameter-overrides', overridePairs);
  const overrides = overridePairs.map(([key, value]): Parameter => ({ key, value }));
  const parameters = mergeParameters(template, fromFile.parameters, overrides);

  const role = optional(input('role-arn'), (v) => roleArn('role-arn', v));
  const runRegion = region(input('region') || context.defaultRegion || '');
  return {
    roleArn: role,
    region: runRegion,
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
    changeSetName: optional(changeSetName ?? '', (v) =>
      changeSetReference(v, { mode, region: runRegion, roleArn: role }),
    ),
    keepChangeSet: boolean('keep-change-set', input('keep-change-set') || 'false'),
    allowDestructive: allowList('allow-destructive', read('allow-destructive')),
    allowBroadening: allowList('allow-broadening', read('allow-broadening')),
    onCreateFailure: oneOf('on-create-failure', input('on-create-failure') || 'delete', ON_CREATE_FAILURE),
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
    drift: oneOf('drift', input('drift') || 'report', DRIFT),
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
    exportCredentials: boolean('export-credentials', input('export-credentials') || 'true'),
    provenance: context.provenance,
    warnings: [],
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
  checkTags('parameters', fromFile);
  checkTags(
    'tags',
    fromInput.map(([key, value]) => ({ key, value })),
  );
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
