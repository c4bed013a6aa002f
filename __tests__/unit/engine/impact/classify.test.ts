// Classification on DescribeChangeSet shapes as the AWS API reference documents them (API_ResourceChange,
// API_ResourceChangeDetail, API_ResourceTargetDefinition): Replacement, RequiresRecreation, Evaluation,
// PolicyAction, nested change sets.
import type { Change, ResourceChange as CfnResourceChange } from '@aws-sdk/client-cloudformation';
import {
  blockedBroadening,
  blockedChanges,
  classify,
  isAccessControl,
  needsDeployedTemplate,
  refusal,
  sortChanges,
} from '../../../../src/engine/impact/index.js';

const change = (rc: CfnResourceChange): Change => ({ Type: 'Resource', ResourceChange: rc });
const detail = (
  name: string,
  requiresRecreation: 'Never' | 'Conditionally' | 'Always',
  evaluation: 'Static' | 'Dynamic' = 'Static',
) => ({
  Target: { Attribute: 'Properties' as const, Name: name, RequiresRecreation: requiresRecreation },
  Evaluation: evaluation,
  ChangeSource: 'DirectModification' as const,
});

describe('replacement from the details', () => {
  it.each([
    ['Modify, Replacement True', { Action: 'Modify', Replacement: 'True' }, 'replace', true],
    [
      'Modify, Replacement Conditional',
      { Action: 'Modify', Replacement: 'Conditional' },
      'may-replace',
      true,
    ],
    [
      'Modify, Replacement False, all Never',
      { Action: 'Modify', Replacement: 'False', Details: [detail('Tags', 'Never')] },
      'modify',
      false,
    ],
    [
      'Dynamic with RequiresRecreation Always',
      { Action: 'Dynamic', Details: [detail('QueueName', 'Always', 'Dynamic')] },
      'may-replace',
      true,
    ],
    [
      'Dynamic with RequiresRecreation Conditionally',
      { Action: 'Dynamic', Details: [detail('Engine', 'Conditionally', 'Dynamic')] },
      'may-replace',
      true,
    ],
    [
      'Dynamic with Never',
      { Action: 'Dynamic', Details: [detail('Tags', 'Never', 'Dynamic')] },
      'dynamic',
      false,
    ],
    [
      'Modify, Replacement False but a dynamic detail that requires recreation',
      { Action: 'Modify', Replacement: 'False', Details: [detail('QueueName', 'Always', 'Dynamic')] },
      'may-replace',
      true,
    ],
    [
      'Modify without Replacement, a static Always detail',
      { Action: 'Modify', Details: [detail('TableName', 'Always')] },
      'replace',
      true,
    ],
    ['Remove', { Action: 'Remove' }, 'remove', true],
    ['Add', { Action: 'Add' }, 'add', false],
  ] as const)('%s → %s', (_what, rc, action, destructive) => {
    const c = classify(
      change({ LogicalResourceId: 'Queue', ResourceType: 'AWS::SQS::Queue', ...(rc as CfnResourceChange) }),
    );
    expect(c).toMatchObject({ action, destructive, stateful: true });
  });

  it('carries the PolicyAction, and the refusal says what happens to the data', () => {
    const c = classify(
      change({
        Action: 'Modify',
        Replacement: 'True',
        PolicyAction: 'ReplaceAndRetain',
        LogicalResourceId: 'Table',
        ResourceType: 'AWS::DynamoDB::Table',
        Details: [detail('TableName', 'Always')],
      }),
    );
    expect(c?.policyAction).toBe('ReplaceAndRetain');
    const r = refusal(c ? [c] : [], []);
    expect(r?.message).toContain(
      'Table (AWS::DynamoDB::Table: replace, holds data; the old resource is kept after the replacement (UpdateReplacePolicy Retain))',
    );
    expect(r?.hint).toContain('allow-destructive');
  });
});

