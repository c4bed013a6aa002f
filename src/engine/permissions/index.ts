/**
 * The permissions phase: find the role to check, read its policies, compare them with the generated
 * least-privilege policy (structurally, and with iam:SimulatePrincipalPolicy where allowed), and with
 * `permissions: apply` put the generated policy on it first. Runs before any stack change.
 */
import {
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
  PutRolePolicyCommand,
  SimulatePrincipalPolicyCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import type { AwsClients } from '../../aws/clients.js';
import { UserError, awsErrorName, errorMessage } from '../../errors.js';
import type { Logger } from '../../logger.js';
import type { PermissionIssue, PermissionsFinding } from '../../report/model.js';
import type { Settings } from '../../config/settings.js';
import { loadCatalogue } from './catalogue.js';
import { canonicalPolicy, decide, parsePolicyDocument, type NamedPolicy } from './evaluate.js';
import {
  broadGrants,
  excessPermissions,
  missingPermissions,
  selfEscalation,
  type RolePolicies,
} from './compare.js';
import { grantsFor, needsOf, policyOf, sampleArn, type Grant, type RoleKind } from './policy.js';
import { isPullRequestRun } from '../stack/index.js';

export { deployPolicy, planPolicy, partitionOf } from './policy.js';
export { globMatch, parsePolicyDocument, statementsOf } from './evaluate.js';

/** The inline policy `permissions: apply` writes. */
export const INLINE_POLICY_NAME = 'multi-account-deploy';

export interface PermissionsContext {
  clients: AwsClients;
  /** Single-attempt clients, for the simulator (often not allowed; no retry storm). */
  bestEffort: AwsClients;
  logger: Logger;
}

export interface Caller {
  accountId: string;
  callerArn: string;
}

type Target = { roleName: string; roleArn?: string } | { skipped: string };

/** The role to check: `deploy-role` if set, else the role the run assumed; none when the caller is not a role. */
export function targetRole(settings: Settings, caller: Caller): Target {
  const given = settings.deployRole ?? settings.roleArn;
  if (given) {
    if (given.startsWith('arn:')) {
      const account = given.split(':')[4];
      if (account !== caller.accountId)
        throw new UserError(
          `The role to check, ${given}, is in account ${account}, but this run's credentials are in account ${caller.accountId}.`,
          "Set 'deploy-role' to a role of the account being deployed to (a name is enough).",
        );
      return { roleName: given.split('/').pop() ?? given, roleArn: given };
    }
    return { roleName: given };
  }
  const assumed = /^arn:aws[\w-]*:sts::\d{12}:assumed-role\/([^/]+)\/.+$/.exec(caller.callerArn);
  if (assumed?.[1]) return { roleName: assumed[1] };
  return {
    skipped: `the credentials are not a role's (${caller.callerArn}); set 'deploy-role' to the role to check.`,
  };
}

export async function checkPermissions(
  settings: Settings,
  caller: Caller,
  ctx: PermissionsContext,
): Promise<PermissionsFinding> {
  const mode = settings.permissions === 'off' ? 'verify' : settings.permissions;
  // A plan run holds its own role to the plan policy; a role named by deploy-role is a deploy role in any mode,
  // so an admin's `mode: plan` run can apply its policy without deploying anything.
  const kind: RoleKind =
    settings.mode === 'plan' && !settings.deployRole
      ? isPullRequestRun(settings.provenance)
        ? 'plan'
        : 'release'
      : 'deploy';
  const base = { accountId: caller.accountId, region: settings.region };
  const target = targetRole(settings, caller);
  const finding = (roleArn?: string): PermissionsFinding => ({
    mode,
    checkedAgainst: kind,
    method: 'structural',
    applied: false,
    missing: [],
    excess: [],
    broad: [],
    warnings: [],
    deployPolicy: policyOf(grantsFor('deploy', settings, { ...base, roleArn })),
    planPolicy: policyOf(grantsFor('plan', settings, { ...base, roleArn })),
  });
  if ('skipped' in target) {
    ctx.logger.warn(`Permissions check skipped: ${target.skipped}`);
    return { ...finding(), skipped: target.skipped };
  }

  const iam = await ctx.clients.iam();
  const role = await readRoleOrExplain(iam, target.roleName, settings);
  if ('missing' in role) {
    if (mode === 'verify') {
      // A role that works but may not read its own policies must not be broken by the check.
      const warning = `could not check the permissions of ${target.roleName}: ${role.missing.note ?? role.missing.action}; grant ${READ_OWN_POLICIES.join(',')} or set permissions: off`;
      ctx.logger.warn(`Permissions: ${warning}`);
      return { ...finding(role.arn), roleName: target.roleName, roleArn: role.arn, warnings: [warning] };
    }
    return { ...finding(role.arn), roleName: target.roleName, roleArn: role.arn, missing: [role.missing] };
  }
  const grants = grantsFor(kind, settings, { ...base, roleArn: role.arn });
  const result: PermissionsFinding = {
    ...finding(role.arn),
    roleName: target.roleName,
    roleArn: role.arn,
    boundary: role.boundaryArn,
  };
  const catalogue = await loadCatalogue();

  if (mode === 'apply') {
    const escalation = selfEscalation(grants, role.arn, catalogue);
    if (escalation.length > 0)
      throw new UserError(
        `Refusing to apply: the policy would let ${target.roleName} change IAM on itself (${escalation.join('; ')}).`,
        "Use a CloudFormation execution role other than the deploy role ('execution-role-arn').",
      );
    if (caller.callerArn.split('/')[1] === target.roleName && /:assumed-role\//.test(caller.callerArn))
      throw new UserError(
        `Refusing to apply: this run is ${target.roleName} itself, and a role must not change its own permissions.`,
        "Run the apply with the account's bootstrap or admin role (role-arn) and name the role to change with 'deploy-role'.",
      );
    result.applied = await applyPolicy(iam, target.roleName, policyOf(grants), role.policies, ctx.logger);
  }

  result.missing = missingPermissions(withKnownContext(needsOf(grants), settings, caller), role.policies);
  if (mode === 'verify') uncheckableToWarnings(result);
  result.excess = excessPermissions(grants, role.policies, catalogue);
  result.broad = broadGrants(role.policies);
  if (kind !== 'deploy') narrowPlanExcess(result, settings, base, role.arn);
  const services = callerServices(settings);
  const callerNote =
    kind === 'deploy' && services.length > 0
      ? `Without execution-role-arn, CloudFormation creates the template's resources with ${target.roleName}'s own permissions (${services.join(', ')}); the generated policy cannot include them, as it does not know which actions each resource type needs. Set execution-role-arn (templates/bootstrap.yaml makes one), or grant those services' actions to ${target.roleName}.`
      : undefined;
  if (!role.boundaryArn)
    result.warnings.push(
      `${target.roleName} has no permissions boundary: nothing caps what its policies may grow to (templates/bootstrap.yaml sets one).`,
    );

  const simulated = await simulate(await ctx.bestEffort.iam(), role.arn, grants);
  if (simulated.ok) {
    result.method = 'simulated';
    result.missing = simulated.denied;
  } else {
    result.methodNote = `iam:SimulatePrincipalPolicy was not available (${simulated.reason}); the policies were compared structurally.`;
  }
  if (callerNote) result.methodNote = [result.methodNote, callerNote].filter(Boolean).join(' ');
  report(result, ctx.logger);
  return result;
}

interface RoleRead {
  arn: string;
  boundaryArn?: string;
  policies: RolePolicies;
}

async function readRoleOrExplain(
  iam: IAMClient,
  roleName: string,
  settings: Settings,
): Promise<RoleRead | { arn?: string; missing: PermissionIssue }> {
  try {
    return await readRole(iam, roleName);
  } catch (error) {
    const name = awsErrorName(error);
    if (name === 'NoSuchEntity' || name === 'NoSuchEntityException')
      throw new UserError(
        `The role to check, ${roleName}, does not exist in this account.`,
        settings.deployRole
          ? "Check 'deploy-role'."
          : "Set 'deploy-role' to the deploy role's name, or 'permissions: off' to skip the check.",
      );
    if (name === 'AccessDenied' || name === 'AccessDeniedException')
      return {
        missing: {
          action: /(iam:[A-Za-z]+)/.exec(errorMessage(error))?.[1] ?? 'iam:GetRole',
          resource: /on resource: (\S+)/.exec(errorMessage(error))?.[1] ?? roleName,
          note: `the check cannot read the role: ${errorMessage(error)}`,
        },
      };
    throw error;
  }
}

/** The role, its inline and attached policies (default versions) and its permissions boundary. */
export async function readRole(iam: IAMClient, roleName: string): Promise<RoleRead> {
  const { Role } = await iam.send(new GetRoleCommand({ RoleName: roleName }));
  if (!Role?.Arn) throw new UserError(`IAM returned no role for ${roleName}.`);
  const identity: NamedPolicy[] = [];
  const inline = await allPages((Marker) =>
    iam.send(new ListRolePoliciesCommand({ RoleName: roleName, Marker })),
  );
  for (const name of inline.flatMap((p) => p.PolicyNames ?? [])) {
    const doc = await iam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: name }));
    identity.push({ name: `inline ${name}`, document: parsePolicyDocument(doc.PolicyDocument ?? '{}') });
  }
  const attached = await allPages((Marker) =>
    iam.send(new ListAttachedRolePoliciesCommand({ RoleName: roleName, Marker })),
  );
  for (const p of attached.flatMap((page) => page.AttachedPolicies ?? []))
    if (p.PolicyArn) identity.push({ name: p.PolicyArn, document: await managedDocument(iam, p.PolicyArn) });
  const boundaryArn = Role.PermissionsBoundary?.PermissionsBoundaryArn;
  return {
    arn: Role.Arn,
    boundaryArn,
    policies: {
      identity,
      boundary: boundaryArn
        ? { name: `boundary ${boundaryArn}`, document: await managedDocument(iam, boundaryArn) }
        : undefined,
    },
  };
}

