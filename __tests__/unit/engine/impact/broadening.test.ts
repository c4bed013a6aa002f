// Broadening read from the values a change set carries (IncludePropertyValues: BeforeContext/AfterContext, or the
// details' BeforeValue/AfterValue at their Path), else from the templates; each case also has its negative.
import type { Change, ResourceChange as CfnResourceChange } from '@aws-sdk/client-cloudformation';
import { classify, type ClassifyTemplates } from '../../../../src/engine/impact/index.js';

const ctx = (properties: unknown) => JSON.stringify({ Properties: properties });
function widened(rc: CfnResourceChange, templates: ClassifyTemplates = {}): string[] {
  const c: Change = { Type: 'Resource', ResourceChange: { LogicalResourceId: 'R', ...rc } };
  return classify(c, [], templates)?.broadening ?? [];
}

describe('security groups', () => {
  const rule = (cidr: Record<string, string>, port = 443) => ({
    IpProtocol: 'tcp',
    FromPort: port,
    ToPort: port,
    ...cidr,
  });

  it('flags an added group open to 0.0.0.0/0, from AfterContext', () => {
    expect(
      widened({
        Action: 'Add',
        ResourceType: 'AWS::EC2::SecurityGroup',
        AfterContext: ctx({ SecurityGroupIngress: [rule({ CidrIp: '0.0.0.0/0' })] }),
      }),
    ).toEqual(['opens ingress from 0.0.0.0/0 (tcp 443)']);
  });

  it('flags ::/0 set through a detail path (BeforeValue/AfterValue), not an internal range', () => {
    const modify = (after: string) =>
      widened({
        Action: 'Modify',
        ResourceType: 'AWS::EC2::SecurityGroup',
        Details: [
          {
            Target: {
              Attribute: 'Properties',
              Name: 'SecurityGroupIngress',
              Path: '/Properties/SecurityGroupIngress/0/CidrIpv6',
              RequiresRecreation: 'Never',
              BeforeValue: '2001:db8::/32',
              AfterValue: after,
            },
            Evaluation: 'Static',
          },
        ],
      });
    expect(modify('::/0')).toEqual(['opens ingress from ::/0 (all traffic)']);
    expect(modify('2001:db8:1::/48')).toEqual([]);
  });

  it('does not flag a rule that was already open before', () => {
    const props = { SecurityGroupIngress: [rule({ CidrIp: '0.0.0.0/0' })], GroupDescription: 'x' };
    expect(
      widened({
        Action: 'Modify',
        ResourceType: 'AWS::EC2::SecurityGroup',
        BeforeContext: ctx({ ...props, GroupDescription: 'old' }),
        AfterContext: ctx(props),
      }),
    ).toEqual([]);
  });

  it('flags an AWS::EC2::SecurityGroupIngress resource, and egress to anywhere is not ingress', () => {
    expect(
      widened({
        Action: 'Add',
        ResourceType: 'AWS::EC2::SecurityGroupIngress',
        AfterContext: ctx({ IpProtocol: '-1', CidrIpv6: '::/0', GroupId: 'sg-1' }),
      }),
    ).toEqual(['opens ingress from ::/0 (all traffic)']);
    expect(
      widened({
        Action: 'Add',
        ResourceType: 'AWS::EC2::SecurityGroup',
        AfterContext: ctx({ SecurityGroupEgress: [{ IpProtocol: '-1', CidrIp: '0.0.0.0/0' }] }),
      }),
    ).toEqual([]);
  });

  it('falls back on the templates (parameter Refs resolved) when the answer has no values', () => {
    const resources = {
      R: {
        Type: 'AWS::EC2::SecurityGroup',
        Properties: {
          SecurityGroupIngress: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, CidrIp: { Ref: 'Cidr' } }],
        },
      },
    };
    const current = { resources, parameters: new Map([['Cidr', '0.0.0.0/0']]) };
    const deployed = { resources, parameters: new Map([['Cidr', '10.0.0.0/8']]) };
    expect(
      widened({ Action: 'Modify', ResourceType: 'AWS::EC2::SecurityGroup' }, { current, deployed }),
    ).toEqual(['opens ingress from 0.0.0.0/0 (tcp 22)']);
    expect(
      widened({ Action: 'Modify', ResourceType: 'AWS::EC2::SecurityGroup' }, { current, deployed: current }),
    ).toEqual([]);
  });
});

