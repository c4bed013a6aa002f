import defaultPolicy from '../../../templates/ecr-lifecycle-policy.json' with { type: 'json' };
import { InputError, errorMessage } from '../../errors.js';

/**
 * ECR lifecycle policies as data: the bundled default, validation (pure, before any AWS call) and the
 * canonical form used both to compare with what a repository has and to put.
 */

export type TagStatus = 'tagged' | 'untagged' | 'any';
export type CountType =
  'imageCountMoreThan' | 'sinceImagePushed' | 'sinceImagePulled' | 'sinceImageTransitioned';

export interface LifecycleRule {
  rulePriority: number;
  description?: string;
  selection: {
    tagStatus: TagStatus;
    tagPatternList?: string[];
    tagPrefixList?: string[];
    storageClass?: string;
    countType: CountType;
    countUnit?: string;
    countNumber: number;
  };
  action: { type: 'expire' | 'transition'; targetStorageClass?: string };
}

export interface LifecyclePolicy {
  rules: LifecycleRule[];
}

/** ECR's limits on the policy text (LifecyclePolicyText) and on wildcards in one tag pattern. */
export const MIN_POLICY_LENGTH = 100;
export const MAX_POLICY_LENGTH = 30_720;
export const MAX_WILDCARDS = 4;

const TAG_STATUS = ['tagged', 'untagged', 'any'];
const COUNT_TYPES = ['imageCountMoreThan', 'sinceImagePushed', 'sinceImagePulled', 'sinceImageTransitioned'];
const ACTIONS = ['expire', 'transition'];
const RULE_KEYS = ['rulePriority', 'description', 'selection', 'action'];
const SELECTION_KEYS = [
  'tagStatus',
  'tagPatternList',
  'tagPrefixList',
  'storageClass',
  'countType',
  'countUnit',
  'countNumber',
];
const ACTION_KEYS = ['type', 'targetStorageClass'];

/** The default policy, inlined into the bundle by ncc (templates/ecr-lifecycle-policy.json; README explains it). */
export const DEFAULT_POLICY = defaultPolicy as LifecyclePolicy;
export const DEFAULT_POLICY_SOURCE = 'the bundled default policy';

/**
 * Parses and validates a policy text. Every problem throws an InputError on 'ecr-lifecycle-policy' that names
 * the rule (by position and rulePriority) and the field. Returns the policy's canonical text (what is put).
 */
export function parseLifecyclePolicy(text: string, source: string): string {
  const fail = (expected: string, hint?: string): never => {
    throw new InputError('ecr-lifecycle-policy', source, expected, hint);
  };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    fail(`a JSON lifecycle policy, but it is not valid JSON (${errorMessage(error)})`);
  }
  const problem = policyProblem(parsed);
  if (problem) fail(`a valid ECR lifecycle policy, but ${problem}`, RULES_HINT);
  const canonical = canonicalPolicy(parsed as LifecyclePolicy);
  if (canonical.length < MIN_POLICY_LENGTH || canonical.length > MAX_POLICY_LENGTH) {
    fail(
      `a lifecycle policy of ${MIN_POLICY_LENGTH}–${MAX_POLICY_LENGTH} characters (ECR's limits), but it has ${canonical.length} without whitespace`,
    );
  }
  return canonical;
}

const RULES_HINT =
  'See the "ECR lifecycle policy" section of the README: unique rulePriority values, the `any` rule last, ' +
  'tagged rules with tagPatternList or tagPrefixList, countUnit "days" only with the time-based count types.';

/** The first thing wrong with a parsed policy, naming the rule and field; undefined when it is valid. */
export function policyProblem(policy: unknown): string | undefined {
  if (!isObject(policy)) return 'the document is not a JSON object';
  const extra = Object.keys(policy).filter((k) => k !== 'rules');
  if (extra.length) return `it has unknown top-level field(s) ${extra.join(', ')} (only "rules" is allowed)`;
  if (!Array.isArray(policy.rules) || policy.rules.length === 0) return '"rules" is not a non-empty list';
  const rules: unknown[] = policy.rules;
  for (const [index, rule] of rules.entries()) {
    const problem = ruleProblem(rule);
    if (problem) return `${ruleName(rule, index)}: ${problem}`;
  }
  const valid = rules as LifecycleRule[];
  const seen = new Map<number, number>();
  for (const [index, rule] of valid.entries()) {
    const first = seen.get(rule.rulePriority);
    if (first !== undefined)
      return `${ruleName(rule, index)}: rulePriority ${rule.rulePriority} is already used by rule #${first + 1} (priorities must be unique)`;
    seen.set(rule.rulePriority, index);
  }
  const highest = Math.max(...valid.map((r) => r.rulePriority));
  for (const [index, rule] of valid.entries()) {
    if (rule.selection.tagStatus === 'any' && rule.rulePriority !== highest)
      return `${ruleName(rule, index)}: selection.tagStatus is "any", so its rulePriority must be the highest of the policy (it is ${rule.rulePriority}, the highest is ${highest})`;
  }
  return undefined;
}

