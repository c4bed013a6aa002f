// Policy simulation with @cloud-copilot/iam-simulate (AGPL: a dev dependency, used by tests only, never by src/).
import { readFileSync } from 'node:fs';
import { runSimulation, runUnsafeSimulation } from '@cloud-copilot/iam-simulate';
import { canonicalPolicy } from '../../../src/engine/permissions/evaluate.js';
import { deployPolicy, planPolicy, releasePolicy } from '../../../src/engine/permissions/policy.js';
import type { PolicyDocument } from '../../../src/report/model.js';
import { settingsWith } from '../engine/permissions/fixtures.js';
import { ACCOUNT, REGION, decodeTemplate, resolveTemplate } from './bootstrap-template.js';

// IAM names carry the region (one set per region of an account).
const DEPLOY_ROLE = `arn:aws:iam::${ACCOUNT}:role/multi-account-deploy-${REGION}`;
const PLAN_ROLE = `arn:aws:iam::${ACCOUNT}:role/multi-account-plan-${REGION}`;
const RELEASE_ROLE = `arn:aws:iam::${ACCOUNT}:role/multi-account-release-plan-${REGION}`;
const EXEC_ROLE = `arn:aws:iam::${ACCOUNT}:role/multi-account-cfn-exec-${REGION}`;
const BOUNDARY = `arn:aws:iam::${ACCOUNT}:policy/multi-account-boundary-${REGION}`;
const RELEASE_NAME = 'mad-release-0123456-42-1-plan-1a2b3c4d';
const PR_NAME = 'mad-pr-7-0123456-43-1-plan-5e6f7a8b';
const csArn = (name: string) =>
  `arn:aws:cloudformation:${REGION}:${ACCOUNT}:changeSet/${name}/0a1b2c3d-0000-11ef-8e1a-0a1b2c3d4e5f`;
const named = (name: string) => ({ 'cloudformation:ChangeSetName': name });
const STACK_ID = `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/app/5e2f9b50-0000-11ef-8e1a-0a1b2c3d4e5f`;
const OIDC = `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`;

const settings = settingsWith({
  roleArn: DEPLOY_ROLE,
  executionRoleArn: EXEC_ROLE,
  templateBucket: { bucket: 'templates-bucket', prefix: 'cfn/' },
  ecrRepositories: ['app/*'],
  drift: 'report',
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
  ['cloudformation:CreateChangeSet', STACK_ID, named(RELEASE_NAME)],
  ['cloudformation:DescribeChangeSet', STACK_ID, named(csArn(RELEASE_NAME))],
  ['cloudformation:ExecuteChangeSet', STACK_ID, named(csArn(RELEASE_NAME))],
  ['cloudformation:ExecuteChangeSet', STACK_ID, named(RELEASE_NAME)],
  ['cloudformation:DeleteChangeSet', STACK_ID, named(csArn(RELEASE_NAME))],
  ['cloudformation:ListChangeSets', STACK_ID],
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
  ['cloudformation:DetectStackDrift', STACK_ID],
  ['cloudformation:DescribeStackResourceDrifts', STACK_ID],
  ['cloudformation:ListStackResources', STACK_ID],
  ['cloudformation:DescribeStackDriftDetectionStatus', '*'],
  ['cloudtrail:LookupEvents', '*'],
];

const FORBIDDEN: Request[] = [
  ['iam:CreateRole', `arn:aws:iam::${ACCOUNT}:role/escalate`],
  ['iam:PutRolePolicy', DEPLOY_ROLE],
  ['iam:AttachRolePolicy', DEPLOY_ROLE],
  [
    'cloudformation:ExecuteChangeSet',
    `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/other/5e2f9b50`,
    named(RELEASE_NAME),
  ],
  [
    'cloudformation:ExecuteChangeSet',
    `arn:aws:cloudformation:us-east-1:${ACCOUNT}:stack/app/5e2f9b50`,
    named(RELEASE_NAME),
  ],
  // A pull request's change set is never executed, whoever asks.
  ['cloudformation:ExecuteChangeSet', STACK_ID, named(PR_NAME)],
  ['cloudformation:ExecuteChangeSet', STACK_ID, named(csArn(PR_NAME))],
  ['cloudformation:ExecuteChangeSet', STACK_ID],
  ['iam:PassRole', EXEC_ROLE, { 'iam:PassedToService': 'ec2.amazonaws.com' }],
  [
    'iam:PassRole',
    `arn:aws:iam::${ACCOUNT}:role/admin`,
    { 'iam:PassedToService': 'cloudformation.amazonaws.com' },
  ],
  ['ecr:PutLifecyclePolicy', `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/other`],
  ['s3:PutObject', 'arn:aws:s3:::templates-bucket/cfn/other-stack/x.template'],
  ['cloudformation:DetectStackDrift', `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/other/5e2f9b50`],
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
    expect(
      await decision(['cloudformation:CreateChangeSet', STACK_ID, named(PR_NAME)], { identity: [plan] }),
    ).toBe('Allowed');
    expect(
      await decision(['cloudformation:ExecuteChangeSet', STACK_ID, named(PR_NAME)], { identity: [plan] }),
    ).not.toBe('Allowed');
    const repo = `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/app/web`;
    expect(await decision(['ecr:PutLifecyclePolicy', repo], { identity: [plan] })).not.toBe('Allowed');
  });
});

