// Policy simulation with @cloud-copilot/iam-simulate (AGPL: a dev dependency, used by tests only, never by src/).
import { readFileSync } from 'node:fs';
import { runSimulation, runUnsafeSimulation } from '@cloud-copilot/iam-simulate';
import { canonicalPolicy } from '../../../src/engine/permissions/evaluate.js';
import { deployPolicy, planPolicy } from '../../../src/engine/permissions/policy.js';
import type { PolicyDocument } from '../../../src/report/model.js';
import { settingsWith } from '../engine/permissions/fixtures.js';
import { ACCOUNT, REGION, resolveTemplate } from './bootstrap-template.js';

const DEPLOY_ROLE = `arn:aws:iam::${ACCOUNT}:role/multi-account-deploy`;
const EXEC_ROLE = `arn:aws:iam::${ACCOUNT}:role/multi-account-cfn-exec`;
const BOUNDARY = `arn:aws:iam::${ACCOUNT}:policy/multi-account-boundary`;
const STACK_ID = `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/app/5e2f9b50-0000-11ef-8e1a-0a1b2c3d4e5f`;
const OIDC = `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`;

const settings = settingsWith({
  roleArn: DEPLOY_ROLE,
  executionRoleArn: EXEC_ROLE,
  templateBucket: { bucket: 'templates-bucket', prefix: 'cfn/' },
  ecrRepositories: ['app/*'],
});
const target = { accountId: ACCOUNT, region: REGION, roleArn: DEPLOY_ROLE };

type Request = [action: string, resource: string, context?: Record<string, string>];