describe('IAM statements', () => {
  const doc = (...Statement: object[]) => ({ Version: '2012-10-17', Statement });

  it('flags `*` actions and resources a policy adds, not a statement it already had', () => {
    const before = doc({ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' });
    const after = doc(
      { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' },
      { Effect: 'Allow', Action: ['s3:*'], Resource: '*' },
    );
    expect(
      widened({
        Action: 'Modify',
        ResourceType: 'AWS::IAM::ManagedPolicy',
        BeforeContext: ctx({ PolicyDocument: before }),
        AfterContext: ctx({ PolicyDocument: after }),
      }),
    ).toEqual(['allows the wildcard action s3:*', 'allows s3:* on every resource (Resource *)']);
    expect(
      widened({
        Action: 'Modify',
        ResourceType: 'AWS::IAM::ManagedPolicy',
        BeforeContext: ctx({ PolicyDocument: after }),
        AfterContext: ctx({ PolicyDocument: after }),
      }),
    ).toEqual([]);
  });

  it('reads a role’s inline policies, a document given as a JSON string, and ignores Deny', () => {
    expect(
      widened({
        Action: 'Add',
        ResourceType: 'AWS::IAM::Role',
        AfterContext: ctx({
          AssumeRolePolicyDocument: doc({
            Effect: 'Allow',
            Principal: { Service: 'lambda.amazonaws.com' },
            Action: 'sts:AssumeRole',
          }),
          Policies: [
            {
              PolicyName: 'p',
              PolicyDocument: JSON.stringify(
                doc({ Effect: 'Allow', Action: '*', Resource: 'arn:aws:s3:::b' }),
              ),
            },
            { PolicyName: 'd', PolicyDocument: doc({ Effect: 'Deny', Action: '*', Resource: '*' }) },
          ],
        }),
      }),
    ).toEqual(['allows every action (*)']);
  });

  it('flags a trust policy that admits a new principal, and anyone on a new role', () => {
    const trust = (principal: unknown) =>
      doc({ Effect: 'Allow', Principal: principal, Action: 'sts:AssumeRole' });
    expect(
      widened({
        Action: 'Modify',
        ResourceType: 'AWS::IAM::Role',
        BeforeContext: ctx({ AssumeRolePolicyDocument: trust({ Service: 'ecs-tasks.amazonaws.com' }) }),
        AfterContext: ctx({
          AssumeRolePolicyDocument: trust({
            Service: 'ecs-tasks.amazonaws.com',
            AWS: 'arn:aws:iam::999999999999:root',
          }),
        }),
      }),
    ).toEqual(['trust policy admits a new principal: AWS arn:aws:iam::999999999999:root']);
    // A new role's own service principal is not a broadening; anyone is.
    expect(
      widened({
        Action: 'Add',
        ResourceType: 'AWS::IAM::Role',
        AfterContext: ctx({ AssumeRolePolicyDocument: trust({ Service: 'lambda.amazonaws.com' }) }),
      }),
    ).toEqual([]);
    expect(
      widened({
        Action: 'Add',
        ResourceType: 'AWS::IAM::Role',
        AfterContext: ctx({ AssumeRolePolicyDocument: trust({ AWS: '*' }) }),
      }),
    ).toEqual(['trust policy admits any principal (*)']);
  });

  it('does not read a type merely named *Policy as IAM', () => {
    expect(
      widened({
        Action: 'Add',
        ResourceType: 'AWS::ApplicationAutoScaling::ScalingPolicy',
        AfterContext: ctx({
          PolicyDocument: doc({ Effect: 'Allow', Action: '*', Resource: '*' }),
          PolicyType: 'StepScaling',
        }),
      }),
    ).toEqual([]);
  });
});

describe('public buckets', () => {
  it('flags a bucket policy that lets anyone in without a condition', () => {
    const policy = (condition?: object) => ({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: '*',
          Action: 's3:GetObject',
          Resource: 'arn:aws:s3:::b/*',
          ...(condition ? { Condition: condition } : {}),
        },
      ],
    });
    expect(
      widened({
        Action: 'Add',
        ResourceType: 'AWS::S3::BucketPolicy',
        AfterContext: ctx({ PolicyDocument: policy() }),
      }),
    ).toEqual(['bucket policy allows anyone (Principal *) to s3:GetObject']);
    expect(
      widened({
        Action: 'Add',
        ResourceType: 'AWS::S3::BucketPolicy',
        AfterContext: ctx({ PolicyDocument: policy({ StringEquals: { 'aws:PrincipalOrgID': 'o-1' } }) }),
      }),
    ).toEqual([]);
  });

  it('flags a public ACL and a public access block turned off', () => {
    expect(
      widened({
        Action: 'Add',
        ResourceType: 'AWS::S3::Bucket',
        AfterContext: ctx({ AccessControl: 'PublicRead' }),
      }),
    ).toEqual(['bucket ACL PublicRead makes its objects readable by others']);
    expect(
      widened({
        Action: 'Add',
        ResourceType: 'AWS::S3::Bucket',
        AfterContext: ctx({ AccessControl: 'Private' }),
      }),
    ).toEqual([]);
    const block = (on: boolean) => ({
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: on,
        BlockPublicPolicy: on,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
    });
    expect(
      widened({
        Action: 'Modify',
        ResourceType: 'AWS::S3::Bucket',
        BeforeContext: ctx(block(true)),
        AfterContext: ctx(block(false)),
      }),
    ).toEqual(['turns off BlockPublicAcls', 'turns off BlockPublicPolicy']);
    expect(
      widened({
        Action: 'Modify',
        ResourceType: 'AWS::S3::Bucket',
        BeforeContext: ctx(block(true)),
        AfterContext: ctx({}),
      }),
    ).toEqual(['removes the bucket public access block']);
  });
});