async function managedDocument(iam: IAMClient, arn: string) {
  const { Policy } = await iam.send(new GetPolicyCommand({ PolicyArn: arn }));
  const version = await iam.send(
    new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: Policy?.DefaultVersionId }),
  );
  return parsePolicyDocument(version.PolicyVersion?.Document ?? '{}');
}

/** Puts the policy as the role's inline policy; a no-op when it is already there. Updates `policies` in place. */
async function applyPolicy(
  iam: IAMClient,
  roleName: string,
  document: ReturnType<typeof policyOf>,
  policies: RolePolicies,
  logger: Logger,
): Promise<boolean> {
  const name = `inline ${INLINE_POLICY_NAME}`;
  const current = policies.identity.find((p) => p.name === name);
  if (current && canonicalPolicy(current.document) === canonicalPolicy(document)) {
    logger.info(`${roleName} already has the generated policy ${INLINE_POLICY_NAME}; nothing to apply.`);
    return false;
  }
  await iam.send(
    new PutRolePolicyCommand({
      RoleName: roleName,
      PolicyName: INLINE_POLICY_NAME,
      PolicyDocument: JSON.stringify(document),
    }),
  );
  logger.info(`Put the generated policy on ${roleName} as its inline policy ${INLINE_POLICY_NAME}.`);
  policies.identity = [...policies.identity.filter((p) => p.name !== name), { name, document }];
  return true;
}

