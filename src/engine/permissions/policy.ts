/**
 * The least-privilege policies this configuration needs, generated from Settings alone (pure): the deploy
 * role's, and the plan role's (no execute, no writes besides its own change sets). Every statement names the
 * ARNs it applies to; the only `*` resource is for listing ECR repositories, a read.
 *
 * The actions are those src/engine/ calls: stack-change.ts (DescribeStacks, GetTemplate, DeleteStack for a
 * ROLLBACK_COMPLETE stack or the empty REVIEW_IN_PROGRESS stack a plan leaves, UpdateTerminationProtection),
 * change-set.ts (Create/Describe/Execute/DeleteChangeSet, s3:PutObject for large templates), stack-events.ts
 * (DescribeStackEvents), the ECR phase (DescribeRepositories, Get/PutLifecyclePolicy) and this check (IAM reads of
 * the role itself). credentials.ts needs nothing here: sts:GetCallerIdentity is always allowed.
 */
import type { PolicyDocument, PolicyStatement } from '../../report/model.js';
import type { Settings } from '../../config/settings.js';
import type { Need } from './evaluate.js';

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

/** The AWS partition of a region: aws, aws-cn, aws-us-gov... */
export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  if (region.startsWith('us-isob-')) return 'aws-iso-b';
  if (region.startsWith('us-iso-')) return 'aws-iso';
  return 'aws';
}

const CFN_READ = [
  'cloudformation:DescribeStacks',
  'cloudformation:GetTemplate',
  // Names the resources that failed, in the recovery advice for a stack stuck in a *_FAILED state.
  'cloudformation:DescribeStackResources',
  // Follows a deploy; and says which operation holds a busy stack.
  'cloudformation:DescribeStackEvents',
];
const CHANGE_SET_PLAN = [
  'cloudformation:CreateChangeSet',
  'cloudformation:DescribeChangeSet',
  'cloudformation:DeleteChangeSet',
  // Only to remove the empty REVIEW_IN_PROGRESS stack a new stack's change set leaves; termination
  // protection (on by default) keeps it from deleting a deployed stack.
  'cloudformation:DeleteStack',
];
const CHANGE_SET_DEPLOY = [
  ...CHANGE_SET_PLAN,
  'cloudformation:ExecuteChangeSet',
  'cloudformation:UpdateTerminationProtection',
];
const SELF_READ = [
  'iam:GetRole',
  'iam:ListRolePolicies',
  'iam:GetRolePolicy',
  'iam:ListAttachedRolePolicies',
  'iam:SimulatePrincipalPolicy',
];
const POLICY_READ = ['iam:GetPolicy', 'iam:GetPolicyVersion'];

/** The grants of one role kind, in a stable order (the policy's Sids come from them). */
export function grantsFor(kind: 'deploy' | 'plan', settings: Settings, target: PolicyTarget): Grant[] {
  const p = partitionOf(target.region);
  const { accountId: account, region } = target;
  const stack = `arn:${p}:cloudformation:${region}:${account}:stack/${settings.stackName}/*`;
  const grants: Grant[] = [
    {
      sid: 'StackChangeSets',
      actions: [...CFN_READ, ...(kind === 'deploy' ? CHANGE_SET_DEPLOY : CHANGE_SET_PLAN)].sort(),
      resources: [stack],
    },
  ];
  if (settings.executionRoleArn) {
    // CreateChangeSet with RoleARN needs PassRole even to plan; only CloudFormation may receive the role.
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

/** The plan role's policy: the same reads and change-set create/describe/delete; no execute, no writes. */
export function planPolicy(settings: Settings, target: PolicyTarget): PolicyDocument {
  return policyOf(grantsFor('plan', settings, target));
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