const TEMPLATE_PARAMS = {
  PlanSubjects: 'repo:acme/app:pull_request',
  ReleasePlanSubjects: 'repo:acme/app:ref:refs/heads/main',
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
  const releaseRole = resources.ReleasePlanRole as unknown as Role;
  const execRole = resources.ExecutionRole as unknown as Role;
  const boundary = (resources.PermissionsBoundary as { PolicyDocument: PolicyDocument }).PolicyDocument;

  it("gives the three roles exactly the action's generated policies", () => {
    const own = (roleArn: string) => ({ accountId: ACCOUNT, region: REGION, roleArn });
    expect(canonicalPolicy(deployRole.Policies[0]?.PolicyDocument as PolicyDocument)).toBe(
      canonicalPolicy(deployPolicy(settings, own(DEPLOY_ROLE))),
    );
    expect(canonicalPolicy(planRole.Policies[0]?.PolicyDocument as PolicyDocument)).toBe(
      canonicalPolicy(planPolicy(settings, own(PLAN_ROLE))),
    );
    expect(canonicalPolicy(releaseRole.Policies[0]?.PolicyDocument as PolicyDocument)).toBe(
      canonicalPolicy(releasePolicy(settings, own(RELEASE_ROLE))),
    );
    const bare = resolveTemplate({ ...TEMPLATE_PARAMS, EcrRepositories: '', TemplateBucket: '' }).resources;
    expect(
      canonicalPolicy((bare.DeployRole as unknown as Role).Policies[0]?.PolicyDocument as PolicyDocument),
    ).toBe(
      canonicalPolicy(
        deployPolicy({ ...settings, ecrRepositories: [], templateBucket: undefined }, own(DEPLOY_ROLE)),
      ),
    );
  });

  it('pins aud and sub with StringEquals in every trust policy, never a wildcard or ForAllValues', () => {
    const text = readFileSync('templates/bootstrap.yaml', 'utf8');
    expect(text).not.toMatch(/ForAllValues/);
    for (const role of [deployRole, planRole, releaseRole]) {
      const statements = role.AssumeRolePolicyDocument.Statement as {
        Condition: Record<string, Record<string, string | string[]>>;
      }[];
      expect(statements).toHaveLength(1);
      const condition = statements[0]?.Condition ?? {};
      expect(Object.keys(condition)).toEqual(['StringEquals']);
      expect(Object.keys(condition.StringEquals ?? {}).sort()).toEqual([
        'token.actions.githubusercontent.com:aud',
        'token.actions.githubusercontent.com:sub',
      ]);
      expect(JSON.stringify(condition)).not.toContain('*');
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
    expect(assume(planRole, { sub: 'repo:evil/app:pull_request' })).not.toBe('Allowed');
    expect(assume(planRole, { sub: 'repo:acme/app:ref:refs/heads/feature' })).not.toBe('Allowed');
  });

  it('lets only the default branch assume the release planner', () => {
    expect(assume(releaseRole, { sub: 'repo:acme/app:ref:refs/heads/main' })).toBe('Allowed');
    expect(assume(releaseRole, { sub: 'repo:acme/app:ref:refs/heads/feature' })).not.toBe('Allowed');
    expect(assume(releaseRole, { sub: 'repo:acme/app:pull_request' })).not.toBe('Allowed');
    expect(assume(releaseRole, { sub: 'repo:evil/app:ref:refs/heads/main' })).not.toBe('Allowed');
    expect(assume(releaseRole, { sub: 'repo:acme/app:environment:prod' })).not.toBe('Allowed');
    expect(assume(releaseRole, { sub: 'repo:acme/app:ref:refs/heads/main', aud: 'other' })).not.toBe(
      'Allowed',
    );
  });

  describe('what a pull request can do with the plan role', () => {
    const as = (role: Role) => (request: Request) =>
      decision(request, { identity: role.Policies.map((p) => p.PolicyDocument), boundary: [boundary] });
    const pr = as(planRole);

    it('plans: creates, describes and deletes its own mad-pr-* change sets, and reads', async () => {
      for (const action of ['CreateChangeSet', 'DescribeChangeSet', 'DeleteChangeSet'])
        for (const ref of [PR_NAME, csArn(PR_NAME)])
          expect(await pr([`cloudformation:${action}`, STACK_ID, named(ref)])).toBe('Allowed');
      expect(await pr(['cloudformation:GetTemplate', STACK_ID])).toBe('Allowed');
      expect(await pr(['cloudformation:ListChangeSets', STACK_ID])).toBe('Allowed');
    });

    it('cannot create or delete a release change set, by name or ARN', async () => {
      for (const action of ['CreateChangeSet', 'DeleteChangeSet', 'DescribeChangeSet'])
        for (const ref of [RELEASE_NAME, csArn(RELEASE_NAME), 'reviewed'])
          expect(await pr([`cloudformation:${action}`, STACK_ID, named(ref)])).not.toBe('Allowed');
      expect(await pr(['cloudformation:CreateChangeSet', STACK_ID])).not.toBe('Allowed');
    });

    it('cannot execute any change set, delete a stack or pass the execution role', async () => {
      for (const ref of [PR_NAME, csArn(PR_NAME), RELEASE_NAME, csArn(RELEASE_NAME)])
        expect(await pr(['cloudformation:ExecuteChangeSet', STACK_ID, named(ref)])).not.toBe('Allowed');
      expect(await pr(['cloudformation:ExecuteChangeSet', STACK_ID])).not.toBe('Allowed');
      expect(await pr(['cloudformation:DeleteStack', STACK_ID])).not.toBe('Allowed');
      expect(await pr(['cloudformation:UpdateTerminationProtection', STACK_ID])).not.toBe('Allowed');
      expect(
        await pr(['iam:PassRole', EXEC_ROLE, { 'iam:PassedToService': 'cloudformation.amazonaws.com' }]),
      ).not.toBe('Allowed');
    });

    it('leaves the release planner no execute, and the deploy role only release change sets', async () => {
      const release = as(releaseRole);
      expect(await release(['cloudformation:CreateChangeSet', STACK_ID, named(RELEASE_NAME)])).toBe(
        'Allowed',
      );
      expect(await release(['cloudformation:CreateChangeSet', STACK_ID, named(PR_NAME)])).not.toBe('Allowed');
      for (const ref of [RELEASE_NAME, csArn(RELEASE_NAME)])
        expect(await release(['cloudformation:ExecuteChangeSet', STACK_ID, named(ref)])).not.toBe('Allowed');
      const deploy = as(deployRole);
      expect(await deploy(['cloudformation:ExecuteChangeSet', STACK_ID, named(csArn(RELEASE_NAME))])).toBe(
        'Allowed',
      );
      expect(await deploy(['cloudformation:ExecuteChangeSet', STACK_ID, named(csArn(PR_NAME))])).not.toBe(
        'Allowed',
      );
      expect(
        await deploy(['iam:PassRole', EXEC_ROLE, { 'iam:PassedToService': 'cloudformation.amazonaws.com' }]),
      ).toBe('Allowed');
      expect(
        await deploy(['iam:PassRole', EXEC_ROLE, { 'iam:PassedToService': 'lambda.amazonaws.com' }]),
      ).not.toBe('Allowed');
    });
  });

  it('names every IAM part after its region, and outputs every role ARN', () => {
    const other = resolveTemplate(TEMPLATE_PARAMS, undefined, 'us-east-1').resources;
    const names = (r: typeof resources) =>
      ['PlanRole', 'ReleasePlanRole', 'DeployRole', 'ExecutionRole'].map(
        (k) => (r[k] as { RoleName: string }).RoleName,
      );
    expect(names(resources)).toEqual([
      `multi-account-plan-${REGION}`,
      `multi-account-release-plan-${REGION}`,
      `multi-account-deploy-${REGION}`,
      `multi-account-cfn-exec-${REGION}`,
    ]);
    for (const name of names(other)) expect(names(resources)).not.toContain(name);
    expect((other.PermissionsBoundary as { ManagedPolicyName: string }).ManagedPolicyName).toBe(
      'multi-account-boundary-us-east-1',
    );
    // The OIDC provider is account-wide: only the global region's stack creates it.
    expect(other.GitHubOidcProvider).toBeDefined();
    const second = resolveTemplate({ ...TEMPLATE_PARAMS, GlobalResourcesRegion: 'us-east-1' }).resources;
    expect(second.GitHubOidcProvider).toBeUndefined();
    const trusted = (second.PlanRole as unknown as Role).AssumeRolePolicyDocument.Statement as {
      Principal: { Federated: string };
    }[];
    expect(trusted[0]?.Principal.Federated).toBe(OIDC);
    expect(Object.keys(decodeTemplate().Outputs).sort()).toEqual([
      'DeployRoleArn',
      'ExecutionRoleArn',
      'OidcProviderArn',
      'PermissionsBoundaryArn',
      'PlanRoleArn',
      'ReleasePlanRoleArn',
    ]);
    const withoutRelease = resolveTemplate({ ...TEMPLATE_PARAMS, ReleasePlanSubjects: '' }).resources;
    expect(withoutRelease.ReleasePlanRole).toBeUndefined();
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
      expect(await under(['iam:UpdateAssumeRolePolicy', PLAN_ROLE])).toBe('ExplicitlyDenied');
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
