import {
  canonicalPolicy,
  decide,
  evaluateCondition,
  globCovers,
  globMatch,
  globOverlaps,
  parsePolicyDocument,
  type NamedPolicy,
} from '../../../../src/engine/permissions/evaluate.js';
import type { PolicyStatement } from '../../../../src/report/model.js';

const policy = (...Statement: PolicyStatement[]): NamedPolicy[] => [
  { name: 'p', document: { Version: '2012-10-17', Statement } },
];
const STACK = 'arn:aws:cloudformation:eu-west-1:1:stack/app/*';

describe('glob matching', () => {
  it('matches, covers and overlaps like IAM wildcards', () => {
    expect(globMatch('iam:Get*', 'iam:GetRole')).toBe(true);
    expect(globMatch('iam:get*', 'IAM:GetRole', true)).toBe(true);
    expect(globMatch('a?c', 'abc')).toBe(true);
    expect(globMatch('a*c', 'abd')).toBe(false);
    expect(globCovers('arn:x:stack/*', 'arn:x:stack/app/*')).toBe(true);
    expect(globCovers('arn:x:stack/app/*', 'arn:x:stack/*')).toBe(false);
    expect(globCovers('arn:x:stack/app-?', 'arn:x:stack/app-*')).toBe(false);
    expect(globCovers('*', 'anything*')).toBe(true);
    expect(globOverlaps('arn:x:stack/app/*', 'arn:x:stack/*/id')).toBe(true);
    expect(globOverlaps('arn:x:stack/app/*', 'arn:x:stack/other/*')).toBe(false);
  });
});

describe('conditions', () => {
  it('evaluates known keys and leaves unknown ones unknown', () => {
    const c = { StringEquals: { 'iam:PassedToService': ['cloudformation.amazonaws.com'] } };
    expect(evaluateCondition(c, { 'iam:PassedToService': 'cloudformation.amazonaws.com' }).result).toBe(
      'true',
    );
    expect(evaluateCondition(c, { 'iam:PassedToService': 'ec2.amazonaws.com' }).result).toBe('false');
    expect(evaluateCondition({ IpAddress: { 'aws:SourceIp': ['10.0.0.0/8'] } }, {})).toEqual({
      result: 'unknown',
      unknownKeys: ['aws:SourceIp'],
    });
    expect(evaluateCondition({ 'ForAllValues:StringEquals': { k: ['v'] } }, { k: 'v' }).result).toBe(
      'unknown',
    );
  });
});

describe('decide', () => {
  it('allows what an Allow covers, denies what a Deny touches', () => {
    const allow = policy({
      Effect: 'Allow',
      Action: 'cloudformation:*',
      Resource: 'arn:aws:cloudformation:*:1:stack/*',
    });
    expect(decide(allow, { action: 'cloudformation:ExecuteChangeSet', resource: STACK }).kind).toBe(
      'allowed',
    );
    expect(decide(allow, { action: 'iam:CreateRole', resource: '*' }).kind).toBe('implicit-deny');
    const denied = policy(
      { Effect: 'Allow', Action: '*', Resource: '*' },
      { Sid: 'NoExec', Effect: 'Deny', Action: 'cloudformation:Execute*', Resource: '*' },
    );
    expect(decide(denied, { action: 'cloudformation:ExecuteChangeSet', resource: STACK })).toEqual({
      kind: 'denied',
      by: 'p statement NoExec',
    });
  });

  it('needs an Allow to cover the whole resource pattern', () => {
    const narrow = policy({
      Effect: 'Allow',
      Action: 'cloudformation:*',
      Resource: 'arn:aws:cloudformation:eu-west-1:1:stack/app/abc',
    });
    expect(decide(narrow, { action: 'cloudformation:DescribeStacks', resource: STACK }).kind).toBe(
      'implicit-deny',
    );
  });

  it('recognises NotAction and NotResource', () => {
    const notAction = policy({ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' });
    expect(decide(notAction, { action: 's3:PutObject', resource: 'arn:aws:s3:::b/k' }).kind).toBe('allowed');
    expect(decide(notAction, { action: 'iam:PassRole', resource: 'arn:aws:iam::1:role/x' }).kind).toBe(
      'implicit-deny',
    );
    const notResource = policy(
      { Effect: 'Allow', Action: '*', Resource: '*' },
      { Effect: 'Deny', Action: '*', NotResource: 'arn:aws:s3:::allowed/*' },
    );
    expect(decide(notResource, { action: 's3:GetObject', resource: 'arn:aws:s3:::allowed/x' }).kind).toBe(
      'allowed',
    );
    expect(decide(notResource, { action: 's3:GetObject', resource: 'arn:aws:s3:::other/x' }).kind).toBe(
      'denied',
    );
  });

  it('treats conditions conservatively', () => {
    const passRole = policy({
      Effect: 'Allow',
      Action: 'iam:PassRole',
      Resource: 'arn:aws:iam::1:role/exec',
      Condition: { StringEquals: { 'iam:PassedToService': 'cloudformation.amazonaws.com' } },
    });
    const need = { action: 'iam:PassRole', resource: 'arn:aws:iam::1:role/exec' };
    expect(
      decide(passRole, { ...need, context: { 'iam:PassedToService': 'cloudformation.amazonaws.com' } }).kind,
    ).toBe('allowed');
    expect(decide(passRole, need).kind).toBe('conditional');
    const maybeDenied = policy(
      { Effect: 'Allow', Action: '*', Resource: '*' },
      {
        Effect: 'Deny',
        Action: '*',
        Resource: '*',
        Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'false' } },
      },
    );
    expect(decide(maybeDenied, need).kind).toBe('denied');
  });
});

describe('documents', () => {
  it('parses URL-encoded documents and compares canonically', () => {
    const text = encodeURIComponent(
      '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject"],"Resource":"*"}]}',
    );
    const doc = parsePolicyDocument(text);
    expect(canonicalPolicy(doc)).toBe(
      canonicalPolicy({
        Statement: { Resource: ['*'], Action: 's3:GetObject', Effect: 'Allow' },
        Version: '2012-10-17',
      }),
    );
  });
});
