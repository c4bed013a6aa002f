/**
 * The least-privilege policies this configuration needs, generated from Settings alone (pure), for the three
 * identities of an account: the pull-request plan role, the release planner and the deploy role (ADR 006).
 * Every statement names the ARNs it applies to; `*` stands only for reads IAM cannot scope (listing ECR
 * repositories, drift detection status, CloudTrail lookups).
 * Change-set rights are keyed on the change set's name prefix (stack/names.ts).
 *
 * The actions are those src/engine/ calls: stack/ (DescribeStacks, GetTemplate, ListChangeSets, DeleteStack for a
 * ROLLBACK_COMPLETE stack or the empty REVIEW_IN_PROGRESS stack a run made, UpdateTerminationProtection;
 * Create/Describe/Execute/DeleteChangeSet, s3:PutObject for large templates; DescribeStackEvents), the ECR phase (DescribeRepositories, Get/PutLifecyclePolicy) and this check (IAM reads of
 * the role itself), and drift/ unless `drift` is off (DetectStackDrift, its status, the resource drifts and the
 * stack's resources; CloudTrail LookupEvents for who changed them). credentials.ts needs nothing here:
 * sts:GetCallerIdentity is always allowed.
 */
import { partitionOf } from '../../config/checks.js';
import type { PolicyDocument, PolicyStatement } from '../../report/model.js';
import type { Settings } from '../../config/settings.js';
import type { Need } from './evaluate.js';
import { CHANGE_SET_PREFIX } from '../stack/index.js';

export interface PolicyTarget {
  accountId: string;
  region: string;
  /** The role the policy is for (for reading itself); absent = any role of the account. */
  roleArn?: string;
}

export interface Grant {
  sid: string;
  actions: string[];
  resources: string[];
  /** Conditions the policy attaches; `context` is what the action's requests carry to satisfy them. */
  condition?: PolicyStatement['Condition'];
  context?: Record<string, string>;
}

export { partitionOf };

/** The three identities of an account (ADR 006): who plans a pull request, who plans a release, who deploys. */
export type RoleKind = 'plan' | 'release' | 'deploy';

const CFN_READ = [
  'cloudformation:DescribeStacks',
  'cloudformation:GetTemplate',
  // Names the resources that failed, in the recovery advice for a stack stuck in a *_FAILED state.
  'cloudformation:DescribeStackResources',
  // Follows a deploy; and says which operation holds a busy stack.
  'cloudformation:DescribeStackEvents',
  // Before deleting an empty REVIEW_IN_PROGRESS stack: no other run's change set may be on it.
  'cloudformation:ListChangeSets',
];
const CHANGE_SET_PLAN = [
  'cloudformation:CreateChangeSet',
  'cloudformation:DeleteChangeSet',
  'cloudformation:DescribeChangeSet',
];
/** Stack writes besides change sets, by role. The pull-request plan role has none: it may delete no stack. */
const STACK_WRITES: Record<RoleKind, string[]> = {
  plan: [],
  // Only the empty REVIEW_IN_PROGRESS stack its own CREATE change set made (cleanup.ts).
  release: ['cloudformation:DeleteStack'],
  // Also a ROLLBACK_COMPLETE stack before creating it again; termination protection keeps deployed stacks.
  deploy: ['cloudformation:DeleteStack', 'cloudformation:UpdateTerminationProtection'],
};
const SELF_READ = [
  'iam:GetRole',
  'iam:ListRolePolicies',
  'iam:GetRolePolicy',
  'iam:ListAttachedRolePolicies',
  'iam:SimulatePrincipalPolicy',
];
const POLICY_READ = ['iam:GetPolicy', 'iam:GetPolicyVersion'];
/** Drift detection on the stack, and the list of its resources (to name those detection did not check). */
const DRIFT_STACK = [
  'cloudformation:DescribeStackResourceDrifts',
  'cloudformation:DetectStackDrift',
  'cloudformation:ListStackResources',
];
/** Neither action has a resource type: IAM authorises them against `*` only (both are reads). */
const DRIFT_ANY = ['cloudformation:DescribeStackDriftDetectionStatus', 'cloudtrail:LookupEvents'];

/**
 * The change-set names a role may touch (condition key cloudformation:ChangeSetName, which CreateChangeSet,
 * DescribeChangeSet, DeleteChangeSet and ExecuteChangeSet carry). A request may name the change set or give its ARN,
 * so both forms are listed.
 */
function changeSetNames(kind: RoleKind, p: string, region: string, account: string): string[] {
  const prefix = kind === 'plan' ? CHANGE_SET_PREFIX.pullRequest : CHANGE_SET_PREFIX.release;
  return [`${prefix}*`, `arn:${p}:cloudformation:${region}:${account}:changeSet/${prefix}*`];
}

