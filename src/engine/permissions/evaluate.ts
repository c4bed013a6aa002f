/**
 * A structural IAM policy evaluator: enough of IAM's rules to say whether a set of policies allows an action on
 * every resource a pattern names, without calling AWS. Actions match case-insensitively with `*`/`?`; resources
 * match case-sensitively with `*`/`?`; Allow/Deny, NotAction and NotResource are honoured; conditions are
 * evaluated against the request context we know and otherwise treated conservatively ("unknown").
 */
import type { PolicyDocument, PolicyStatement } from '../../report/model.js';

export type { PolicyDocument, PolicyStatement };

/** A statement with every list normalised to an array. */
export interface Statement {
  sid?: string;
  effect: 'Allow' | 'Deny';
  actions?: string[];
  notActions?: string[];
  resources?: string[];
  notResources?: string[];
  condition?: Record<string, Record<string, string[]>>;
}

/** A policy as read from the role: where it comes from, for messages. */
export interface NamedPolicy {
  /** e.g. "inline multi-account-deploy" or "arn:aws:iam::aws:policy/AdministratorAccess". */
  name: string;
  document: PolicyDocument;
}

const list = (value: unknown): string[] | undefined =>
  value === undefined ? undefined : (Array.isArray(value) ? value : [value]).map(String);

export function statementsOf(document: PolicyDocument): Statement[] {
  const raw = Array.isArray(document.Statement) ? document.Statement : [document.Statement];
  return raw.map((s) => ({
    sid: s.Sid,
    effect: s.Effect === 'Deny' ? 'Deny' : 'Allow',
    actions: list(s.Action),
    notActions: list(s.NotAction),
    resources: list(s.Resource),
    notResources: list(s.NotResource),
    condition: s.Condition
      ? Object.fromEntries(
          Object.entries(s.Condition).map(([op, keys]) => [
            op,
            Object.fromEntries(Object.entries(keys).map(([k, v]) => [k, list(v) ?? []])),
          ]),
        )
      : undefined,
  }));
}

/** Parses a policy document as IAM returns it (URL-encoded JSON) or as JSON text. */
export function parsePolicyDocument(text: string): PolicyDocument {
  let decoded = text;
  if (!text.trimStart().startsWith('{')) {
    try {
      decoded = decodeURIComponent(text);
    } catch {
      decoded = text;
    }
  }
  return JSON.parse(decoded) as PolicyDocument;
}

/** Glob match with IAM's wildcards: `*` any sequence, `?` any one character. */
export function globMatch(pattern: string, value: string, ignoreCase = false): boolean {
  const p = ignoreCase ? pattern.toLowerCase() : pattern;
  const v = ignoreCase ? value.toLowerCase() : value;
  // Iterative matcher with backtracking on the last star: linear in practice, no regex building.
  let pi = 0;
  let vi = 0;
  let star = -1;
  let mark = 0;
  while (vi < v.length) {
    if (pi < p.length && (p[pi] === '?' || p[pi] === v[vi])) {
      pi++;
      vi++;
    } else if (pi < p.length && p[pi] === '*') {
      star = pi++;
      mark = vi;
    } else if (star >= 0) {
      pi = star + 1;
      vi = ++mark;
    } else return false;
  }
  while (pi < p.length && p[pi] === '*') pi++;
  return pi === p.length;
}

/**
 * Whether every string `specific` matches is also matched by `general` (both globs). Sound: `true` means
 * covered. A `*` in `specific` can only be covered by a `*` in `general`; a `?` by a `?` or `*`.
 */
export function globCovers(general: string, specific: string, ignoreCase = false): boolean {
  const g = ignoreCase ? general.toLowerCase() : general;
  const s = ignoreCase ? specific.toLowerCase() : specific;
  const memo = new Map<number, boolean>();
  const at = (i: number, j: number): boolean => {
    const key = i * (s.length + 1) + j;
    const cached = memo.get(key);
    if (cached !== undefined) return cached;
    let result: boolean;
    if (i === g.length) result = j === s.length;
    else if (g[i] === '*') result = at(i + 1, j) || (j < s.length && at(i, j + 1));
    else if (j === s.length) result = false;
    else if (g[i] === '?') result = s[j] !== '*' && at(i + 1, j + 1);
    else result = s[j] !== '*' && s[j] !== '?' && g[i] === s[j] && at(i + 1, j + 1);
    memo.set(key, result);
    return result;
  };
  return at(0, 0);
}

/** Whether some string matches both globs. */
export function globOverlaps(a: string, b: string, ignoreCase = false): boolean {
  const x = ignoreCase ? a.toLowerCase() : a;
  const y = ignoreCase ? b.toLowerCase() : b;
  const memo = new Map<number, boolean>();
  const at = (i: number, j: number): boolean => {
    const key = i * (y.length + 1) + j;
    const cached = memo.get(key);
    if (cached !== undefined) return cached;
    let result: boolean;
    if (i === x.length && j === y.length) result = true;
    else if (i < x.length && x[i] === '*') result = at(i + 1, j) || (j < y.length && at(i, j + 1));
    else if (j < y.length && y[j] === '*') result = at(i, j + 1) || (i < x.length && at(i + 1, j));
    else if (i === x.length || j === y.length) result = false;
    else result = (x[i] === '?' || y[j] === '?' || x[i] === y[j]) && at(i + 1, j + 1);
    memo.set(key, result);
    return result;
  };
  return at(0, 0);
}

/** The context of a request, as far as we know it (e.g. iam:PassedToService for iam:PassRole). */
export type RequestContext = Record<string, string>;

export type Tri = 'true' | 'false' | 'unknown';

