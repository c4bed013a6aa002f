// Drift through the bundled action: the fidelity layer answers drift detection and CloudTrail as AWS documents
// them (moto has neither); the stack itself is real in moto.
import { jest } from '@jest/globals';
import { DescribeStackResourcesCommand, ListChangeSetsCommand } from '@aws-sdk/client-cloudformation';
import { startFidelity, type Fidelity, type Scenario } from '../../scripts/lib/fidelity/index.mjs';
import { cloudformation, describeStack } from './harness/aws.js';
import { motoEndpoint, resetMoto } from './harness/moto.js';
import { runAction } from './harness/run-action.js';

jest.setTimeout(90_000);

const TEMPLATE = `Parameters:
  Retention:
    Type: Number
    Default: 345600
Resources:
  Web:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: web
      SecurityGroupIngress:
        - { IpProtocol: tcp, FromPort: 443, ToPort: 443, CidrIp: 10.0.0.0/8 }
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      MessageRetentionPeriod: !Ref Retention
  Handle:
    Type: AWS::CloudFormation::WaitConditionHandle
`;

let fid: Fidelity;
let stack = '';
let n = 0;
beforeAll(async () => {
  await resetMoto();
  fid = await startFidelity({ upstream: motoEndpoint() });
});
afterAll(() => fid.close());
beforeEach(() => {
  stack = `drifty-${++n}`;
  fid.scenario({}, { replace: true });
});

const inputs = (extra: Record<string, string> = {}) => ({
  'stack-name': stack,
  template: 'stack.yaml',
  permissions: 'off',
  ...extra,
});

/** The stack as deployed (without drift detection), and its resources' physical IDs. */
async function deployed() {
  const run = await runAction({
    files: { 'stack.yaml': TEMPLATE },
    inputs: inputs({ drift: 'off' }),
    endpoint: fid.url,
  });
  expect(run.code).toBe(0);
  const out = await cloudformation().send(new DescribeStackResourcesCommand({ StackName: stack }));
  const physical = Object.fromEntries(
    (out.StackResources ?? []).map((r) => [r.LogicalResourceId ?? '', r.PhysicalResourceId ?? '']),
  );
  fid.reset();
  return { workspace: run.workspace, physical };
}

function rerun(workspace: string, extra: Record<string, string>) {
  return runAction({ workspace, inputs: inputs(extra), endpoint: fid.url });
}

/** A time two days ago, to the second, and how the report prints it. */
const AT = new Date(Math.floor((Date.now() - 2 * 86_400_000) / 1000) * 1000);
const AT_TEXT = `${AT.toISOString().slice(0, 10)} ${AT.toISOString().slice(11, 16)} UTC`;
const hoursAfter = (h: number) => new Date(AT.getTime() + h * 3_600_000);
const role = (name: string, extra: Record<string, string> = {}) => ({
  type: 'AssumedRole',
  arn: `arn:aws:sts::123456789012:assumed-role/${name}`,
  ...extra,
});

/** Someone opened the group to the world, someone deleted the queue; the handle's type has no drift detection. */
function driftScenario(physical: Record<string, string>, drift: Scenario['drift'] = {}): Scenario {
  return {
    drift: {
      detectSeconds: 2,
      resources: [
        {
          logicalId: 'Web',
          resourceType: 'AWS::EC2::SecurityGroup',
          status: 'MODIFIED',
          differences: [
            {
              path: '/SecurityGroupIngress/0/CidrIp',
              expected: '10.0.0.0/8',
              actual: '0.0.0.0/0',
              type: 'NOT_EQUAL',
            },
          ],
        },
        { logicalId: 'Queue', resourceType: 'AWS::SQS::Queue', status: 'DELETED' },
        {
          logicalId: 'Handle',
          resourceType: 'AWS::CloudFormation::WaitConditionHandle',
          status: 'NOT_CHECKED',
        },
      ],
      ...drift,
    },
    cloudtrail: {
      events: [
        {
          eventName: 'RevokeSecurityGroupIngress',
          eventTime: hoursAfter(-5),
          eventSource: 'ec2.amazonaws.com',
          userIdentity: role('Admin/bob'),
          resources: [{ name: physical.Web ?? '' }],
        },
        {
          eventName: 'AuthorizeSecurityGroupIngress',
          eventTime: AT,
          eventSource: 'ec2.amazonaws.com',
          userIdentity: role('Admin/alice'),
          resources: [{ name: physical.Web ?? '', type: 'AWS::EC2::SecurityGroup' }],
        },
        // Later, but neither changes anything outside CloudFormation: a read, and CloudFormation's own call.
        {
          eventName: 'DescribeSecurityGroups',
          eventTime: hoursAfter(1),
          eventSource: 'ec2.amazonaws.com',
          readOnly: true,
          userIdentity: role('ReadOnly/carol'),
          resources: [{ name: physical.Web ?? '' }],
        },
        {
          eventName: 'CreateTags',
          eventTime: hoursAfter(2),
          eventSource: 'ec2.amazonaws.com',
          userIdentity: role('deploy/mad-app-1-1', { invokedBy: 'cloudformation.amazonaws.com' }),
          resources: [{ name: physical.Web ?? '' }],
        },
        {
          eventName: 'DeleteQueue',
          eventTime: hoursAfter(3),
          eventSource: 'sqs.amazonaws.com',
          userIdentity: { type: 'IAMUser', arn: 'arn:aws:iam::123456789012:user/bob' },
          resources: [{ name: physical.Queue ?? '' }],
        },
      ],
    },
  };
}

