import { jest } from '@jest/globals';
import { AssumeRoleWithWebIdentityCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { clientFactory } from '../../../../src/aws/clients.js';
import {
  explainAssumeRoleError,
  isRetryable,
  obtainCredentials,
  tokenClaims,
} from '../../../../src/engine/credentials/index.js';
import { UserError } from '../../../../src/errors.js';
import type { Logger } from '../../../../src/logger.js';
import { silentLogger } from '../../../../src/logger.js';
import { makeSettings } from '../../fixtures.js';

const sts = mockClient(STSClient);
const ROLE = 'arn:aws:iam::111111111111:role/deploy';

const settings = makeSettings;

const jwt = (claims: object) => `e30.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.sig`;
const TOKEN = jwt({
  iss: 'https://token.actions.githubusercontent.com',
  sub: 'repo:acme/app:ref:refs/heads/feature',
  aud: 'sts.amazonaws.com',
  repository: 'acme/app',
  ref: 'refs/heads/feature',
  job_workflow_ref: 'acme/app/.github/workflows/deploy.yml@refs/heads/feature',
});

const CREDS = {
  AccessKeyId: 'ASIAEXAMPLE',
  SecretAccessKey: 'secret-key',
  SessionToken: 'session-token',
  Expiration: new Date(),
};

function awsError(name: string, message = name, status = 400): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });
}

function deps(
  extra: {
    idToken?: jest.Mock<(audience: string) => Promise<string>>;
    logger?: Logger;
    now?: () => number;
  } = {},
) {
  const idToken = extra.idToken ?? jest.fn(async () => TOKEN);
  return {
    idToken,
    deps: {
      clients: clientFactory('eu-west-1'),
      idToken,
      logger: extra.logger ?? silentLogger,
      now: extra.now,
    },
  };
}

beforeEach(() => {
  sts.reset();
  jest.useRealTimers();
});

