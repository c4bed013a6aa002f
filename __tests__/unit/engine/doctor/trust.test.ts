import { subjectOf } from '../../../../src/engine/doctor/index.js';
import { evaluateTrust, holds } from '../../../../src/engine/doctor/trust.js';

const PROVIDER = 'arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com';
const AUD = 'token.actions.githubusercontent.com:aud';
const SUB = 'token.actions.githubusercontent.com:sub';
const trust = (
  condition: Record<string, Record<string, string | string[]>>,
  effect: 'Allow' | 'Deny' = 'Allow',
) => ({
  Version: '2012-10-17' as const,
  Statement: [
    {
      Effect: effect,
      Principal: { Federated: PROVIDER },
      Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: condition,
    },
  ],
});
const keys = (sub: string) => ({ [AUD]: 'sts.amazonaws.com', [SUB]: sub });

describe('the subject GitHub sends', () => {
  it('depends on the job: environment, pull request, branch, immutable IDs', () => {
    expect(subjectOf({ repo: 'acme/app', trigger: { kind: 'environment', name: 'prod' } })).toBe(
      'repo:acme/app:environment:prod',
    );
    expect(subjectOf({ repo: 'acme/app', trigger: { kind: 'pull_request' } })).toBe(
      'repo:acme/app:pull_request',
    );
    expect(subjectOf({ repo: 'acme/app', trigger: { kind: 'ref', ref: 'main' } })).toBe(
      'repo:acme/app:ref:refs/heads/main',
    );
    expect(subjectOf({ repo: 'acme/app', trigger: { kind: 'ref', ref: 'refs/tags/v1' } })).toBe(
      'repo:acme/app:ref:refs/tags/v1',
    );
    expect(
      subjectOf({
        repo: 'acme/app',
        ownerId: '12',
        repositoryId: '34',
        trigger: { kind: 'environment', name: 'prod' },
      }),
    ).toBe('repo:acme@12/app@34:environment:prod');
  });
});

describe('evaluateTrust', () => {
  const pinned = trust({
    StringEquals: { [AUD]: 'sts.amazonaws.com', [SUB]: 'repo:acme/app:environment:prod' },
  });

  it('allows the exact subject and nothing else; StringEquals is case-sensitive', () => {
    expect(evaluateTrust(pinned, PROVIDER, keys('repo:acme/app:environment:prod')).kind).toBe('allowed');
    const wrongCase = evaluateTrust(pinned, PROVIDER, keys('repo:Acme/app:environment:prod'));
    expect(wrongCase).toMatchObject({
      kind: 'conditions',
      failed: [{ operator: 'StringEquals', key: SUB, actual: 'repo:Acme/app:environment:prod' }],
    });
  });

  it('needs the federated principal of this account', () => {
    expect(evaluateTrust(pinned, PROVIDER.replace('111111111111', '222222222222'), keys('x')).kind).toBe(
      'no-statement',
    );
  });

  it('applies StringLike, IgnoreCase and an explicit Deny', () => {
    const like = trust({
      StringLike: { [SUB]: 'repo:acme/app:*' },
      StringEquals: { [AUD]: 'sts.amazonaws.com' },
    });
    expect(evaluateTrust(like, PROVIDER, keys('repo:acme/app:pull_request')).kind).toBe('allowed');
    expect(evaluateTrust(like, PROVIDER, keys('repo:acme/other:pull_request')).kind).toBe('conditions');
    const deny = {
      Version: '2012-10-17' as const,
      Statement: [
        ...pinned.Statement,
        ...trust({ StringLike: { [SUB]: '*:environment:prod' } }, 'Deny').Statement,
      ],
    };
    expect(evaluateTrust(deny, PROVIDER, keys('repo:acme/app:environment:prod')).kind).toBe('denied');
  });

  it('warns about a sub left open and ForAllValues, which holds when the key is absent', () => {
    const open = trust({ 'ForAllValues:StringEquals': { [AUD]: 'sts.amazonaws.com' } });
    const verdict = evaluateTrust(open, PROVIDER, keys('repo:evil/x:pull_request'));
    expect(verdict.kind).toBe('allowed');
    expect(verdict.warnings.join('\n')).toMatch(/does not pin the sub claim/);
    expect(verdict.warnings.join('\n')).toMatch(/ForAllValues:StringEquals/);
  });

  it("follows IAM's rules for absent keys", () => {
    expect(holds('StringEquals', undefined, ['x'])).toBe(false);
    expect(holds('StringEqualsIfExists', undefined, ['x'])).toBe(true);
    expect(holds('StringNotEquals', undefined, ['x'])).toBe(true);
    expect(holds('ForAllValues:StringEquals', undefined, ['x'])).toBe(true);
    expect(holds('ForAnyValue:StringEquals', undefined, ['x'])).toBe(false);
    expect(holds('ForAnyValue:StringLike', 'repo:a/b:ref:refs/heads/main', ['repo:a/b:*'])).toBe(true);
    expect(holds('StringEqualsIgnoreCase', 'Repo:A', ['repo:a'])).toBe(true);
  });
});