/** The grants of one role kind, in a stable order (the policy's Sids come from them). */
export function grantsFor(kind: RoleKind, settings: Settings, target: PolicyTarget): Grant[] {
  const p = partitionOf(target.region);
  const { accountId: account, region } = target;
  const stack = `arn:${p}:cloudformation:${region}:${account}:stack/${settings.stackName}/*`;
  const names = changeSetNames(kind, p, region, account);
  const grants: Grant[] = [
    { sid: 'StackRead', actions: [...CFN_READ].sort(), resources: [stack] },
    {
      sid: kind === 'plan' ? 'PullRequestChangeSets' : 'ReleaseChangeSets',
      actions: [...CHANGE_SET_PLAN, ...(kind === 'deploy' ? ['cloudformation:ExecuteChangeSet'] : [])].sort(),
      resources: [stack],
      condition: { StringLike: { 'cloudformation:ChangeSetName': names } },
      context: { 'cloudformation:ChangeSetName': `${names[0]?.slice(0, -1) ?? ''}example` },
    },
  ];
  if (STACK_WRITES[kind].length > 0)
    grants.push({ sid: 'StackWrite', actions: STACK_WRITES[kind], resources: [stack] });
  if (settings.drift !== 'off') {
    // Detection also reads every resource with these credentials: the README's Drift section says how to grant it.
    grants.push({ sid: 'StackDrift', actions: DRIFT_STACK, resources: [stack] });
    grants.push({ sid: 'DriftStatusAndCloudTrail', actions: DRIFT_ANY, resources: ['*'] });
  }
  if (settings.executionRoleArn && kind !== 'plan') {
    // CreateChangeSet with RoleARN needs PassRole even to plan; only CloudFormation may receive the role. A
    // pull request's plan names no role (change-set.ts), so nothing it makes could run with this one.
    grants.push({
      sid: 'PassExecutionRole',
      actions: ['iam:PassRole'],
      resources: [settings.executionRoleArn],
      condition: { StringEquals: { 'iam:PassedToService': 'cloudformation.amazonaws.com' } },
      context: { 'iam:PassedToService': 'cloudformation.amazonaws.com' },
    });
  }
  if (settings.templateBucket) {
    // CloudFormation reads TemplateURL with the caller's credentials: GetObject as well as PutObject.
    const { bucket, prefix } = settings.templateBucket;
    grants.push({
      sid: 'TemplateObjects',
      actions: ['s3:GetObject', 's3:PutObject'],
      resources: [`arn:${p}:s3:::${bucket}/${prefix}${settings.stackName}/*`],
    });
  }
  if (settings.ecrRepositories.length > 0) {
    // Listing every repository (to resolve the patterns) is authorised against `*`; it is a read.
    grants.push({ sid: 'ListRepositories', actions: ['ecr:DescribeRepositories'], resources: ['*'] });
    grants.push({
      sid: 'RepositoryLifecyclePolicies',
      actions:
        kind === 'deploy' ? ['ecr:GetLifecyclePolicy', 'ecr:PutLifecyclePolicy'] : ['ecr:GetLifecyclePolicy'],
      resources: [...new Set(settings.ecrRepositories)]
        .sort()
        .map((pattern) => `arn:${p}:ecr:${region}:${account}:repository/${pattern}`),
    });
  }
  grants.push({
    sid: 'ReadOwnRole',
    actions: SELF_READ,
    resources: [target.roleArn ?? `arn:${p}:iam::${account}:role/*`],
  });
  grants.push({
    sid: 'ReadOwnPolicies',
    actions: POLICY_READ,
    resources: [`arn:${p}:iam::${account}:policy/*`, `arn:${p}:iam::aws:policy/*`],
  });
  return grants;
}

export function policyOf(grants: Grant[]): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: grants.map((g) => ({
      Sid: g.sid,
      Effect: 'Allow',
      Action: g.actions,
      Resource: g.resources.length === 1 ? (g.resources[0] as string) : g.resources,
      ...(g.condition ? { Condition: g.condition } : {}),
    })),
  };
}

/** The deploy role's policy for this configuration. */
export function deployPolicy(settings: Settings, target: PolicyTarget): PolicyDocument {
  return policyOf(grantsFor('deploy', settings, target));
}

/** The pull-request plan role's policy: reads, and create/describe/delete of `mad-pr-*` change sets only. */
export function planPolicy(settings: Settings, target: PolicyTarget): PolicyDocument {
  return policyOf(grantsFor('plan', settings, target));
}

/** The release planner's policy: the plan rights for `mad-release-*` change sets (which it keeps); no execute. */
export function releasePolicy(settings: Settings, target: PolicyTarget): PolicyDocument {
  return policyOf(grantsFor('release', settings, target));
}

/** Every (action, resource pattern, context) the grants stand for: what a role must allow. */
export function needsOf(grants: Grant[]): Need[] {
  return grants.flatMap((g) =>
    g.actions.flatMap((action) => g.resources.map((resource) => ({ action, resource, context: g.context }))),
  );
}

/** A concrete ARN inside a pattern, for APIs that want one (the policy simulator). */
export function sampleArn(pattern: string): string {
  if (pattern === '*') return '*';
  return pattern.replace(/\*/g, 'example').replace(/\?/g, 'x');
}
