import { CloudFormationClient, ListStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  AttachRolePolicyCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  GetRolePolicyCommand,
  IAMClient,
  PutRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { deployPolicy } from '../../src/engine/permissions/policy.js';
import type { Settings } from '../../src/config/settings.js';
import { motoEndpoint, resetMoto } from './harness/moto.js';
import { startOidc, type OidcServer } from './harness/oidc.js';
import { EXAMPLE, runAction } from './harness/run-action.js';

// moto keeps IAM roles and policies but enforces none of them, and accepts any web identity token: assuming
// arn:aws:iam::ACCOUNT:role/NAME gives credentials whose caller is that role. So each test creates the roles
// first, then runs the bundled action through the loopback OIDC endpoint. moto lacks SimulatePrincipalPolicy:
// every check here is the structural one.
const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';
const DEPLOY_ROLE = `arn:aws:iam::${ACCOUNT}:role/deploy`;
const TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Principal: { Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com` },
      Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: {
        StringEquals: {
          'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
          'token.actions.githubusercontent.com:sub': 'repo:acme/app:environment:dev',
        },
      },
    },
  ],
});

const iam = () =>
  new IAMClient({
    region: REGION,
    endpoint: motoEndpoint(),
    credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'test' },
  });

/** What the action's settings for EXAMPLE's inputs amount to, for generating the policy the role gets. */
const exampleSettings = {
  stackName: EXAMPLE.inputs['stack-name'],
  region: REGION,
  mode: 'deploy',
  ecrRepositories: [],
} as unknown as Settings;

async function createRole(name: string, options: { boundary?: boolean } = {}): Promise<void> {
  const client = iam();
  let boundaryArn: string | undefined;
  if (options.boundary) {
    const out = await client.send(
      new CreatePolicyCommand({
        PolicyName: `${name}-boundary`,
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
        }),
      }),
    );
    boundaryArn = out.Policy?.Arn;
  }
  await client.send(
    new CreateRoleCommand({
      RoleName: name,
      AssumeRolePolicyDocument: TRUST,
      PermissionsBoundary: boundaryArn,
    }),
  );
}

async function putGeneratedPolicy(): Promise<void> {
  const policy = deployPolicy(exampleSettings, { accountId: ACCOUNT, region: REGION, roleArn: DEPLOY_ROLE });
  await iam().send(
    new PutRolePolicyCommand({
      RoleName: 'deploy',
      PolicyName: 'multi-account-deploy',
      PolicyDocument: JSON.stringify(policy),
    }),
  );
}

let oidc: OidcServer;
beforeAll(async () => {
  oidc = await startOidc({ sub: 'repo:acme/app:environment:dev' });
});
afterAll(() => oidc.close());
beforeEach(resetMoto);

// Each test runs the bundled action up to three times; the machine may be shared.
const TIMEOUT = 90_000;

const run = (inputs: Record<string, string>) =>
  runAction({
    ...EXAMPLE,
    oidcUrl: oidc.url,
    inputs: {
      ...EXAMPLE.inputs,
      'role-arn': DEPLOY_ROLE,
      permissions: 'verify',
      // moto lacks UpdateTerminationProtection: keep the runs free of that unrelated warning.
      'termination-protection': 'false',
      ...inputs,
    },
  });

describe('deploy-role permissions on the emulator', () => {
  it(
    'passes verify for a role with exactly the generated policy, and deploys',
    async () => {
      await createRole('deploy', { boundary: true });
      await putGeneratedPolicy();
      const result = await run({});
      expect(result.stdout).not.toMatch(/::(error|warning)::/);
      expect(result.code).toBe(0);
      expect(result.outputs.result).toBe('deployed');
      expect(result.summary).toContain(
        `**Permissions** (verify) of \`${DEPLOY_ROLE}\` against the deploy policy: ✅ least privilege (structural check)`,
      );
      expect(result.summary).toMatch(/SimulatePrincipalPolicy was not available/);
      expect(result.summary).toContain(
        '<details><summary>Least-privilege policy for the deploy role</summary>',
      );
    },
    TIMEOUT,
  );

  it(
    'warns about an attached AdministratorAccess under verify, and fails under enforce before any change',
    async () => {
      await createRole('deploy', { boundary: true });
      await putGeneratedPolicy();
      await iam().send(
        new AttachRolePolicyCommand({
          RoleName: 'deploy',
          PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess',
        }),
      );
      const verify = await run({});
      expect(verify.code).toBe(0);
      expect(verify.stdout).toContain('::warning::Broad grant on deploy: AdministratorAccess is attached');
      expect(verify.stdout).toMatch(
        /::warning::Excess \(Permissions management\): \* on \* — \d+ Permissions management actions/,
      );
      expect(verify.summary).toContain('⚠️ more than needed');

      await resetMoto();
      await createRole('deploy', { boundary: true });
      await putGeneratedPolicy();
      await iam().send(
        new AttachRolePolicyCommand({
          RoleName: 'deploy',
          PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess',
        }),
      );
      const enforce = await run({ permissions: 'enforce' });
      expect(enforce.code).toBe(1);
      expect(enforce.stdout).toMatch(
        /::error::deploy has permissions beyond what this run needs \(permissions: enforce\): AdministratorAccess is attached/,
      );
      expect(enforce.outputs.result).toBe('failed');
      expect(enforce.outputs['stack-id']).toBe('');
    },
    TIMEOUT,
  );

  it(
    'fails a role that lacks permissions before executing anything, naming each action, leaving no stack',
    async () => {
      await createRole('deploy', { boundary: true });
      const result = await run({});
      expect(result.code).toBe(1);
      expect(result.stdout).toContain(
        `::error::Missing: cloudformation:ExecuteChangeSet on arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/example/* — no statement allows it`,
      );
      expect(result.summary).toContain('| `cloudformation:CreateChangeSet` |');
      expect(result.outputs['stack-id']).toBe('');
      expect(result.stdout).toMatch(/permissions: apply/);
      const cfn = new CloudFormationClient({
        region: REGION,
        endpoint: motoEndpoint(),
        credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'test' },
      });
      // The change set made alongside the check (ADR 007) was never executed; it and its empty stack are gone.
      const stacks = (await cfn.send(new ListStacksCommand({}))).StackSummaries ?? [];
      expect(stacks.filter((s) => s.StackStatus !== 'DELETE_COMPLETE')).toEqual([]);
    },
    TIMEOUT,
  );

  it(
    'applies the generated policy to a bare role from an admin run, after which the role passes verify',
    async () => {
      // Apply is authorised by the account's admin role (moto does not enforce IAM, so "admin" is a plain role
      // here; in AWS it is the bootstrap/admin role allowed to change the deploy role). The run assumes admin and
      // names the role to change with deploy-role.
      await createRole('admin');
      await createRole('deploy', { boundary: true });
      const apply = await run({
        'role-arn': `arn:aws:iam::${ACCOUNT}:role/admin`,
        'deploy-role': 'deploy',
        permissions: 'apply',
      });
      expect(apply.code).toBe(0);
      expect(apply.stdout).toContain(
        'Put the generated policy on deploy as its inline policy multi-account-deploy.',
      );
      const stored = await iam().send(
        new GetRolePolicyCommand({ RoleName: 'deploy', PolicyName: 'multi-account-deploy' }),
      );
      expect(JSON.parse(decodeURIComponent(stored.PolicyDocument ?? ''))).toEqual(
        deployPolicy(exampleSettings, { accountId: ACCOUNT, region: REGION, roleArn: DEPLOY_ROLE }),
      );

      const again = await run({
        'role-arn': `arn:aws:iam::${ACCOUNT}:role/admin`,
        'deploy-role': 'deploy',
        permissions: 'apply',
      });
      expect(again.stdout).toContain(
        'deploy already has the generated policy multi-account-deploy; nothing to apply.',
      );

      const verify = await run({});
      expect(verify.stdout).not.toMatch(/::(error|warning)::/);
      expect(verify.code).toBe(0);
      expect(verify.summary).toContain('✅ least privilege');
    },
    TIMEOUT,
  );

  it(
    'refuses to let the deploy role apply to itself',
    async () => {
      await createRole('deploy', { boundary: true });
      const result = await run({ permissions: 'apply' });
      expect(result.code).toBe(1);
      expect(result.stdout).toContain('Refusing to apply: this run is deploy itself');
    },
    TIMEOUT,
  );
});