/** Evaluates a statement's Condition block against the known context; keys we do not know make it unknown. */
export function evaluateCondition(
  condition: Statement['condition'],
  context: RequestContext,
): { result: Tri; unknownKeys: string[] } {
  if (!condition) return { result: 'true', unknownKeys: [] };
  const known = new Map(Object.entries(context).map(([k, v]) => [k.toLowerCase(), v]));
  let result: Tri = 'true';
  const unknownKeys: string[] = [];
  for (const [rawOp, keys] of Object.entries(condition)) {
    for (const [key, values] of Object.entries(keys)) {
      const r = evaluateOne(rawOp, known.get(key.toLowerCase()), values);
      if (r === 'false') return { result: 'false', unknownKeys: [] };
      if (r === 'unknown') {
        result = 'unknown';
        unknownKeys.push(key);
      }
    }
  }
  return { result, unknownKeys };
}

function evaluateOne(rawOp: string, actual: string | undefined, values: string[]): Tri {
  // Set operators on multivalued keys are not modelled: never guess in their favour.
  if (/^For(Any|All)Value:/i.test(rawOp)) return 'unknown';
  const op = rawOp.replace(/IfExists$/, '');
  // An absent key: IfExists would hold, but we cannot tell absent from unknown to us.
  if (actual === undefined) return 'unknown';
  const positive = (test: (v: string) => boolean): Tri => (values.some(test) ? 'true' : 'false');
  const negative = (test: (v: string) => boolean): Tri => (values.some(test) ? 'false' : 'true');
  switch (op) {
    case 'StringEquals':
    case 'ArnEquals':
      return positive((v) => v === actual);
    case 'StringNotEquals':
    case 'ArnNotEquals':
      return negative((v) => v === actual);
    case 'StringEqualsIgnoreCase':
      return positive((v) => v.toLowerCase() === actual.toLowerCase());
    case 'StringNotEqualsIgnoreCase':
      return negative((v) => v.toLowerCase() === actual.toLowerCase());
    case 'StringLike':
    case 'ArnLike':
      return positive((v) => globMatch(v, actual));
    case 'StringNotLike':
    case 'ArnNotLike':
      return negative((v) => globMatch(v, actual));
    case 'Bool':
      return positive((v) => v.toLowerCase() === actual.toLowerCase());
    default:
      return 'unknown';
  }
}

/** One permission to check: an action on every resource a pattern names, with the context the request carries. */
export interface Need {
  action: string;
  resource: string;
  context?: RequestContext;
}

export type Decision =
  | { kind: 'allowed'; by: string }
  | { kind: 'implicit-deny' }
  /** `maybe`: the Deny's condition could not be evaluated, so it may or may not apply. */
  | { kind: 'denied'; by: string; maybe?: boolean }
  | { kind: 'conditional'; by: string; keys: string[] };

const actionMatches = (s: Statement, action: string): boolean =>
  s.actions
    ? s.actions.some((a) => globMatch(a, action, true))
    : !(s.notActions ?? []).some((a) => globMatch(a, action, true));

/** An Allow covers the whole resource pattern; a Deny needs only to touch it. */
function resourceCovers(s: Statement, resource: string): boolean {
  if (s.resources) return s.resources.some((r) => globCovers(r, resource));
  return !(s.notResources ?? []).some((r) => globOverlaps(r, resource));
}
function resourceTouches(s: Statement, resource: string): boolean {
  if (s.resources) return s.resources.some((r) => globOverlaps(r, resource));
  return !(s.notResources ?? []).some((r) => globCovers(r, resource));
}

const label = (policy: NamedPolicy, s: Statement, index: number): string =>
  `${policy.name} statement ${s.sid ?? index + 1}`;

/**
 * What a set of policies decides for a need: an explicit Deny that may apply wins (a Deny whose condition we
 * cannot evaluate counts too); then an Allow whose condition holds; an Allow whose condition we cannot
 * evaluate is "conditional" (not confirmed).
 */
export function decide(policies: NamedPolicy[], need: Need): Decision {
  const context = need.context ?? {};
  let conditional: Decision | undefined;
  let allowed: Decision | undefined;
  for (const policy of policies) {
    const statements = statementsOf(policy.document);
    for (const [index, s] of statements.entries()) {
      if (!actionMatches(s, need.action)) continue;
      if (s.effect === 'Deny') {
        if (!resourceTouches(s, need.resource)) continue;
        const c = evaluateCondition(s.condition, context);
        if (c.result === 'true') return { kind: 'denied', by: label(policy, s, index) };
        if (c.result === 'unknown')
          return {
            kind: 'denied',
            by: `${label(policy, s, index)} (if its condition on ${c.unknownKeys.join(', ')} holds)`,
            maybe: true,
          };
        continue;
      }
      if (!resourceCovers(s, need.resource)) continue;
      const c = evaluateCondition(s.condition, context);
      if (c.result === 'true') allowed ??= { kind: 'allowed', by: label(policy, s, index) };
      else if (c.result === 'unknown')
        conditional ??= { kind: 'conditional', by: label(policy, s, index), keys: c.unknownKeys };
    }
  }
  return allowed ?? conditional ?? { kind: 'implicit-deny' };
}

/** A canonical text of a policy, for equality (key order and single-item lists do not matter). */
export function canonicalPolicy(document: PolicyDocument): string {
  const canon = (value: unknown): unknown => {
    if (Array.isArray(value)) {
      const items = value.map(canon);
      return items.length === 1 ? items[0] : items;
    }
    if (value && typeof value === 'object')
      return Object.fromEntries(
        Object.keys(value as object)
          .sort()
          .map((k) => [k, canon((value as Record<string, unknown>)[k])]),
      );
    return value;
  };
  return JSON.stringify(canon(document));
}
