import {
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
  PutRolePolicyCommand,
  SimulatePrincipalPolicyCommand,
} from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import { createClients } from '../../../../src/aws/clients.js';
import { UserError } from '../../../../src/errors.js';
import { silentLogger } from '../../../../src/logger.js';
import {
  INLINE_POLICY_NAME,
  checkPermissions,
  permissionsFailure,
  targetRole,
} from '../../../../src/engine/permissions/index.js';
import { deployPolicy } from '../../../../src/engine/permissions/policy.js';
import type { PolicyDocument } from '../../../../src/report/model.js';
import type { Settings } from '../../../../src/config/settings.js';
import { ACCOUNT, EXEC_ROLE, FULL, REGION, ROLE_ARN, settingsWith } from './fixtures.js';

const iam = mockClient(IAMClient);
const clients = createClients({ region: REGION, credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
const ctx = { clients, bestEffort: clients, logger: silentLogger };
const caller = { accountId: ACCOUNT, callerArn: `arn:aws:sts::${ACCOUNT}:assumed-role/deploy/run-1` };
const BOUNDARY = `arn:aws:iam::${ACCOUNT}:policy/deploy-boundary`;
const ADMIN = 'arn:aws:iam::aws:policy/AdministratorAccess';
const ALLOW_ALL: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
};

/** A role in the mocked IAM: inline policies, attached managed policies, an optional boundary. */
function role(options: {
  inline?: Record<string, PolicyDocument>;
  attached?: Record<string, PolicyDocument>;
  boundary?: PolicyDocument;
}): void {
  iam.on(GetRoleCommand).resolves({
    Role: {
      RoleName: 'deploy',
      Arn: ROLE_ARN,
      Path: '/',
      RoleId: 'AROAEXAMPLE',
      CreateDate: new Date(),
      PermissionsBoundary: options.boundary
        ? { PermissionsBoundaryArn: BOUNDARY, PermissionsBoundaryType: 'PermissionsBoundaryPolicy' }
        : undefined,
    },
  });
  iam
    .on(ListRolePoliciesCommand)
    .resolves({ PolicyNames: Object.keys(options.inline ?? {}), IsTruncated: false });
  for (const [name, doc] of Object.entries(options.inline ?? {}))
    iam.on(GetRolePolicyCommand, { PolicyName: name }).resolves({
      RoleName: 'deploy',
      PolicyName: name,
      PolicyDocument: encodeURIComponent(JSON.stringify(doc)),
    });
  iam.on(ListAttachedRolePoliciesCommand).resolves({
    AttachedPolicies: Object.keys(options.attached ?? {}).map((arn) => ({
      PolicyArn: arn,
      PolicyName: arn.split('/').pop(),
    })),
    IsTruncated: false,
  });
  const managed = { ...options.attached, ...(options.boundary ? { [BOUNDARY]: options.boundary } : {}) };
  for (const [arn, doc] of Object.entries(managed)) {
    iam.on(GetPolicyCommand, { PolicyArn: arn }).resolves({ Policy: { Arn: arn, DefaultVersionId: 'v3' } });
    iam
      .on(GetPolicyVersionCommand, { PolicyArn: arn, VersionId: 'v3' })
      .resolves({ PolicyVersion: { Document: encodeURIComponent(JSON.stringify(doc)), VersionId: 'v3' } });
  }
}

const generated = (settings: Settings) =>
  deployPolicy(settings, { accountId: ACCOUNT, region: REGION, roleArn: ROLE_ARN });

beforeEach(() => {
  iam.reset();
  const unsupported = Object.assign(new Error('not implemented'), { name: 'NotImplemented' });
  iam.on(SimulatePrincipalPolicyCommand).rejects(unsupported);
});

describe('the role to check', () => {
  it('is deploy-role, else role-arn, else the assumed role; none for a user', () => {
    expect(targetRole(settingsWith({ deployRole: 'other' }), caller)).toEqual({ roleName: 'other' });
    expect(targetRole(settingsWith(), caller)).toEqual({ roleName: 'deploy', roleArn: ROLE_ARN });
    expect(targetRole(settingsWith({ roleArn: undefined }), caller)).toEqual({ roleName: 'deploy' });
    expect(
      targetRole(settingsWith({ roleArn: undefined }), {
        accountId: ACCOUNT,
        callerArn: `arn:aws:iam::${ACCOUNT}:user/me`,
      }),
    ).toEqual({ skipped: expect.stringContaining('not a role') });
    expect(() =>
      targetRole(settingsWith({ deployRole: 'arn:aws:iam::222222222222:role/x' }), caller),
    ).toThrow(/in account 222222222222/);
  });
});

describe('verify', () => {
  it('passes a role with exactly the generated policy and a boundary, structurally when the simulator is missing', async () => {
    const settings = settingsWith(FULL);
    role({ inline: { [INLINE_POLICY_NAME]: generated(settings) }, boundary: ALLOW_ALL });
    const finding = await checkPermissions(settings, caller, ctx);
    expect(finding.missing).toEqual([]);
    expect(finding.excess).toEqual([]);
    expect(finding.broad).toEqual([]);
    expect(finding.warnings).toEqual([]);
    expect(finding.method).toBe('structural');
    expect(finding.methodNote).toContain('NotImplemented');
    expect(permissionsFailure(finding)).toBeUndefined();
  });

  it('finds a missing action, names it with its resource, and fails before any stack change', async () => {
    const settings = settingsWith(FULL);
    const policy = generated(settings);
    const statements = (policy.Statement as { Action: string[] }[]).map((s) => ({
      ...s,
      Action: s.Action.filter((a) => a !== 'cloudformation:ExecuteChangeSet'),
    }));
    role({ inline: { custom: { ...policy, Statement: statements } as PolicyDocument }, boundary: ALLOW_ALL });
    const finding = await checkPermissions(settings, caller, ctx);
    expect(finding.missing).toEqual([
      {
        action: 'cloudformation:ExecuteChangeSet',
        resource: `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/app/*`,
        note: 'no statement allows it',
      },
    ]);
    const failure = permissionsFailure(finding);
    expect(failure?.message).toContain('cloudformation:ExecuteChangeSet on arn:aws:cloudformation');
    expect(failure?.hint).toMatch(/bootstrap\.yaml.*permissions: apply/);
  });

  it('flags an attached AdministratorAccess, groups the excess by access level, and warns of a missing boundary', async () => {
    const settings = settingsWith();
    role({ inline: { [INLINE_POLICY_NAME]: generated(settings) }, attached: { [ADMIN]: ALLOW_ALL } });
    const finding = await checkPermissions(settings, caller, ctx);
    expect(finding.missing).toEqual([]);
    expect(finding.broad).toEqual(
      expect.arrayContaining([
        'AdministratorAccess is attached: every action on every resource.',
        `${ADMIN} statement 1 allows \`*\` (every action of every service) on *.`,
      ]),
    );
    expect(finding.excess[0]).toMatchObject({
      action: '*',
      resource: '*',
      accessLevel: 'Permissions management',
    });
    expect(finding.excess[0]?.note).toMatch(/^\d+ Permissions management actions, e\.g\. iam:/);
    expect(finding.excess.map((e) => e.accessLevel)).toEqual([
      'Permissions management',
      'Tagging',
      'Write',
      'List',
      'Read',
    ]);
    expect(finding.warnings).toEqual([expect.stringContaining('has no permissions boundary')]);
    expect(permissionsFailure(finding)).toBeUndefined();
    expect(permissionsFailure({ ...finding, mode: 'enforce' })?.message).toMatch(
      /AdministratorAccess is attached/,
    );
  });

  it('reports single excess actions by name and level', async () => {
    const settings = settingsWith();
    const extra: PolicyDocument = {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: ['iam:PutRolePolicy', 'ecr:PutLifecyclePolicy'], Resource: '*' },
      ],
    };
    role({ inline: { [INLINE_POLICY_NAME]: generated(settings), extra }, boundary: ALLOW_ALL });
    const finding = await checkPermissions(settings, caller, ctx);
    expect(finding.excess).toEqual([
      { action: 'iam:PutRolePolicy', resource: '*', accessLevel: 'Permissions management' },
      { action: 'ecr:PutLifecyclePolicy', resource: '*', accessLevel: 'Write' },
    ]);
  });

  it('does not warn about what the boundary surely denies, but does when its Deny is conditional', async () => {
    const settings = settingsWith();
    const extra: PolicyDocument = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: ['iam:PutRolePolicy', 'iam:CreateRole'], Resource: '*' }],
    };
    const boundary: PolicyDocument = {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: '*', Resource: '*' },
        { Effect: 'Deny', Action: 'iam:PutRolePolicy', Resource: '*' },
        {
          Effect: 'Deny',
          Action: 'iam:CreateRole',
          Resource: '*',
          Condition: { StringNotEquals: { 'iam:PermissionsBoundary': 'arn:aws:iam::111111111111:policy/b' } },
        },
      ],
    };
    role({ inline: { [INLINE_POLICY_NAME]: generated(settings), extra }, boundary });
    const finding = await checkPermissions(settings, caller, ctx);
    expect(finding.excess).toEqual([{ action: 'iam:CreateRole', resource: '*', accessLevel: 'Write' }]);
  });

  it('counts what the permissions boundary does not allow as missing, and what it caps as not excess', async () => {
    const settings = settingsWith({ executionRoleArn: EXEC_ROLE });
    const boundary: PolicyDocument = {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: ['cloudformation:*', 'iam:Get*', 'iam:List*', 'iam:Simulate*'],
          Resource: '*',
        },
      ],
    };
    role({
      inline: { [INLINE_POLICY_NAME]: generated(settings) },
      attached: { [ADMIN]: ALLOW_ALL },
      boundary,
    });
    const finding = await checkPermissions(settings, caller, ctx);
    expect(finding.missing).toEqual([
      expect.objectContaining({
        action: 'iam:PassRole',
        resource: EXEC_ROLE,
        note: expect.stringMatching(/permissions boundary/),
      }),
    ]);
    expect(finding.excess.length).toBeGreaterThan(0);
    // `*` is excess only where the boundary lets it act: CloudFormation and IAM reads, never s3 or ec2.
    expect(finding.excess.every((e) => /e\.g\. (cloudformation|iam):/.test(e.note ?? ''))).toBe(true);
    expect(finding.excess.some((e) => /\bs3:|\bec2:/.test(e.note ?? ''))).toBe(false);
  });

  it('uses the policy simulator where it is allowed, and trusts its answer', async () => {
    const settings = settingsWith();
    role({ inline: { [INLINE_POLICY_NAME]: generated(settings) }, boundary: ALLOW_ALL });
    iam.on(SimulatePrincipalPolicyCommand).callsFake((input: { ActionNames: string[] }) => ({
      EvaluationResults: input.ActionNames.map((a) => ({
        EvalActionName: a,
        EvalDecision: a === 'cloudformation:DeleteStack' ? 'explicitDeny' : 'allowed',
      })),
      IsTruncated: false,
    }));
    const finding = await checkPermissions(settings, caller, ctx);
    expect(finding.method).toBe('simulated');
    expect(finding.missing).toEqual([
      expect.objectContaining({
        action: 'cloudformation:DeleteStack',
        note: expect.stringContaining('explicitDeny'),
      }),
    ]);
  });

  it("holds a pull request's plan to the plan policy and says once that the role can also deploy", async () => {
    const settings = settingsWith({ mode: 'plan' });
    const pr = { ...settings, provenance: { ...settings.provenance, pullRequest: '7' } };
    role({ inline: { [INLINE_POLICY_NAME]: generated(settings) }, boundary: ALLOW_ALL });
    const finding = await checkPermissions(pr, caller, ctx);
    expect(finding.checkedAgainst).toBe('plan');
    expect(finding.missing).toEqual([
      expect.objectContaining({ action: 'cloudformation:CreateChangeSet' }),
      expect.objectContaining({ action: 'cloudformation:DeleteChangeSet' }),
      expect.objectContaining({ action: 'cloudformation:DescribeChangeSet' }),
    ]);
    expect(finding.warnings).toEqual([
      expect.stringMatching(/can also deploy \(.*cloudformation:ExecuteChangeSet/),
    ]);
  });

  it('holds a release plan (not a pull request) to the release policy', async () => {
    const settings = settingsWith({ mode: 'plan' });
    role({ inline: { [INLINE_POLICY_NAME]: generated(settings) }, boundary: ALLOW_ALL });
    const finding = await checkPermissions(settings, caller, ctx);
    expect(finding.checkedAgainst).toBe('release');
    expect(finding.missing).toEqual([]);
    expect(finding.excess).toEqual([]);
    expect(finding.warnings).toEqual([
      expect.stringMatching(/can also deploy \(.*cloudformation:ExecuteChangeSet/),
    ]);
  });

  it('is skipped when the credentials are not a role', async () => {
    const finding = await checkPermissions(
      settingsWith({ roleArn: undefined }),
      { accountId: ACCOUNT, callerArn: `arn:aws:iam::${ACCOUNT}:user/me` },
      ctx,
    );
    expect(finding.skipped).toMatch(/not a role's/);
    expect(iam.calls()).toHaveLength(0);
  });
});

describe('apply', () => {
  const admin = { accountId: ACCOUNT, callerArn: `arn:aws:sts::${ACCOUNT}:assumed-role/admin/setup` };
  const applying = (extra: Partial<Settings> = {}) =>
    settingsWith({
      permissions: 'apply',
      roleArn: `arn:aws:iam::${ACCOUNT}:role/admin`,
      deployRole: 'deploy',
      ...extra,
    });

  it('applies the deploy policy to a named deploy-role even from a plan run', async () => {
    role({ boundary: ALLOW_ALL });
    iam.on(PutRolePolicyCommand).resolves({});
    const settings = applying({ ...FULL, mode: 'plan' });
    const found = await checkPermissions(settings, admin, ctx);
    expect(found.checkedAgainst).toBe('deploy');
    const put = iam.commandCalls(PutRolePolicyCommand)[0]?.args[0].input;
    expect(put?.PolicyDocument).toContain('cloudformation:ExecuteChangeSet');
  });

  it('puts the generated policy on a bare role, which then passes', async () => {
    role({ boundary: ALLOW_ALL });
    iam.on(PutRolePolicyCommand).resolves({});
    const settings = applying(FULL);
    const finding = await checkPermissions(settings, admin, ctx);
    const puts = iam.commandCalls(PutRolePolicyCommand);
    expect(puts).toHaveLength(1);
    expect(puts[0]?.args[0].input).toMatchObject({ RoleName: 'deploy', PolicyName: INLINE_POLICY_NAME });
    expect(JSON.parse(puts[0]?.args[0].input.PolicyDocument ?? '')).toEqual(generated(settings));
    expect(finding.applied).toBe(true);
    expect(finding.missing).toEqual([]);
  });

  it('is a no-op when the role already has the policy', async () => {
    const settings = applying(FULL);
    role({ inline: { [INLINE_POLICY_NAME]: generated(settings) }, boundary: ALLOW_ALL });
    const finding = await checkPermissions(settings, admin, ctx);
    expect(iam.commandCalls(PutRolePolicyCommand)).toHaveLength(0);
    expect(finding.applied).toBe(false);
  });

  it('refuses a policy that would grant IAM writes on the role itself', async () => {
    role({});
    await expect(checkPermissions(applying({ executionRoleArn: ROLE_ARN }), admin, ctx)).rejects.toThrow(
      /Refusing to apply: the policy would let deploy change IAM on itself \(iam:PassRole/,
    );
    expect(iam.commandCalls(PutRolePolicyCommand)).toHaveLength(0);
  });

  it('refuses to let the deploy role change its own permissions', async () => {
    role({});
    const settings = settingsWith({ permissions: 'apply' });
    await expect(checkPermissions(settings, caller, ctx)).rejects.toBeInstanceOf(UserError);
    await expect(checkPermissions(settings, caller, ctx)).rejects.toThrow(
      /must not change its own permissions/,
    );
    expect(iam.commandCalls(PutRolePolicyCommand)).toHaveLength(0);
  });
});
