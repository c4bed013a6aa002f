/**
 * Evaluates a role's trust policy for sts:AssumeRoleWithWebIdentity as IAM does for one GitHub token: the
 * statement's Action and Federated principal, then every condition against the token's keys. Unlike the
 * permissions evaluator (which does not know every key of a request, so it stays conservative), here the request
 * is known completely: a key GitHub does not send is absent, and IAM's rules for absent keys apply.
 */
import { globMatch, statementsOf } from '../permissions/index.js';
import type { PolicyDocument, PolicyStatement } from '../../report/model.js';

/** One condition that does not hold, and what would make it hold. */
export interface FailedCondition {
  statement: string;
  operator: string;
  key: string;
  expected: string[];
  /** The value the token carries; undefined when the key is absent from the request. */
  actual?: string;
}

export type TrustVerdict =
  | { kind: 'allowed'; statement: string; warnings: string[] }
  | { kind: 'denied'; statement: string; condition?: FailedCondition; warnings: string[] }
  | { kind: 'no-statement'; warnings: string[] }
  | { kind: 'conditions'; failed: FailedCondition[]; warnings: string[] };

const ACTION = 'sts:AssumeRoleWithWebIdentity';

/** The Federated principals of a statement. */
function federated(principal: unknown): string[] {
  if (principal === '*') return ['*'];
  if (!principal || typeof principal !== 'object') return [];
  const value = (principal as Record<string, unknown>).Federated;
  return (Array.isArray(value) ? value : value === undefined ? [] : [value]).map(String);
}

export function evaluateTrust(
  document: PolicyDocument,
  providerArn: string,
  keys: Record<string, string>,
): TrustVerdict {
  const raw: PolicyStatement[] = Array.isArray(document.Statement)
    ? document.Statement
    : [document.Statement];
  const statements = statementsOf(document);
  const known = new Map(Object.entries(keys).map(([k, v]) => [k.toLowerCase(), v]));
  const warnings = new Set<string>();
  const failed: FailedCondition[] = [];
  let allowedBy: string | undefined;
  let candidates = 0;
  for (const [i, s] of statements.entries()) {
    const label = s.sid ? `statement ${s.sid}` : `statement ${i + 1}`;
    const actionHit = s.actions
      ? s.actions.some((a) => globMatch(a, ACTION, true))
      : !(s.notActions ?? []).some((a) => globMatch(a, ACTION, true));
    const principals = federated(raw[i]?.Principal);
    if (!actionHit || !principals.some((p) => p === '*' || p === providerArn)) continue;
    const result = conditionsHold(s.condition, known, label, warnings);
    if (s.effect === 'Deny') {
      if (result === true) return { kind: 'denied', statement: label, warnings: [...warnings] };
      continue;
    }
    candidates++;
    if (result === true) allowedBy ??= label;
    else failed.push(...result);
    if (!hasKey(s.condition, 'sub'))
      warnings.add(`${label} does not pin the sub claim: any repository's workflow could assume the role.`);
  }
  if (allowedBy) return { kind: 'allowed', statement: allowedBy, warnings: [...warnings] };
  if (candidates === 0) return { kind: 'no-statement', warnings: [...warnings] };
  return { kind: 'conditions', failed, warnings: [...warnings] };
}

function hasKey(condition: Record<string, Record<string, string[]>> | undefined, claim: string): boolean {
  return Object.values(condition ?? {}).some((keys) =>
    Object.keys(keys).some((k) => k.toLowerCase().endsWith(`:${claim}`)),
  );
}

/** true, or the conditions that fail (all of them, so one run shows every fix). */
function conditionsHold(
  condition: Record<string, Record<string, string[]>> | undefined,
  known: Map<string, string>,
  statement: string,
  warnings: Set<string>,
): true | FailedCondition[] {
  const failures: FailedCondition[] = [];
  for (const [operator, keys] of Object.entries(condition ?? {})) {
    for (const [key, expected] of Object.entries(keys)) {
      const actual = known.get(key.toLowerCase());
      if (/^ForAllValues:/i.test(operator))
        warnings.add(
          `${statement} uses ${operator} on ${key}: it also holds when the key is absent; use StringEquals.`,
        );
      if (!holds(operator, actual, expected)) failures.push({ statement, operator, key, expected, actual });
    }
  }
  return failures.length ? failures : true;
}

/** IAM's rules for one condition on a single-valued key (AWS IAM User Guide, "IAM JSON policy elements: Condition operators"). */
export function holds(operator: string, actual: string | undefined, expected: string[]): boolean {
  const set = /^(ForAnyValue|ForAllValues):(.*)$/i.exec(operator);
  const ifExists = /IfExists$/.test(operator);
  const base = (set?.[2] ?? operator).replace(/IfExists$/, '');
  const negated = /Not/.test(base);
  if (actual === undefined) {
    // An absent key: ForAllValues holds (the empty set), IfExists holds, a negated operator holds.
    if (set?.[1]?.toLowerCase() === 'forallvalues') return true;
    if (set) return false;
    return ifExists || negated;
  }
  const match = (v: string): boolean => {
    switch (base.replace('Not', '')) {
      case 'StringEquals':
        return v === actual;
      case 'StringEqualsIgnoreCase':
        return v.toLowerCase() === actual.toLowerCase();
      case 'StringLike':
        return globMatch(v, actual);
      default:
        return false;
    }
  };
  const any = expected.some(match);
  return negated ? !any : any;
}
