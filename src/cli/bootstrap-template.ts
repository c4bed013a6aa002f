/**
 * The one place that knows templates/bootstrap.yaml's parameters and outputs: a bootstrap request → the
 * template's parameters, and the stack's outputs → the role ARNs. Everything else speaks of the request.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { subjectOf, type Job } from '../engine/doctor/index.js';

export const BOOTSTRAP_TEMPLATE = 'templates/bootstrap.yaml';

export interface BootstrapRequest {
  repo: string;
  environments: string[];
  /** The application stack the roles may deploy (a trailing * allows a prefix). */
  stackName: string;
  pullRequests: boolean;
  defaultBranch: string;
  ownerId?: string;
  repositoryId?: string;
  audience: string;
  ecrRepositories: string;
  region: string;
  /** The account's existing GitHub OIDC provider, reused when there is one. */
  existingProviderArn?: string;
}

/** The subjects of each role, exactly as GitHub will send them. */
export function subjects(request: BootstrapRequest): {
  pullRequests: string[];
  release: string[];
  deploy: string[];
} {
  const job = (trigger: Job['trigger']): string =>
    subjectOf({ repo: request.repo, ownerId: request.ownerId, repositoryId: request.repositoryId, trigger });
  return {
    pullRequests: request.pullRequests ? [job({ kind: 'pull_request' })] : [],
    release: [job({ kind: 'ref', ref: request.defaultBranch })],
    deploy: request.environments.map((name) => job({ kind: 'environment', name })),
  };
}

/**
 * IAM names are global to the account, so each region's roles carry the region in their names: a second
 * region's bootstrap never collides with the first.
 */
export function roleNames(region: string): {
  plan: string;
  deploy: string;
  execution: string;
  boundary: string;
} {
  return {
    plan: `mad-plan-${region}`,
    deploy: `mad-deploy-${region}`,
    execution: `mad-cfn-exec-${region}`,
    boundary: `mad-boundary-${region}`,
  };
}

/** The template's parameters (Key=Value lines, the action's parameter-overrides form). */
export function bootstrapParameters(request: BootstrapRequest): string[] {
  const s = subjects(request);
  const names = roleNames(request.region);
  // The plan role serves pull requests and the default branch's release plans until the template splits them.
  const plan = [...s.pullRequests, ...s.release];
  return [
    `ExistingOidcProviderArn=${request.existingProviderArn ?? ''}`,
    `Audience=${request.audience}`,
    `PlanSubjects=${plan.join(',')}`,
    `DeploySubjects=${s.deploy.join(',')}`,
    `StackName=${request.stackName}`,
    `EcrRepositories=${request.ecrRepositories}`,
    `PlanRoleName=${names.plan}`,
    `DeployRoleName=${names.deploy}`,
    `ExecutionRoleName=${names.execution}`,
    `BoundaryPolicyName=${names.boundary}`,
  ];
}

export interface BootstrapRoles {
  pullRequestPlanRole?: string;
  releasePlanRole?: string;
  deployRole?: string;
  executionRole?: string;
  boundary?: string;
}

/** The role ARNs from the stack's outputs; where an endpoint returns no outputs, from the names this request gave. */
export function rolesFrom(
  outputs: { key: string; value: string }[],
  request: BootstrapRequest,
  accountId: string,
  partition: string,
): BootstrapRoles {
  const out = new Map(outputs.map((o) => [o.key, o.value]));
  const names = roleNames(request.region);
  const arn = (kind: 'role' | 'policy', name: string) => `arn:${partition}:iam::${accountId}:${kind}/${name}`;
  const plan = out.get('PlanRoleArn') ?? arn('role', names.plan);
  return {
    pullRequestPlanRole: request.pullRequests ? plan : undefined,
    releasePlanRole: plan,
    deployRole: out.get('DeployRoleArn') ?? arn('role', names.deploy),
    executionRole: out.get('ExecutionRoleArn') ?? arn('role', names.execution),
    boundary: out.get('PermissionsBoundaryArn') ?? arn('policy', names.boundary),
  };
}

/** The folder of this tool's own files (templates/), found from the running module: src/cli or dist/…. */
export function toolRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    if (existsSync(join(dir, BOOTSTRAP_TEMPLATE))) return dir;
    dir = dirname(dir);
  }
  throw new Error(`${BOOTSTRAP_TEMPLATE} was not found next to this tool; reinstall it.`);
}