async function decision(
  [action, resource, context]: Request,
  policies: { identity: PolicyDocument[]; boundary?: PolicyDocument[] },
): Promise<string> {
  const result = await runSimulation(
    {
      request: {
        principal: DEPLOY_ROLE,
        action,
        resource: { resource, accountId: ACCOUNT },
        contextVariables: context ?? {},
      },
      identityPolicies: policies.identity.map((policy, i) => ({ name: `identity-${i}`, policy })),
      permissionBoundaryPolicies: policies.boundary?.map((policy, i) => ({ name: `boundary-${i}`, policy })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
    },
    {},
  );
  if (result.resultType === 'error') throw new Error(`${action}: ${JSON.stringify(result.errors)}`);
  return result.overallResult;
}

/** Every request a deploy of this configuration makes (credentials need none: GetCallerIdentity is always allowed). */
const DEPLOY_REQUESTS: Request[] = [
  ['cloudformation:DescribeStacks', STACK_ID],
  ['cloudformation:GetTemplate', STACK_ID],
  ['cloudformation:CreateChangeSet', STACK_ID],
  ['cloudformation:DescribeChangeSet', STACK_ID],
  ['cloudformation:ExecuteChangeSet', STACK_ID],
  ['cloudformation:DeleteChangeSet', STACK_ID],
  ['cloudformation:DescribeStackEvents', STACK_ID],
  ['cloudformation:UpdateTerminationProtection', STACK_ID],
  ['cloudformation:DeleteStack', STACK_ID],
  ['iam:PassRole', EXEC_ROLE, { 'iam:PassedToService': 'cloudformation.amazonaws.com' }],
  ['s3:PutObject', 'arn:aws:s3:::templates-bucket/cfn/app/0f1e2d3c.template'],
  ['s3:GetObject', 'arn:aws:s3:::templates-bucket/cfn/app/0f1e2d3c.template'],
  ['ecr:DescribeRepositories', '*'],
  ['ecr:GetLifecyclePolicy', `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/app/web`],
  ['ecr:PutLifecyclePolicy', `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/app/worker`],
  ['iam:GetRole', DEPLOY_ROLE],
  ['iam:ListRolePolicies', DEPLOY_ROLE],
  ['iam:GetRolePolicy', DEPLOY_ROLE],
  ['iam:ListAttachedRolePolicies', DEPLOY_ROLE],
  ['iam:SimulatePrincipalPolicy', DEPLOY_ROLE],
  ['iam:GetPolicy', 'arn:aws:iam::aws:policy/AdministratorAccess'],
  ['iam:GetPolicyVersion', BOUNDARY],
];

const FORBIDDEN: Request[] = [
  ['iam:CreateRole', `arn:aws:iam::${ACCOUNT}:role/escalate`],
  ['iam:PutRolePolicy', DEPLOY_ROLE],
  ['iam:AttachRolePolicy', DEPLOY_ROLE],
  ['cloudformation:ExecuteChangeSet', `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/other/5e2f9b50`],
  ['cloudformation:ExecuteChangeSet', `arn:aws:cloudformation:us-east-1:${ACCOUNT}:stack/app/5e2f9b50`],
  ['iam:PassRole', EXEC_ROLE, { 'iam:PassedToService': 'ec2.amazonaws.com' }],
  [
    'iam:PassRole',
    `arn:aws:iam::${ACCOUNT}:role/admin`,
    { 'iam:PassedToService': 'cloudformation.amazonaws.com' },
  ],
  ['ecr:PutLifecyclePolicy', `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/other`],
  ['s3:PutObject', 'arn:aws:s3:::templates-bucket/cfn/other-stack/x.template'],
];

describe('the generated deploy policy, simulated', () => {
  const policy = deployPolicy(settings, target);

  it.each(DEPLOY_REQUESTS)('allows %s on %s', async (...request) => {
    expect(await decision(request as Request, { identity: [policy] })).toBe('Allowed');
  });

  it.each(FORBIDDEN)('denies %s on %s', async (...request) => {
    expect(await decision(request as Request, { identity: [policy] })).not.toBe('Allowed');
  });

  it('gives the plan policy no execute and no lifecycle writes', async () => {
    const plan = planPolicy(settings, target);
    expect(await decision(['cloudformation:CreateChangeSet', STACK_ID], { identity: [plan] })).toBe(
      'Allowed',
    );
    expect(await decision(['cloudformation:ExecuteChangeSet', STACK_ID], { identity: [plan] })).not.toBe(
      'Allowed',
    );
    const repo = `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/app/web`;
    expect(await decision(['ecr:PutLifecyclePolicy', repo], { identity: [plan] })).not.toBe('Allowed');
  });
});

const TEMPLATE_PARAMS = {
  PlanSubjects: 'repo:acme/app:pull_request',
  DeploySubjects: 'repo:acme/app:environment:prod',
  StackName: 'app',
  EcrRepositories: 'app/*',
  TemplateBucket: 'templates-bucket',
  TemplateBucketPrefix: 'cfn/',
};

type Role = {
  RoleName: string;
  AssumeRolePolicyDocument: PolicyDocument;
  Policies: { PolicyName: string; PolicyDocument: PolicyDocument }[];
  PermissionsBoundary: string;
};

describe('templates/bootstrap.yaml', () => {
  const { resources } = resolveTemplate(TEMPLATE_PARAMS);
  const deployRole = resources.DeployRole as unknown as Role;
  const planRole = resources.PlanRole as unknown as Role;
  const execRole = resources.ExecutionRole as unknown as Role;
  const boundary = (resources.PermissionsBoundary as { PolicyDocument: PolicyDocument }).PolicyDocument;

  it("gives the deploy and plan roles exactly the action's generated policies", () => {
    const own = (name: string) => ({
      accountId: ACCOUNT,
      region: REGION,
      roleArn: `arn:aws:iam::${ACCOUNT}:role/${name}`,
    });
    expect(canonicalPolicy(deployRole.Policies[0]?.PolicyDocument as PolicyDocument)).toBe(
      canonicalPolicy(deployPolicy(settings, own('multi-account-deploy'))),
    );
    expect(canonicalPolicy(planRole.Policies[0]?.PolicyDocument as PolicyDocument)).toBe(
      canonicalPolicy(planPolicy(settings, own('multi-account-plan'))),
    );
    const bare = resolveTemplate({ ...TEMPLATE_PARAMS, EcrRepositories: '', TemplateBucket: '' }).resources;
    expect(
      canonicalPolicy((bare.DeployRole as unknown as Role).Policies[0]?.PolicyDocument as PolicyDocument),
    ).toBe(
      canonicalPolicy(
        deployPolicy(
          { ...settings, ecrRepositories: [], templateBucket: undefined },
          own('multi-account-deploy'),
        ),
      ),
    );
  });

  it('never uses a wildcard subject or ForAllValues', () => {
    const text = readFileSync('templates/bootstrap.yaml', 'utf8');
    expect(text).not.toMatch(/ForAllValues/);
    expect(text).not.toMatch(/StringLike/);
    for (const role of [deployRole, planRole]) {
      const condition = (
        role.AssumeRolePolicyDocument.Statement as { Condition: Record<string, object> }[]
      )[0]?.Condition;
      expect(Object.keys(condition ?? {})).toEqual(['StringEquals']);
    }
    expect(deployRole.PermissionsBoundary).toBe(BOUNDARY);
    expect(execRole.PermissionsBoundary).toBe(BOUNDARY);
  });

  const assume = (role: Role, claims: { sub: string; aud?: string }, principal = OIDC): string =>
    runUnsafeSimulation(
      {
        request: {
          principal,
          action: 'sts:AssumeRoleWithWebIdentity',
          resource: { resource: `arn:aws:iam::${ACCOUNT}:role/${role.RoleName}`, accountId: ACCOUNT },
          contextVariables: {
            'token.actions.githubusercontent.com:sub': claims.sub,
            'token.actions.githubusercontent.com:aud': claims.aud ?? 'sts.amazonaws.com',
          },
        },
        identityPolicies: [],
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        // The unsafe entry point (GitHub's sub/aud keys are not in the simulator's catalogue, so the checked one
        // drops them) loads the resource policy without a name unless it is given pre-validated.
        resourcePolicy: {
          __validated: true,
          policyDocument: role.AssumeRolePolicyDocument,
          metadata: { name: 'trust' },
        },
      },
      {},
    ) as unknown as string;

  it("lets only the repository's environment assume the deploy role", () => {
    expect(assume(deployRole, { sub: 'repo:acme/app:environment:prod' })).toBe('Allowed');
    expect(assume(deployRole, { sub: 'repo:evil/app:environment:prod' })).not.toBe('Allowed');
    expect(assume(deployRole, { sub: 'repo:acme/app:ref:refs/heads/main' })).not.toBe('Allowed');
    expect(assume(deployRole, { sub: 'repo:acme/app:pull_request' })).not.toBe('Allowed');
    expect(assume(deployRole, { sub: 'repo:acme/app:environment:dev' })).not.toBe('Allowed');
    expect(assume(deployRole, { sub: 'repo:acme/app:environment:prod', aud: 'other' })).not.toBe('Allowed');
    expect(
      assume(
        deployRole,
        { sub: 'repo:acme/app:environment:prod' },
        `arn:aws:iam::${ACCOUNT}:oidc-provider/evil.example`,
      ),
    ).not.toBe('Allowed');
  });

  it('lets only CloudFormation assume the execution role', () => {
    const service = (principal: string): string =>
      runUnsafeSimulation(
        {
          request: {
            principal,
            action: 'sts:AssumeRole',
            resource: { resource: EXEC_ROLE, accountId: ACCOUNT },
            contextVariables: {},
          },
          identityPolicies: [],
          serviceControlPolicies: [],
          resourceControlPolicies: [],
          resourcePolicy: {
            __validated: true,
            policyDocument: execRole.AssumeRolePolicyDocument,
            metadata: { name: 'trust' },
          },
        },
        {},
      ) as unknown as string;
    expect(service('cloudformation.amazonaws.com')).toBe('Allowed');
    expect(service('ec2.amazonaws.com')).not.toBe('Allowed');
    expect(service(`arn:aws:iam::${ACCOUNT}:role/multi-account-deploy`)).not.toBe('Allowed');
  });

  it('lets only the given subjects assume the plan role', () => {
    expect(assume(planRole, { sub: 'repo:acme/app:pull_request' })).toBe('Allowed');
    expect(assume(planRole, { sub: 'repo:acme/fork:pull_request' })).not.toBe('Allowed');
    expect(assume(planRole, { sub: 'repo:acme/app:ref:refs/heads/feature' })).not.toBe('Allowed');
  });

  describe('the permissions boundary', () => {
    // The worst case: a role the stacks create is granted everything; the boundary must still hold.
    const everything: PolicyDocument = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
    };
    const under = (request: Request) => decision(request, { identity: [everything], boundary: [boundary] });
    const appRole = `arn:aws:iam::${ACCOUNT}:role/app-function`;

    it('blocks escaping the boundary', async () => {
      expect(await under(['iam:DeleteRolePermissionsBoundary', appRole])).toBe('ExplicitlyDenied');
      expect(await under(['iam:CreatePolicyVersion', BOUNDARY])).toBe('ExplicitlyDenied');
      expect(await under(['iam:SetDefaultPolicyVersion', BOUNDARY])).toBe('ExplicitlyDenied');
    });

    it('blocks creating a role without the boundary, and allows it with', async () => {
      expect(await under(['iam:CreateRole', appRole])).toBe('ExplicitlyDenied');
      const other = `arn:aws:iam::${ACCOUNT}:policy/other`;
      expect(await under(['iam:CreateRole', appRole, { 'iam:PermissionsBoundary': other }])).toBe(
        'ExplicitlyDenied',
      );
      expect(await under(['iam:CreateRole', appRole, { 'iam:PermissionsBoundary': BOUNDARY }])).toBe(
        'Allowed',
      );
      expect(
        await under(['iam:PutRolePermissionsBoundary', appRole, { 'iam:PermissionsBoundary': other }]),
      ).toBe('ExplicitlyDenied');
    });

    it('blocks IAM writes to the bootstrap roles but lets CloudFormation receive the execution role', async () => {
      expect(await under(['iam:PutRolePolicy', DEPLOY_ROLE])).toBe('ExplicitlyDenied');
      expect(await under(['iam:AttachRolePolicy', EXEC_ROLE])).toBe('ExplicitlyDenied');
      expect(
        await under(['iam:UpdateAssumeRolePolicy', `arn:aws:iam::${ACCOUNT}:role/multi-account-plan`]),
      ).toBe('ExplicitlyDenied');
      expect(
        await under(['iam:PassRole', EXEC_ROLE, { 'iam:PassedToService': 'lambda.amazonaws.com' }]),
      ).toBe('ExplicitlyDenied');
      expect(
        await under(['iam:PassRole', EXEC_ROLE, { 'iam:PassedToService': 'cloudformation.amazonaws.com' }]),
      ).toBe('Allowed');
      expect(await under(['s3:GetObject', 'arn:aws:s3:::data/file'])).toBe('Allowed');
    });

    it('keeps the execution role to roles under the boundary', async () => {
      const exec = { identity: execRole.Policies.map((p) => p.PolicyDocument), boundary: [boundary] };
      expect(await decision(['iam:CreateRole', appRole, { 'iam:PermissionsBoundary': BOUNDARY }], exec)).toBe(
        'Allowed',
      );
      expect(await decision(['iam:CreateRole', appRole], exec)).not.toBe('Allowed');
      expect(await decision(['iam:PutRolePolicy', DEPLOY_ROLE], exec)).not.toBe('Allowed');
    });
  });
});
