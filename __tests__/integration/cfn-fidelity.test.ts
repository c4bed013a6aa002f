// CloudFormation as AWS behaves where moto does not, through the bundled action and the fidelity layer: nested
// change sets, replacement read from the details, broadening read from the values, the fast no-op's limits,
// termination protection on an unchanged stack, early validation errors and a change set that takes time.
import { jest } from '@jest/globals';
import { startFidelity, type Fidelity } from '../../scripts/lib/fidelity/index.mjs';
import { startGithubApi, type GithubApi } from './harness/github-api.js';
import { motoEndpoint, resetMoto } from './harness/moto.js';
import { EXAMPLE, runAction } from './harness/run-action.js';

const FIXTURES = '__tests__/fixtures/templates';
const fixture = (name: string) => ({ 'stack.yaml': { from: `${FIXTURES}/${name}` } });

let fid: Fidelity;
let api: GithubApi;
let n = 0;
let stackName = '';
jest.setTimeout(30_000);
beforeAll(async () => {
  await resetMoto();
  fid = await startFidelity({ upstream: motoEndpoint() });
  api = await startGithubApi();
  // moto loads each service on first use (seconds after a reset): once here, not inside a test.
  stackName = 'cfn-warm-up';
  expect((await run({})).code).toBe(0);
}, 60_000);
afterAll(async () => {
  await fid.close();
  await api.close();
});
beforeEach(() => {
  // One stack name per test instead of a moto reset (seconds each).
  stackName = `cfn-${++n}`;
  fid.reset();
  fid.scenario({}, { replace: true });
});

function run(
  inputs: Record<string, string>,
  options: { files?: Record<string, { from: string } | string>; workspace?: string } = {},
) {
  return runAction({
    ...(options.workspace ? { workspace: options.workspace } : { files: options.files ?? EXAMPLE.files }),
    inputs: { ...EXAMPLE.inputs, 'stack-name': stackName, environment: 'dev', ...inputs },
    endpoint: fid.url,
  });
}

const operations = () => fid.requests.map((r) => r.operation);

describe('nested stacks', () => {
  it('reads the nested change set and refuses a table replaced inside it, named by its path', async () => {
    const first = await run(
      {},
      { files: { 'stack.yaml': 'Resources:\n  Notifications:\n    Type: AWS::SNS::Topic\n' } },
    );
    expect(first.code).toBe(0);
    fid.scenario({
      // The parent sees its nested stack modified; the nested stack's own change set replaces its table.
      changes: [{ logicalId: 'Database', action: 'Modify', resourceType: 'AWS::CloudFormation::Stack' }],
      nested: {
        Database: {
          changes: [
            {
              logicalId: 'Table',
              action: 'Modify',
              resourceType: 'AWS::DynamoDB::Table',
              physicalId: 'orders',
              replacement: 'True',
              policyAction: 'ReplaceAndRetain',
              scope: ['Properties'],
              details: [
                {
                  target: { attribute: 'Properties', name: 'TableName', requiresRecreation: 'Always' },
                  evaluation: 'Static',
                  changeSource: 'DirectModification',
                },
              ],
            },
          ],
        },
      },
    });
    fid.reset();
    const deploy = await run({}, { files: fixture('nested-parent.yaml'), workspace: undefined });
    expect(deploy.code).toBe(1);
    expect(deploy.outputs).toMatchObject({ result: 'failed', destructive: 'true' });
    expect(deploy.summary).toContain(
      'destructive changes to Database/Table (AWS::DynamoDB::Table: replace, holds data',
    );
    expect(deploy.summary).toContain('list the logical IDs: Database/Table');
    // Listed under its parent, with the PolicyAction a reviewer needs.
    const rows = deploy.summary.split('\n').filter((l) => l.startsWith('| '));
    const parent = rows.findIndex((l) => l.includes('`Database`'));
    expect(rows[parent + 1]).toContain('`Database/Table`');
    expect(rows[parent + 1]).toContain('**Yes** (`ReplaceAndRetain`)');
    expect(deploy.summary).toContain('the old resource is kept after the replacement');
    // IncludeNestedStacks asked for, and the nested change set read by its ARN.
    expect(fid.calls('CreateChangeSet')[0]?.params.IncludeNestedStacks).toBe('true');
    const nestedReads = fid
      .calls('DescribeChangeSet')
      .filter((c) => String(c.params.ChangeSetName).includes(':changeSet/') && !c.params.StackName);
    expect(nestedReads.length).toBeGreaterThan(0);
    expect(operations()).not.toContain('ExecuteChangeSet');
  });
});