function ruleProblem(rule: unknown): string | undefined {
  if (!isObject(rule)) return 'is not an object';
  const unknown = unknownKey(rule, RULE_KEYS);
  if (unknown) return `unknown field "${unknown}" (allowed: ${RULE_KEYS.join(', ')})`;
  if (!isPositiveInteger(rule.rulePriority)) return 'rulePriority must be a whole number ≥ 1';
  if (rule.description !== undefined && typeof rule.description !== 'string')
    return 'description must be a string';
  const { selection, action } = rule;
  if (!isObject(selection)) return 'selection is missing or not an object';
  const unknownSelection = unknownKey(selection, SELECTION_KEYS);
  if (unknownSelection)
    return `unknown field "selection.${unknownSelection}" (allowed: ${SELECTION_KEYS.join(', ')})`;
  if (!TAG_STATUS.includes(selection.tagStatus as string))
    return `selection.tagStatus must be one of ${TAG_STATUS.join(', ')}`;
  for (const list of ['tagPatternList', 'tagPrefixList'] as const) {
    const value = selection[list];
    if (value === undefined) continue;
    if (selection.tagStatus !== 'tagged')
      return `selection.${list} is only allowed when tagStatus is "tagged" (it is "${String(selection.tagStatus)}")`;
    if (!Array.isArray(value) || value.length === 0 || value.some((v) => typeof v !== 'string' || v === ''))
      return `selection.${list} must be a non-empty list of non-empty strings`;
    if (list === 'tagPrefixList' && value.some((v: string) => v.includes('*')))
      return 'selection.tagPrefixList takes plain prefixes; use tagPatternList for wildcards (*)';
    const wild = (value as string[]).find((v) => v.split('*').length - 1 > MAX_WILDCARDS);
    if (wild)
      return `selection.tagPatternList pattern "${wild}" has more than ${MAX_WILDCARDS} wildcards (*)`;
  }
  if (selection.tagStatus === 'tagged' && !selection.tagPatternList && !selection.tagPrefixList)
    return 'selection.tagStatus is "tagged", so selection.tagPatternList or selection.tagPrefixList is required';
  if (!COUNT_TYPES.includes(selection.countType as string))
    return `selection.countType must be one of ${COUNT_TYPES.join(', ')}`;
  if (selection.countType === 'imageCountMoreThan') {
    if (selection.countUnit !== undefined)
      return 'selection.countUnit is only allowed with the time-based count types (sinceImagePushed...), not imageCountMoreThan';
  } else if (selection.countUnit !== 'days') {
    return `selection.countUnit must be "days" with countType ${String(selection.countType)}`;
  }
  if (!isPositiveInteger(selection.countNumber)) return 'selection.countNumber must be a whole number ≥ 1';
  if (!isObject(action)) return 'action is missing or not an object';
  const unknownAction = unknownKey(action, ACTION_KEYS);
  if (unknownAction) return `unknown field "action.${unknownAction}" (allowed: ${ACTION_KEYS.join(', ')})`;
  if (!ACTIONS.includes(action.type as string)) return `action.type must be one of ${ACTIONS.join(', ')}`;
  return undefined;
}

/** "rule #3 (rulePriority 20)": position in the file, and the priority when it has one. */
function ruleName(rule: unknown, index: number): string {
  const priority = isObject(rule) ? rule.rulePriority : undefined;
  return `rule #${index + 1}${typeof priority === 'number' ? ` (rulePriority ${priority})` : ''}`;
}

/**
 * The canonical text of a policy: rules sorted by rulePriority (ECR returns them so), tag lists sorted (they are
 * sets: every entry must match), object keys in alphabetical order, no whitespace. Two policies that mean the same
 * have the same canonical text. Lenient on purpose: it also canonicalises what a repository has now, which this
 * validator may not know every field of.
 */
export function canonicalPolicy(policy: LifecyclePolicy): string {
  return JSON.stringify(sortKeys(canonicalShape(policy)));
}

function canonicalShape(policy: unknown): unknown {
  if (!isObject(policy) || !Array.isArray(policy.rules)) return policy;
  const priority = (rule: unknown) =>
    isObject(rule) && typeof rule.rulePriority === 'number' ? rule.rulePriority : Number.MAX_SAFE_INTEGER;
  const rules = [...(policy.rules as unknown[])]
    .sort((a, b) => priority(a) - priority(b))
    .map((rule) => {
      if (!isObject(rule) || !isObject(rule.selection)) return rule;
      const selection = { ...rule.selection };
      for (const list of ['tagPatternList', 'tagPrefixList'])
        if (Array.isArray(selection[list]))
          selection[list] = [...(selection[list] as unknown[])].map(String).sort();
      return { ...rule, selection };
    });
  return { ...policy, rules };
}

/** The canonical text of a policy a repository has now; undefined when it is not JSON (then it is replaced). */
export function canonicalOrUndefined(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  try {
    return JSON.stringify(sortKeys(canonicalShape(JSON.parse(text))));
  } catch {
    return undefined;
  }
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (!isObject(value)) return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((k) => [k, sortKeys(value[k])]),
  );
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isPositiveInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 1;
}

function unknownKey(object: Record<string, unknown>, allowed: string[]): string | undefined {
  return Object.keys(object).find((k) => !allowed.includes(k));
}
