/**
 * Compares a role's policies with the generated one (pure): which needed permissions are missing, which granted
 * ones go beyond the need (by access level), which grants are broad enough to name.
 */
import type { PermissionIssue } from '../../report/model.js';
import { ACCESS_LEVELS, type AccessLevel, type Catalogue } from './catalogue.js';
import {
  decide,
  globOverlaps,
  statementsOf,
  type Decision,
  type NamedPolicy,
  type Need,
  type RequestContext,
  type Statement,
} from './evaluate.js';
import { policyOf, type Grant } from './policy.js';

export interface RolePolicies {
  /** Inline and attached managed policies: what the role is granted. */
  identity: NamedPolicy[];
  /** The permissions boundary, which caps the identity policies. */
  boundary?: NamedPolicy;
}

/** AWS managed policies broad enough to name whenever they are attached. */
const BROAD_MANAGED: Record<string, string> = {
  AdministratorAccess: 'every action on every resource',
  PowerUserAccess: 'every action except most of IAM and Organizations',
  IAMFullAccess: 'every IAM action, including creating roles and changing their policies',
};

/** A wildcard that expands to more uncovered actions than this is reported as one line per access level. */
const LIST_LIMIT = 10;

export function missingPermissions(needs: Need[], role: RolePolicies): PermissionIssue[] {
  return needs.flatMap((need): PermissionIssue[] => {
    const granted = decide(role.identity, need);
    if (granted.kind !== 'allowed')
      return [{ action: need.action, resource: need.resource, note: why(granted) }];
    if (role.boundary) {
      const capped = decide([role.boundary], need);
      if (capped.kind !== 'allowed')
        return [
          {
            action: need.action,
            resource: need.resource,
            note: `the permissions boundary does not allow it (${why(capped)})`,
          },
        ];
    }
    return [];
  });
}

function why(decision: Decision): string {
  switch (decision.kind) {
    case 'implicit-deny':
      return 'no statement allows it';
    case 'denied':
      return `denied by ${decision.by}`;
    case 'conditional':
      return `allowed by ${decision.by} only under a condition on ${decision.keys.join(', ')} that this check cannot evaluate`;
    case 'allowed':
      return `allowed by ${decision.by}`;
  }
}

/**
 * The contexts a statement's own conditions admit (StringEquals/ArnEquals/StringLike/ArnLike), one per listed
 * value, a pattern's wildcards filled in: the statement is covered only if it is covered in each of them.
 */
function pinnedContexts(s: Statement): RequestContext[] {
  let contexts: RequestContext[] = [{}];
  for (const [op, keys] of Object.entries(s.condition ?? {})) {
    if (!/^(StringEquals|ArnEquals|StringLike|ArnLike)$/.test(op)) continue;
    const like = op.endsWith('Like');
    for (const [key, values] of Object.entries(keys)) {
      const samples = values
        .filter((v) => like || !/[*?]/.test(v))
        .map((v) => v.replace(/\*/g, 'example').replace(/\?/g, 'x'));
      if (samples.length === 0 || samples.length * contexts.length > 16) continue;
      contexts = contexts.flatMap((c) => samples.map((v) => ({ ...c, [key]: v })));
    }
  }
  return contexts;
}

export function excessPermissions(
  grants: Grant[],
  role: RolePolicies,
  catalogue: Catalogue,
): PermissionIssue[] {
  const expected: NamedPolicy[] = [{ name: 'generated', document: policyOf(grants) }];
  const issues: PermissionIssue[] = [];
  for (const policy of role.identity) {
    for (const s of statementsOf(policy.document)) {
      if (s.effect !== 'Allow') continue;
      const resources = s.resources ?? ['*'];
      const patterns = s.actions ?? ['*'];
      const contexts = pinnedContexts(s);
      const conditioned = s.condition ? ' (with conditions)' : '';
      for (const pattern of patterns) {
        const expanded = catalogue.expand(pattern);
        const actions = expanded.length > 0 || /[*?]/.test(pattern) ? expanded : [pattern];
        for (const resource of resources) {
          const uncovered = actions.filter((action) => {
            if (
              contexts.every((context) => decide(expected, { action, resource, context }).kind === 'allowed')
            )
              return false;
            // What the boundary surely blocks is not effective: not worth a warning.
            if (!role.boundary) return true;
            const capped = decide([role.boundary], { action, resource });
            return (
              capped.kind === 'allowed' ||
              capped.kind === 'conditional' ||
              !!(capped.kind === 'denied' && capped.maybe)
            );
          });
          issues.push(...group(pattern, resource, uncovered, catalogue, conditioned, s.notActions));
        }
      }
    }
  }
  return dedupe(issues).sort(
    (a, b) =>
      levelRank(a.accessLevel) - levelRank(b.accessLevel) ||
      a.action.localeCompare(b.action) ||
      a.resource.localeCompare(b.resource),
  );
}