const ALICE = `changed outside CloudFormation by assumed-role/Admin/alice at ${AT_TEXT} (AuthorizeSecurityGroupIngress)`;

describe('drift detection in a run', () => {
  it('reports a modified security group and a deleted queue, property by property, with who changed them', async () => {
    const { workspace, physical } = await deployed();
    fid.scenario({
      ...driftScenario(physical),
      changeSet: { createSeconds: 2 },
      // moto describes the update without its changes: the one change AWS would list.
      changes: [{ logicalId: 'Queue', action: 'Modify', resourceType: 'AWS::SQS::Queue' }],
    });
    const plan = await rerun(workspace, { mode: 'plan', 'parameter-overrides': 'Retention=86400' });
    expect(plan.code).toBe(0);
    expect(plan.outputs).toMatchObject({
      result: 'planned',
      drifted: 'true',
      'drifted-resources': '["Web","Queue"]',
    });
    const s = plan.summary;
    expect(s).toContain(ALICE);
    const minute = hoursAfter(3).toISOString();
    expect(s).toContain(
      `**deleted** outside CloudFormation by user/bob at ${minute.slice(0, 10)} ${minute.slice(11, 16)} UTC (DeleteQueue)`,
    );
    expect(s).toMatch(
      /\| `Web` \| `\/SecurityGroupIngress\/0\/CidrIp` \| `10\.0\.0\.0\/8` \| `0\.0\.0\.0\/0` \| changed \|/,
    );
    expect(s).toContain(physical.Web);
    // The type without drift detection is named once, as such.
    expect(s.match(/`Handle`/g)).toHaveLength(1);
    expect(s).toContain('Not checked for drift (the type does not support drift detection');
    // The Drift section comes before the changes.
    expect(s.indexOf('**Drift:**')).toBeGreaterThan(0);
    expect(s.indexOf('**Drift:**')).toBeLessThan(s.indexOf('| Action |'));

    // Detection took several seconds, and the change set was made while it ran.
    const polls = fid.calls('DescribeStackDriftDetectionStatus');
    expect(polls.length).toBeGreaterThanOrEqual(2);
    const [create] = fid.calls('CreateChangeSet');
    expect(create?.t).toBeLessThan(polls[polls.length - 1]?.t ?? 0);
    expect(create?.params.DeploymentMode).toBeUndefined();
    expect(fid.calls('LookupEvents').map((c) => c.params.LookupAttributes)).toEqual([
      [{ AttributeKey: 'ResourceName', AttributeValue: physical.Web }],
      [{ AttributeKey: 'ResourceName', AttributeValue: physical.Queue }],
    ]);
  });

  it('drift: fail refuses the deploy over drift, naming who changed what, and changes nothing', async () => {
    const { workspace, physical } = await deployed();
    fid.scenario(driftScenario(physical));
    const run = await rerun(workspace, { drift: 'fail', 'parameter-overrides': 'Retention=86400' });
    expect(run.code).not.toBe(0);
    expect(run.outputs).toMatchObject({ result: 'failed', drifted: 'true' });
    expect(run.summary).toContain('Refusing to deploy over drift');
    expect(run.summary).toContain(`Web (AWS::EC2::SecurityGroup) ${ALICE}`);
    expect(run.summary).toContain('drift: revert');
    expect(run.stdout).toContain('::error::Refusing to deploy over drift');
    expect(fid.calls('ExecuteChangeSet')).toHaveLength(0);
    const left = await cloudformation().send(new ListChangeSetsCommand({ StackName: stack }));
    // moto lists change sets region-wide, executed ones too: what must not be left is one that could still run.
    const open = (left.Summaries ?? []).filter(
      (c) => c.StackName === stack && c.ExecutionStatus === 'AVAILABLE',
    );
    expect(open).toEqual([]);
    const retention = (await describeStack(stack))?.Parameters?.find((p) => p.ParameterKey === 'Retention');
    expect(retention?.ParameterValue).toBe('345600');
  });

  it('drift: fail lets a plan be made and fails it on drift', async () => {
    const { workspace, physical } = await deployed();
    fid.scenario(driftScenario(physical, { detectSeconds: 0 }));
    const plan = await rerun(workspace, { mode: 'plan', drift: 'fail' });
    expect(plan.code).not.toBe(0);
    expect(plan.summary).toContain('Drift found: stack');
    expect(fid.calls('ExecuteChangeSet')).toHaveLength(0);
  });

  it('drift: revert creates a REVERT_DRIFT change set and shows which changes it reverts', async () => {
    const { workspace, physical } = await deployed();
    fid.scenario({
      ...driftScenario(physical, { detectSeconds: 1 }),
      changes: [
        {
          logicalId: 'Web',
          action: 'Modify',
          resourceType: 'AWS::EC2::SecurityGroup',
          resourceDriftStatus: 'MODIFIED',
          details: [
            {
              target: {
                attribute: 'Properties',
                name: 'SecurityGroupIngress',
                path: '/Properties/SecurityGroupIngress',
                beforeValue: '[{"CidrIp":"0.0.0.0/0","FromPort":443,"IpProtocol":"tcp","ToPort":443}]',
                afterValue: '[{"CidrIp":"10.0.0.0/8","FromPort":443,"IpProtocol":"tcp","ToPort":443}]',
                beforeValueFrom: 'ACTUAL_STATE',
                attributeChangeType: 'Modify',
                drift: {
                  previousValue: '[{"CidrIp":"10.0.0.0/8","FromPort":443,"IpProtocol":"tcp","ToPort":443}]',
                  actualValue: '[{"CidrIp":"0.0.0.0/0","FromPort":443,"IpProtocol":"tcp","ToPort":443}]',
                },
              },
            },
          ],
        },
      ],
    });
    const plan = await rerun(workspace, {
      mode: 'plan',
      drift: 'revert',
      'parameter-overrides': 'Retention=86400',
    });
    expect(plan.code).toBe(0);
    const [create] = fid.calls('CreateChangeSet');
    expect(create?.params).toMatchObject({ ChangeSetType: 'UPDATE', DeploymentMode: 'REVERT_DRIFT' });
    expect(plan.summary).toContain(
      `\`Web\` (\`SecurityGroupIngress\`): reverts a change by assumed-role/Admin/alice at ${AT_TEXT} (AuthorizeSecurityGroupIngress)`,
    );
    expect(plan.summary).toContain('drift-aware (REVERT_DRIFT)');
  });

  it('reports "no drift" for an undrifted stack', async () => {
    const { workspace } = await deployed();
    fid.scenario({ drift: {} });
    const plan = await rerun(workspace, { mode: 'plan' });
    expect(plan.code).toBe(0);
    expect(plan.outputs).toMatchObject({ drifted: 'false', 'drifted-resources': '[]' });
    expect(plan.summary).toContain('**Drift:** ✅ no drift');
    expect(fid.calls('LookupEvents')).toHaveLength(0);
  });

  it('with CloudTrail denied, says who is unknown, once, and still succeeds', async () => {
    const { workspace, physical } = await deployed();
    fid.scenario({ ...driftScenario(physical, { detectSeconds: 0 }), deny: ['cloudtrail:LookupEvents'] });
    const plan = await rerun(workspace, { mode: 'plan' });
    expect(plan.code).toBe(0);
    expect(plan.outputs).toMatchObject({ result: 'no-changes', drifted: 'true' });
    expect(plan.summary).toContain('`Web` (`AWS::EC2::SecurityGroup`');
    expect(plan.summary).toContain('changed outside CloudFormation by unknown');
    expect(plan.summary).not.toContain('alice');
    expect(plan.summary.match(/CloudTrail LookupEvents was denied/g)).toHaveLength(1);
    expect(fid.calls('LookupEvents')).toHaveLength(1);
  });

  it('reports what it learnt when detection fails for a resource type without drift support', async () => {
    const { workspace, physical } = await deployed();
    const reason =
      'Failed to detect drift on resource [Handle]: resource type AWS::CloudFormation::WaitConditionHandle does not support drift detection';
    fid.scenario(driftScenario(physical, { detectSeconds: 1, failReason: reason }));
    const plan = await rerun(workspace, { mode: 'plan' });
    expect(plan.code).toBe(0);
    expect(plan.outputs).toMatchObject({ drifted: 'true', 'drifted-resources': '["Web","Queue"]' });
    expect(plan.summary).toContain(`drift detection failed for some resources: ${reason}`);
    expect(plan.summary).toContain(ALICE);
  });
});