/** Asks IAM's policy simulator about every needed request; unavailable (denied, unimplemented) is not an error. */
export async function simulate(
  iam: IAMClient,
  roleArn: string,
  grants: Grant[],
): Promise<{ ok: true; denied: PermissionIssue[] } | { ok: false; reason: string }> {
  const denied: PermissionIssue[] = [];
  try {
    for (const g of grants) {
      const context = Object.entries(g.context ?? {}).map(([k, v]) => ({
        ContextKeyName: k,
        ContextKeyValues: [v],
        ContextKeyType: 'string' as const,
      }));
      for (const resource of g.resources) {
        const pages = await allPages((Marker) =>
          iam.send(
            new SimulatePrincipalPolicyCommand({
              PolicySourceArn: roleArn,
              ActionNames: g.actions,
              ResourceArns: [sampleArn(resource)],
              ContextEntries: context.length ? context : undefined,
              Marker,
            }),
          ),
        );
        for (const r of pages.flatMap((p) => p.EvaluationResults ?? []))
          if (r.EvalDecision !== 'allowed')
            denied.push({
              action: r.EvalActionName ?? '',
              resource,
              note: `the policy simulator answers ${r.EvalDecision ?? 'no decision'}`,
            });
      }
    }
    return { ok: true, denied };
  } catch (error) {
    // Emulators answer an unimplemented call with an HTML page: the SDK then names the error only "Error".
    const name = awsErrorName(error);
    const e = error as { $metadata?: { httpStatusCode?: number }; $response?: { statusCode?: number } };
    const status = e.$metadata?.httpStatusCode ?? e.$response?.statusCode;
    const reason =
      name && name !== 'Error'
        ? name
        : status
          ? `the endpoint answered HTTP ${status}`
          : errorMessage(error).split('\n')[0]?.slice(0, 120);
    return { ok: false, reason: reason || 'unknown error' };
  }
}