function group(
  pattern: string,
  resource: string,
  uncovered: string[],
  catalogue: Catalogue,
  conditioned: string,
  notActions: string[] | undefined,
): PermissionIssue[] {
  const level = (a: string): string => catalogue.level(a) ?? 'Unknown';
  const shown = notActions ? `NotAction ${notActions.join(', ')}` : pattern;
  if (uncovered.length <= LIST_LIMIT && !notActions)
    return uncovered.map((action) => ({
      action,
      resource,
      accessLevel: level(action),
      ...(conditioned || action !== pattern
        ? { note: `${action !== pattern ? `granted by ${pattern}` : ''}${conditioned}`.trim() }
        : {}),
    }));
  const byLevel = new Map<string, string[]>();
  for (const action of uncovered) byLevel.set(level(action), [...(byLevel.get(level(action)) ?? []), action]);
  return [...byLevel].map(([accessLevel, actions]) => ({
    action: shown,
    resource,
    accessLevel,
    note: `${actions.length} ${accessLevel} action${actions.length === 1 ? '' : 's'}, e.g. ${pickExamples(actions).join(', ')}${conditioned}`,
  }));
}

/** IAM, STS and Organizations first: the examples a reviewer recognises as dangerous. */
function pickExamples(actions: string[]): string[] {
  const rank = (a: string): number => (/^(iam|sts|organizations):/.test(a) ? 0 : 1);
  return [...actions].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b)).slice(0, 3);
}

function levelRank(level: string | undefined): number {
  const i = ACCESS_LEVELS.indexOf(level as AccessLevel);
  return i < 0 ? ACCESS_LEVELS.length : i;
}

function dedupe(issues: PermissionIssue[]): PermissionIssue[] {
  const seen = new Map<string, PermissionIssue>();
  for (const i of issues)
    seen.set(
      `${i.action}\u0000${i.resource}\u0000${i.accessLevel}`,
      seen.get(`${i.action}\u0000${i.resource}\u0000${i.accessLevel}`) ?? i,
    );
  return [...seen.values()];
}

/** Grants broad enough to name: the well-known managed policies, `*` and whole-service actions, NotAction. */
export function broadGrants(role: RolePolicies): string[] {
  const out: string[] = [];
  for (const policy of role.identity) {
    const managed = /^arn:aws[\w-]*:iam::aws:policy\/(?:.*\/)?([^/]+)$/.exec(policy.name)?.[1];
    if (managed && BROAD_MANAGED[managed]) out.push(`${managed} is attached: ${BROAD_MANAGED[managed]}.`);
    statementsOf(policy.document).forEach((s, index) => {
      if (s.effect !== 'Allow') return;
      const where = `${policy.name} statement ${s.sid ?? index + 1}`;
      const on = (s.resources ?? ['*']).join(', ');
      if (s.notActions)
        out.push(`${where} allows every action except ${s.notActions.join(', ')} (NotAction) on ${on}.`);
      for (const a of s.actions ?? []) {
        if (a === '*' || a === '*:*')
          out.push(`${where} allows \`*\` (every action of every service) on ${on}.`);
        else if (/^[\w-]+:\*$/.test(a))
          out.push(`${where} allows \`${a}\` (every action of the service) on ${on}.`);
      }
    });
  }
  return [...new Set(out)];
}

/** IAM writes the grants would allow on the role itself: applying such a policy would let it escalate. */
export function selfEscalation(grants: Grant[], roleArn: string, catalogue: Catalogue): string[] {
  return grants.flatMap((g) =>
    g.actions
      .filter(
        (a) =>
          /^iam:/i.test(a) && (catalogue.level(a) ?? 'Write') !== 'Read' && catalogue.level(a) !== 'List',
      )
      .filter(() => g.resources.some((r) => globOverlaps(r, roleArn)))
      .map((a) => `${a} on ${g.resources.join(', ')}`),
  );
}