describe('replacement from the details', () => {
  it('refuses a Dynamic change whose property requires recreation Always', async () => {
    const first = await run({});
    expect(first.code).toBe(0);
    const executed = fid.calls('ExecuteChangeSet').length;
    fid.scenario({
      changes: [
        {
          logicalId: 'Queue',
          action: 'Dynamic',
          resourceType: 'AWS::SQS::Queue',
          details: [
            {
              target: { attribute: 'Properties', name: 'QueueName', requiresRecreation: 'Always' },
              evaluation: 'Dynamic',
              changeSource: 'ParameterReference',
              causingEntity: 'RetentionSeconds',
            },
          ],
        },
      ],
    });
    const deploy = await run(
      { 'parameter-overrides': 'RetentionSeconds=600' },
      { workspace: first.workspace },
    );
    expect(deploy.code).toBe(1);
    expect(deploy.summary).toContain(
      'destructive changes to Queue (AWS::SQS::Queue: may-replace, holds data)',
    );
    expect(deploy.summary).toContain('set allow-destructive to true or list the logical IDs: Queue');
    expect(fid.calls('ExecuteChangeSet')).toHaveLength(executed);
  });
});

describe('broadening by value', () => {
  it('refuses ingress from 0.0.0.0/0 with the allow hint, deploys it once allowed, and reads ::/0 from AfterValue', async () => {
    const refused = await run({}, { files: fixture('open-ingress.yaml') });
    expect(refused.code).toBe(1);
    expect(refused.summary).toContain(
      'changes that broaden access: Web (opens ingress from 0.0.0.0/0 (tcp 443))',
    );
    expect(refused.summary).toContain('set allow-broadening to true or list the logical IDs: Web');
    expect(refused.summary).toContain('**broadens access**');
    expect(fid.calls('ExecuteChangeSet')).toHaveLength(0);

    const allowed = await run({ 'allow-broadening': 'Web' }, { workspace: refused.workspace });
    expect(allowed.code).toBe(0);
    expect(allowed.outputs).toMatchObject({ result: 'deployed', 'stack-status': 'CREATE_COMPLETE' });

    // An update whose values (IncludePropertyValues) open the rule to IPv6 anywhere.
    fid.scenario({
      changes: [
        {
          logicalId: 'Web',
          action: 'Modify',
          resourceType: 'AWS::EC2::SecurityGroup',
          replacement: 'False',
          details: [
            {
              target: {
                attribute: 'Properties',
                name: 'SecurityGroupIngress',
                path: '/Properties/SecurityGroupIngress/0/CidrIpv6',
                requiresRecreation: 'Never',
                beforeValue: '2001:db8::/32',
                afterValue: '::/0',
              },
              evaluation: 'Static',
              changeSource: 'DirectModification',
            },
          ],
        },
      ],
    });
    // Only the tags differ, so a change set is made; its values open the rule to IPv6 anywhere.
    const widened = await run({ tags: 'team=web' }, { workspace: allowed.workspace });
    expect(widened.code).toBe(1);
    expect(widened.summary).toContain('Web (opens ingress from ::/0 (all traffic))');
  });
});

describe('the fast no-op', () => {
  it('makes a change set for an SSM-typed parameter template, and none for the same plain template', async () => {
    await putSsmParameter('/app/retention', '345600');
    const ssm = await run({}, { files: fixture('ssm-parameter.yaml') });
    expect(ssm.code).toBe(0);
    fid.reset();
    const again = await run({}, { workspace: ssm.workspace });
    expect(again.code).toBe(0);
    expect(fid.calls('CreateChangeSet')).toHaveLength(1);
    expect(again.stdout).toContain('are read from SSM at each deploy');

    stackName = `${stackName}-plain`;
    const plain = await run({});
    expect(plain.code).toBe(0);
    fid.reset();
    const noop = await run({}, { workspace: plain.workspace });
    expect(noop.code).toBe(0);
    expect(noop.outputs.result).toBe('no-changes');
    expect(fid.calls('CreateChangeSet')).toHaveLength(0);
  });

  it('applies termination-protection: false to an unchanged stack', async () => {
    // No fid.reset() here: it would forget the protection the fidelity layer stores for the stack.
    const protection = () =>
      fid.calls('UpdateTerminationProtection').map((c) => c.params.EnableTerminationProtection);
    const first = await run({});
    expect(first.code).toBe(0);
    expect(protection()).toEqual(['true']);
    const changeSets = fid.calls('CreateChangeSet').length;
    const off = await run({ 'termination-protection': 'false' }, { workspace: first.workspace });
    expect(off.code).toBe(0);
    expect(off.outputs.result).toBe('no-changes');
    expect(fid.calls('CreateChangeSet')).toHaveLength(changeSets);
    expect(protection()).toEqual(['true', 'false']);
    expect(off.summary).toContain('Termination protection disabled on the unchanged stack.');
    const same = await run({ 'termination-protection': 'false' }, { workspace: first.workspace });
    expect(same.outputs.result).toBe('no-changes');
    expect(protection()).toEqual(['true', 'false']);
  });
});