describe('obtainCredentials with role-arn', () => {
  it('assumes the role with the token, checks the account and masks the secrets', async () => {
    sts.on(AssumeRoleWithWebIdentityCommand).resolves({ Credentials: CREDS });
    sts.on(GetCallerIdentityCommand).resolves({
      Account: '111111111111',
      Arn: 'arn:aws:sts::111111111111:assumed-role/deploy/mad-app-1-1',
    });
    const masked: string[] = [];
    const { deps: d, idToken } = deps({ logger: { ...silentLogger, mask: (s) => masked.push(s) } });
    const result = await obtainCredentials(settings(), d);
    expect(result).toMatchObject({
      accountId: '111111111111',
      source: 'oidc',
      credentials: { accessKeyId: 'ASIAEXAMPLE', sessionToken: 'session-token' },
    });
    expect(idToken).toHaveBeenCalledWith('sts.amazonaws.com');
    expect(sts.commandCalls(AssumeRoleWithWebIdentityCommand)[0]?.args[0].input).toEqual({
      RoleArn: ROLE,
      RoleSessionName: 'mad-app-1-1',
      WebIdentityToken: TOKEN,
      DurationSeconds: 3600,
    });
    expect(masked).toEqual(expect.arrayContaining([TOKEN, 'ASIAEXAMPLE', 'secret-key', 'session-token']));
  });

  it('does not retry AccessDenied, and explains the trust policy with the token claims', async () => {
    sts
      .on(AssumeRoleWithWebIdentityCommand)
      .rejects(awsError('AccessDenied', 'Not authorized to perform sts:AssumeRoleWithWebIdentity', 403));
    const { deps: d } = deps();
    const error = (await obtainCredentials(settings(), d).catch((e: unknown) => e)) as UserError;
    expect(sts.commandCalls(AssumeRoleWithWebIdentityCommand)).toHaveLength(1);
    expect(error).toBeInstanceOf(UserError);
    expect(error.message).toContain(`AccessDenied: ${ROLE} cannot be assumed`);
    expect(error.hint).toContain('sub: repo:acme/app:ref:refs/heads/feature');
    expect(error.hint).toContain('aud: sts.amazonaws.com');
    expect(error.hint).toContain(
      'job_workflow_ref: acme/app/.github/workflows/deploy.yml@refs/heads/feature',
    );
    expect(error.hint).toContain(
      '"token.actions.githubusercontent.com:sub": "repo:acme/app:ref:refs/heads/feature"',
    );
    expect(error.hint).toContain('"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"');
  });

  it.each(['InvalidIdentityToken', 'ValidationError'])('does not retry %s', async (name) => {
    sts.on(AssumeRoleWithWebIdentityCommand).rejects(awsError(name));
    const { deps: d } = deps();
    await expect(obtainCredentials(settings(), d)).rejects.toBeInstanceOf(UserError);
    expect(sts.commandCalls(AssumeRoleWithWebIdentityCommand)).toHaveLength(1);
  });

  it('retries IdP and throttling errors and 5xx with the same token, fetched once', async () => {
    jest.useFakeTimers();
    sts
      .on(AssumeRoleWithWebIdentityCommand)
      .rejectsOnce(
        awsError('IDPCommunicationError', "Couldn't retrieve verification key from your identity provider"),
      )
      .rejectsOnce(awsError('Throttling', 'Rate exceeded'))
      .rejectsOnce(awsError('InternalFailure', 'oops', 500))
      .resolves({ Credentials: CREDS });
    sts
      .on(GetCallerIdentityCommand)
      .resolves({ Account: '111111111111', Arn: 'arn:aws:sts::111111111111:assumed-role/deploy/s' });
    const { deps: d, idToken } = deps();
    const pending = obtainCredentials(settings(), d);
    await jest.runAllTimersAsync();
    await expect(pending).resolves.toMatchObject({ accountId: '111111111111' });
    expect(sts.commandCalls(AssumeRoleWithWebIdentityCommand)).toHaveLength(4);
    expect(idToken).toHaveBeenCalledTimes(1);
  });

  it('gives up at the deadline instead of retrying for minutes', async () => {
    jest.useFakeTimers();
    sts.on(AssumeRoleWithWebIdentityCommand).rejects(awsError('IDPCommunicationError'));
    const { deps: d } = deps();
    const pending = obtainCredentials(settings(), { ...d, deadlineMs: 3_000, now: () => Date.now() });
    const outcome = pending.catch((e: unknown) => e);
    await jest.runAllTimersAsync();
    expect(await outcome).toMatchObject({ name: 'IDPCommunicationError' });
    expect(sts.commandCalls(AssumeRoleWithWebIdentityCommand).length).toBeLessThanOrEqual(4);
  });

  it('fetches a new token when the old one expired', async () => {
    sts
      .on(AssumeRoleWithWebIdentityCommand)
      .rejectsOnce(awsError('ExpiredTokenException', 'Token expired'))
      .resolves({ Credentials: CREDS });
    sts
      .on(GetCallerIdentityCommand)
      .resolves({ Account: '111111111111', Arn: 'arn:aws:sts::111111111111:assumed-role/deploy/s' });
    const { deps: d, idToken } = deps();
    await obtainCredentials(settings(), d);
    expect(idToken).toHaveBeenCalledTimes(2);
  });

  it('waits out freshly issued credentials that STS does not accept yet, a few times at most', async () => {
    jest.useFakeTimers();
    sts.on(AssumeRoleWithWebIdentityCommand).resolves({ Credentials: CREDS });
    const invalid = awsError(
      'InvalidClientTokenId',
      'The security token included in the request is invalid.',
      403,
    );
    sts
      .on(GetCallerIdentityCommand)
      .rejectsOnce(invalid)
      .rejectsOnce(invalid)
      .resolves({ Account: '111111111111', Arn: 'arn:aws:sts::111111111111:assumed-role/deploy/s' });
    const pending = obtainCredentials(settings(), deps().deps);
    await jest.runAllTimersAsync();
    await expect(pending).resolves.toMatchObject({ accountId: '111111111111' });
    expect(sts.commandCalls(GetCallerIdentityCommand)).toHaveLength(3);

    sts.reset();
    sts.on(AssumeRoleWithWebIdentityCommand).resolves({ Credentials: CREDS });
    sts.on(GetCallerIdentityCommand).rejects(invalid);
    const failing = obtainCredentials(settings(), deps().deps).catch((e: unknown) => e);
    await jest.runAllTimersAsync();
    expect(await failing).toBe(invalid);
    expect(sts.commandCalls(GetCallerIdentityCommand)).toHaveLength(5);
  });

  it('refuses credentials of another account than the role', async () => {
    sts.on(AssumeRoleWithWebIdentityCommand).resolves({ Credentials: CREDS });
    sts
      .on(GetCallerIdentityCommand)
      .resolves({ Account: '222222222222', Arn: 'arn:aws:sts::222222222222:assumed-role/deploy/s' });
    const { deps: d } = deps();
    await expect(obtainCredentials(settings(), d)).rejects.toThrow(
      `The credentials belong to account 222222222222, but role-arn ${ROLE} is in account 111111111111.`,
    );
  });

  it('says how to get a token when none can be requested', async () => {
    await expect(obtainCredentials(settings(), { ...deps().deps, idToken: undefined })).rejects.toThrow(
      "'role-arn' is set but no GitHub ID token source",
    );
  });
});