describe('nested changes', () => {
  it('are named by their path and listed right under their parent stack', () => {
    const parent = classify(
      change({ Action: 'Modify', LogicalResourceId: 'Database', ResourceType: 'AWS::CloudFormation::Stack' }),
    );
    const table = classify(
      change({
        Action: 'Modify',
        Replacement: 'True',
        LogicalResourceId: 'Table',
        ResourceType: 'AWS::DynamoDB::Table',
      }),
      ['Database'],
    );
    const inner = classify(
      change({ Action: 'Add', LogicalResourceId: 'Key', ResourceType: 'AWS::KMS::Key' }),
      ['Database', 'Keys'],
    );
    const keys = classify(
      change({ Action: 'Modify', LogicalResourceId: 'Keys', ResourceType: 'AWS::CloudFormation::Stack' }),
      ['Database'],
    );
    const topic = classify(
      change({ Action: 'Remove', LogicalResourceId: 'Topic', ResourceType: 'AWS::SNS::Topic' }),
    );
    const all = [inner, table, topic, keys, parent].flatMap((c) => c ?? []);
    expect(sortChanges(all).map((c) => c.logicalId)).toEqual([
      'Topic',
      'Database',
      'Database/Table',
      'Database/Keys',
      'Database/Keys/Key',
    ]);
    expect(blockedChanges(all, false).map((c) => c.logicalId)).toEqual(['Database/Table', 'Topic']);
    expect(blockedChanges(all, ['Database/Table']).map((c) => c.logicalId)).toEqual(['Topic']);
    // A nested resource of the same logical ID as a top-level one is not allowed by the top-level ID.
    expect(blockedChanges(all, ['Table', 'Topic']).map((c) => c.logicalId)).toEqual(['Database/Table']);
  });
});

describe('what counts as IAM', () => {
  it.each([
    ['AWS::IAM::Role', true],
    ['AWS::IAM::ManagedPolicy', true],
    ['AWS::S3::BucketPolicy', true],
    ['AWS::Lambda::Permission', true],
    ['AWS::ApplicationAutoScaling::ScalingPolicy', false],
    ['AWS::AutoScaling::ScalingPolicy', false],
    ['AWS::DLM::LifecyclePolicy', false],
    ['AWS::IoT::Policy', false],
  ])('%s → %s', (type, iam) => {
    expect(isAccessControl(type)).toBe(iam);
    expect(classify(change({ Action: 'Add', LogicalResourceId: 'X', ResourceType: type }))?.iam).toBe(iam);
  });
});

describe('allow-broadening', () => {
  const open = classify(
    change({
      Action: 'Add',
      LogicalResourceId: 'Web',
      ResourceType: 'AWS::EC2::SecurityGroup',
      AfterContext: JSON.stringify({
        Properties: {
          SecurityGroupIngress: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, CidrIp: '0.0.0.0/0' }],
        },
      }),
    }),
  );
  const all = open ? [open] : [];

  it('blocks unless true or the logical ID is listed, with its own hint', () => {
    expect(blockedBroadening(all, false)).toHaveLength(1);
    expect(blockedBroadening(all, ['Other'])).toHaveLength(1);
    expect(blockedBroadening(all, ['Web'])).toHaveLength(0);
    expect(blockedBroadening(all, true)).toHaveLength(0);
    // Broadening is not destructive: allow-destructive does not cover it.
    expect(blockedChanges(all, false)).toHaveLength(0);
    const r = refusal([], blockedBroadening(all, false));
    expect(r?.message).toContain('changes that broaden access: Web (opens ingress from 0.0.0.0/0 (tcp 22))');
    expect(r?.hint).toBe(
      'If this access is intended, set allow-broadening to true or list the logical IDs: Web.',
    );
  });
});

describe('needsDeployedTemplate', () => {
  it('is true only for a top-level Modify of a checked type that came without values', () => {
    const bare = change({
      Action: 'Modify',
      LogicalResourceId: 'Web',
      ResourceType: 'AWS::EC2::SecurityGroup',
    });
    expect(needsDeployedTemplate([{ parents: [], change: bare }])).toBe(true);
    expect(needsDeployedTemplate([{ parents: ['Net'], change: bare }])).toBe(false);
    const queue = change({ Action: 'Modify', LogicalResourceId: 'Q', ResourceType: 'AWS::SQS::Queue' });
    expect(needsDeployedTemplate([{ parents: [], change: queue }])).toBe(false);
    const withValues = change({
      Action: 'Modify',
      LogicalResourceId: 'Web',
      ResourceType: 'AWS::EC2::SecurityGroup',
      AfterContext: '{"Properties":{}}',
    });
    expect(needsDeployedTemplate([{ parents: [], change: withValues }])).toBe(false);
  });
});