/** The services of the template's resources that the caller itself must be allowed (no execution role). */
function callerServices(settings: Settings): string[] {
  if (settings.executionRoleArn) return [];
  const body = settings.template.body;
  const types = [...body.matchAll(/\bType["']?\s*:\s*["']?(AWS::[A-Za-z0-9]+)::/g)].map((m) => m[1] ?? '');
  const services = types
    .filter((t) => t !== 'AWS::CloudFormation')
    .map((t) => t.split('::')[1]?.toLowerCase() ?? '');
  return [...new Set(services)].sort();
}

/** What the check needs to read the role's own policies. */
const READ_OWN_POLICIES = [
  'iam:GetRole',
  'iam:ListRolePolicies',
  'iam:GetRolePolicy',
  'iam:ListAttachedRolePolicies',
  'iam:GetPolicy',
  'iam:GetPolicyVersion',
];

/** The request keys this run knows for every request it will send, so conditions on them are evaluated. */
function withKnownContext<T extends { context?: Record<string, string> }>(
  needs: T[],
  settings: Settings,
  caller: Caller,
): T[] {
  const known: Record<string, string> = {
    'aws:RequestedRegion': settings.region,
    'aws:PrincipalAccount': caller.accountId,
    'aws:SecureTransport': 'true',
    'aws:ViaAWSService': 'false',
    ...(caller.callerArn.includes(':assumed-role/') ? { 'aws:PrincipalType': 'AssumedRole' } : {}),
  };
  return needs.map((n) => ({ ...n, context: { ...known, ...n.context } }));
}

/** `verify`: a need allowed only under a condition the checker cannot evaluate is a warning, not a failure. */
function uncheckableToWarnings(result: PermissionsFinding): void {
  const unsure = result.missing.filter((m) => m.note?.includes('cannot evaluate'));
  if (unsure.length === 0) return;
  result.missing = result.missing.filter((m) => !unsure.includes(m));
  for (const m of unsure)
    result.warnings.push(
      `could not check ${m.action} on ${m.resource}: ${m.note}; check it by hand, or set permissions: off`,
    );
}

/** A plan run with the deploy role: its deploy rights are excess for planning, but say so once, not per action. */
function narrowPlanExcess(
  result: PermissionsFinding,
  settings: Settings,
  base: { accountId: string; region: string },
  roleArn: string,
): void {
  const deploy: NamedPolicy[] = [
    { name: 'deploy', document: policyOf(grantsFor('deploy', settings, { ...base, roleArn })) },
  ];
  const deployOnly = result.excess.filter(
    (i) =>
      !/[*?]/.test(i.action) &&
      decide(deploy, { action: i.action, resource: i.resource }).kind !== 'implicit-deny',
  );
  if (deployOnly.length === 0) return;
  result.excess = result.excess.filter((i) => !deployOnly.includes(i));
  result.warnings.push(
    `${result.roleName} can also deploy (${deployOnly.map((i) => i.action).join(', ')}): a separate plan role for pull requests keeps a plan from changing anything.`,
  );
}

function report(result: PermissionsFinding, logger: Logger): void {
  const who = result.roleName ?? 'the role';
  for (const m of result.missing)
    logger.error(`Missing: ${m.action} on ${m.resource}${m.note ? ` — ${m.note}` : ''}`);
  for (const b of result.broad) logger.warn(`Broad grant on ${who}: ${b}`);
  for (const e of result.excess)
    logger.warn(
      `Excess (${e.accessLevel ?? 'unknown level'}): ${e.action} on ${e.resource}${e.note ? ` — ${e.note}` : ''}`,
    );
  for (const w of result.warnings) logger.warn(w);
  if (result.methodNote) logger.info(result.methodNote);
  if (!result.missing.length)
    logger.info(`${who} has every permission this run needs (${result.method} check).`);
}

/** The failure the phase causes: missing permissions always; excess and broad grants under `enforce`. */
export function permissionsFailure(
  finding: PermissionsFinding,
): { message: string; hint: string } | undefined {
  const who = finding.roleName ?? 'the role';
  if (finding.missing.length > 0) {
    const list = finding.missing.map((m) => `${m.action} on ${m.resource}`).join('; ');
    return {
      message: `${who} lacks ${finding.missing.length} permission${finding.missing.length === 1 ? '' : 's'} this run needs: ${list}. Nothing was changed.`,
      hint: `Deploy templates/bootstrap.yaml to the account, or run once with 'permissions: apply' using the account's admin role (role-arn) and 'deploy-role: ${who}'. The exact policy is in the report.`,
    };
  }
  if (finding.mode === 'enforce' && (finding.excess.length > 0 || finding.broad.length > 0)) {
    const shown = [
      ...finding.broad,
      ...finding.excess.slice(0, 5).map((e) => `${e.accessLevel}: ${e.action} on ${e.resource}`),
    ];
    return {
      message: `${who} has permissions beyond what this run needs (permissions: enforce): ${shown.join('; ')}${finding.excess.length > 5 ? `; and ${finding.excess.length - 5} more` : ''}. Nothing was changed.`,
      hint: 'Detach the broad policies and keep only the generated policy (see the report), or use permissions: verify to only warn.',
    };
  }
  return undefined;
}

/** Every page of an IAM list call (bounded). */
async function allPages<T extends { IsTruncated?: boolean; Marker?: string }>(
  fetch: (marker: string | undefined) => Promise<T>,
): Promise<T[]> {
  const pages: T[] = [];
  let marker: string | undefined;
  for (let page = 0; page < 100; page++) {
    const out = await fetch(marker);
    pages.push(out);
    marker = out.IsTruncated ? out.Marker : undefined;
    if (!marker) break;
  }
  return pages;
}