describe('obtainCredentials without role-arn', () => {
  it('uses the environment credentials and reports their account', async () => {
    sts
      .on(GetCallerIdentityCommand)
      .resolves({ Account: '333333333333', Arn: 'arn:aws:iam::333333333333:user/ci' });
    const { deps: d, idToken } = deps();
    await expect(obtainCredentials(settings({ roleArn: undefined }), d)).resolves.toEqual({
      accountId: '333333333333',
      callerArn: 'arn:aws:iam::333333333333:user/ci',
      source: 'environment',
    });
    expect(idToken).not.toHaveBeenCalled();
  });

  it('refuses an account root', async () => {
    sts
      .on(GetCallerIdentityCommand)
      .resolves({ Account: '333333333333', Arn: 'arn:aws:iam::333333333333:root' });
    await expect(obtainCredentials(settings({ roleArn: undefined }), deps().deps)).rejects.toThrow(
      'Refusing to deploy with the root user of account 333333333333.',
    );
  });

  it('turns "no credentials" into what to set', async () => {
    sts.on(GetCallerIdentityCommand).rejects(
      Object.assign(new Error('Could not load credentials from any providers'), {
        name: 'CredentialsProviderError',
      }),
    );
    const error = (await obtainCredentials(settings({ roleArn: undefined }), deps().deps).catch(
      (e: unknown) => e,
    )) as UserError;
    expect(error.message).toBe('No AWS credentials: Could not load credentials from any providers');
    expect(error.hint).toContain('id-token: write');
  });
});

describe('helpers', () => {
  it('classifies retryable errors', () => {
    expect(isRetryable(awsError('ThrottlingException'))).toBe(true);
    expect(isRetryable(awsError('Whatever', 'x', 503))).toBe(true);
    expect(isRetryable(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }))).toBe(true);
    expect(isRetryable(awsError('AccessDenied', 'x', 403))).toBe(false);
    expect(isRetryable(new UserError('bad input'))).toBe(false);
  });

  it('decodes claims without failing on garbage', () => {
    expect(tokenClaims(TOKEN).sub).toBe('repo:acme/app:ref:refs/heads/feature');
    expect(tokenClaims('not-a-jwt')).toEqual({});
  });

  it('passes other errors through unchanged', () => {
    const error = awsError('RegionDisabledException');
    expect(explainAssumeRoleError(error, settings(), TOKEN)).toBe(error);
  });
});