describe('early validation', () => {
  it('reports each validation error with its property path, in the summary and the comment', async () => {
    fid.scenario({
      changeSet: {
        fail: {
          validationErrors: [
            {
              logicalId: 'Queue',
              resourceType: 'AWS::SQS::Queue',
              name: 'PropertyValidation',
              path: '/Resources/Queue/Properties/MessageRetentionPeriod',
              reason: 'Value 30 is less than the minimum of 60',
            },
          ],
        },
      },
    });
    const result = await runAction({
      ...EXAMPLE,
      inputs: {
        ...EXAMPLE.inputs,
        'stack-name': stackName,
        mode: 'plan',
        'github-token': 'ghs_test_token',
      },
      endpoint: fid.url,
      githubApiUrl: api.url,
      event: { name: 'pull_request', number: 7 },
    });
    expect(result.code).toBe(1);
    const line =
      '/Resources/Queue/Properties/MessageRetentionPeriod: PropertyValidation: Value 30 is less than the minimum of 60';
    expect(result.summary).toContain(line);
    expect(result.summary).not.toContain('use the DescribeEvents API');
    const comment = (api.comments.get(7) ?? []).at(-1)?.body ?? '';
    expect(comment).toContain(line);
  });

  it('falls back on the status reason, silently, where DescribeEvents does not exist', async () => {
    fid.scenario({ changeSet: { fail: { reason: 'Template error: something moto-like' } } });
    const result = await run({ mode: 'plan' });
    expect(result.code).toBe(1);
    expect(result.summary).toContain('Template error: something moto-like');
    expect(fid.calls('DescribeEvents').length).toBeGreaterThan(0);
    expect(result.stdout + result.stderr).not.toMatch(/DescribeEvents/);
  });
});

describe('a change set that takes time', () => {
  it('follows a change set that stays CREATE_IN_PROGRESS for 8 s to completion, with progress lines', async () => {
    fid.scenario({ changeSet: { createSeconds: 8 } });
    const result = await run({});
    expect(result.code).toBe(0);
    expect(result.outputs.result).toBe('deployed');
    const progress = result.stdout
      .split('\n')
      .filter((l) =>
        /Waiting for the change set to be created · \d+ s · CREATE_(PENDING|IN_PROGRESS)/.test(l),
      );
    // A line on each new status and at least every 5 s: 8 s of creation give at least two.
    expect(progress.length).toBeGreaterThanOrEqual(2);
    expect(progress.some((l) => l.includes('CREATE_IN_PROGRESS'))).toBe(true);
  }, 30_000);
});

describe('templates AWS accepts', () => {
  it.each([
    ['language-extensions.yaml', ['ordersQueue', 'invoicesQueue', 'Alertsdev', 'Alertsprod', 'Settings']],
    ['serverless.yaml', ['Greeter']],
    ['nested-parent.yaml', ['Database', 'Notifications']],
  ])('plans %s', async (file, ids) => {
    const plan = await run({ mode: 'plan' }, { files: fixture(file) });
    expect(plan.code).toBe(0);
    expect(plan.outputs.result).toBe('planned');
    for (const id of ids) expect(plan.summary).toContain(`\`${id}\``);
  });
});

/** SSM's PutParameter on moto (JSON protocol; moto reads the region and service from the credential scope). */
async function putSsmParameter(name: string, value: string): Promise<void> {
  const res = await fetch(motoEndpoint(), {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': 'AmazonSSM.PutParameter',
      authorization:
        'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260101/eu-west-1/ssm/aws4_request, SignedHeaders=host, Signature=0',
    },
    body: JSON.stringify({ Name: name, Value: value, Type: 'String', Overwrite: true }),
  });
  if (!res.ok) throw new Error(`PutParameter: ${res.status} ${await res.text()}`);
}
