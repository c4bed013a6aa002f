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

/** The roles' names: the template appends the region (IAM names are global), so regions never collide. */
export function roleNames(region: string) {
  return {
    plan: `multi-account-plan-${region}`,
    release: `multi-account-release-plan-${region}`,
    deploy: `multi-account-deploy-${region}`,
    execution: `multi-account-cfn-exec-${region}`,
    boundary: `multi-account-boundary-${region}`,
  };
}

/** The template's parameters (Key=Value lines, the action's parameter-overrides form); names keep their defaults. */
export function bootstrapParameters(request: BootstrapRequest): string[] {
  const s = subjects(request);
  return [
    `ExistingOidcProviderArn=${request.existingProviderArn ?? ''}`,
    `Audience=${request.audience}`,
    `PlanSubjects=${s.pullRequests.join(',')}`,
    `ReleasePlanSubjects=${s.release.join(',')}`,
    `DeploySubjects=${s.deploy.join(',')}`,
    `StackName=${request.stackName}`,
    `EcrRepositories=${request.ecrRepositories}`,
  ];
}

export interface BootstrapRoles {
  pullRequestPlanRole?: string;
  releasePlanRole?: string;
  deployRole?: string;
  executionRole?: string;
  boundary?: string;
}

/** The role ARNs from the stack's outputs; where an endpoint returns no outputs, from the template's names. */
export function rolesFrom(
  outputs: { key: string; value: string }[],
  request: BootstrapRequest,
  accountId: string,
  partition: string,
): BootstrapRoles {
  const out = new Map(outputs.map((o) => [o.key, o.value]));
  const names = roleNames(request.region);
  const arn = (kind: 'role' | 'policy', name: string) => `arn:${partition}:iam::${accountId}:${kind}/${name}`;
  return {
    pullRequestPlanRole: request.pullRequests
      ? (out.get('PlanRoleArn') ?? arn('role', names.plan))
      : undefined,
    releasePlanRole: out.get('ReleasePlanRoleArn') ?? arn('role', names.release),
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
