import { AssumeRoleWithWebIdentityCommand, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import type { AwsClients, ClientFactory } from '../../aws/clients.js';
import { UserError, awsErrorName, errorMessage, isThrottling, recordOperation } from '../../errors.js';
import type { Logger } from '../../logger.js';
import type { Settings } from '../../config/settings.js';
import { backoffDelay, sleep } from '../wait.js';

/** Fetches a GitHub OIDC ID token for an audience. The action injects core.getIDToken. */
export type IdTokenSource = (audience: string) => Promise<string>;

export interface AccountCredentials {
  accountId: string;
  /** The caller's ARN as STS reports it (an assumed-role ARN for OIDC). */
  callerArn: string;
  /** Absent when the environment's own credentials are used. The latest ones, after any refresh. */
  credentials?: AwsCredentialIdentity;
  /** Gives `credentials`, assuming the role again when they near expiry (a deploy longer than the session). */
  provider?: AwsCredentialIdentityProvider;
  source: 'oidc' | 'environment';
}

export interface CredentialsDeps {
  clients: ClientFactory;
  idToken?: IdTokenSource;
  logger: Logger;
  /** Overall deadline for the retries of AssumeRoleWithWebIdentity. */
  deadlineMs?: number;
  now?: () => number;
  /**
   * Given the clients the identity is checked with, as soon as they exist, so that reads may start alongside the
   * check. Nothing may be changed before it passes.
   */
  alongside?: (clients: AwsClients) => void;
}

/** A token older than this is fetched again before a retry (GitHub's tokens live a few minutes). */
const TOKEN_MAX_AGE_MS = 4 * 60_000;
const MAX_ATTEMPTS = 6;

/**
 * Gets the account's credentials: through OIDC when `role-arn` is set, else the environment's. Either
 * way, checks the identity: never an account root, always the role's own account.
 */
export async function obtainCredentials(
  settings: Settings,
  deps: CredentialsDeps,
): Promise<AccountCredentials> {
  if (!settings.roleArn) {
    const clients = deps.clients();
    deps.alongside?.(clients);
    const identity = await callerIdentity(clients, undefined);
    guardIdentity(identity, undefined);
    return { ...identity, source: 'environment' };
  }
  if (!deps.idToken) {
    throw new UserError(
      "'role-arn' is set but no GitHub ID token source is available.",
      'Run inside GitHub Actions with `permissions: id-token: write`, or leave role-arn empty to use the credentials already in the environment.',
    );
  }
  const oidc = deps as CredentialsDeps & { idToken: IdTokenSource };
  const credentials = await assumeRole(settings, oidc);
  const clients = deps.clients(credentials);
  deps.alongside?.(clients);
  const identity = await callerIdentity(clients, credentials);
  guardIdentity(identity, settings.roleArn);
  const account: AccountCredentials = { ...identity, credentials, source: 'oidc' };
  account.provider = refreshingProvider(account, () => assumeRole(settings, oidc), deps);
  return account;
}

/** Session credentials this close to their expiry are replaced before a request is signed with them. */
export const REFRESH_MARGIN_MS = 5 * 60_000;

/**
 * A credentials provider over the account's session: the same keys until they near expiry, then a fresh OIDC
 * token and AssumeRoleWithWebIdentity again (one refresh at a time), transparently for every client.
 */
export function refreshingProvider(
  account: AccountCredentials,
  assume: () => Promise<AwsCredentialIdentity>,
  deps: Pick<CredentialsDeps, 'logger' | 'now'>,
): AwsCredentialIdentityProvider {
  const now = deps.now ?? Date.now;
  let pending: Promise<AwsCredentialIdentity> | undefined;
  return async () => {
    const current = account.credentials;
    const expires = current?.expiration?.getTime();
    if (current && (expires === undefined || expires - now() > REFRESH_MARGIN_MS)) return current;
    pending ??= assume()
      .then((fresh) => {
        account.credentials = fresh;
        deps.logger.info('The session neared its end: assumed the role again with a new ID token.');
        return fresh;
      })
      .finally(() => {
        pending = undefined;
      });
    return pending;
  };
}

async function assumeRole(
  settings: Settings,
  deps: CredentialsDeps & { idToken: IdTokenSource },
): Promise<AwsCredentialIdentity> {
  const now = deps.now ?? Date.now;
  const deadline = now() + (deps.deadlineMs ?? 60_000);
  // One attempt per call: this loop decides what is worth retrying, not the SDK.
  const sts = deps.clients(undefined, { maxAttempts: 1 }).sts;
  const started = now();
  let token = await deps.idToken(settings.audience);
  let fetchedAt = now();
  deps.logger.mask(token);
  for (let attempt = 1; ; attempt++) {
    try {
      const out = await sts.send(
        new AssumeRoleWithWebIdentityCommand({
          RoleArn: settings.roleArn,
          RoleSessionName: settings.roleSessionName,
          WebIdentityToken: token,
          DurationSeconds: settings.roleDurationSeconds,
        }),
      );
      const c = out.Credentials;
      if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken) {
        throw new UserError(`STS returned no credentials for ${settings.roleArn}.`);
      }
      for (const secret of [c.AccessKeyId, c.SecretAccessKey, c.SessionToken]) deps.logger.mask(secret);
      return {
        accessKeyId: c.AccessKeyId,
        secretAccessKey: c.SecretAccessKey,
        sessionToken: c.SessionToken,
        expiration: c.Expiration,
      };
    } catch (error) {
      const name = awsErrorName(error);
      if (name === 'ExpiredTokenException' && attempt < MAX_ATTEMPTS) {
        token = await refreshToken(deps, settings.audience);
        fetchedAt = now();
        continue;
      }
      const delay = backoffDelay(attempt, { initialMs: 500, maxMs: 5_000 });
      if (!isRetryable(error) || attempt >= MAX_ATTEMPTS || now() + delay > deadline) {
        // This loop is the retry: the failure names the operation with this loop's attempts and time.
        recordOperation(error, {
          service: 'STS',
          operation: 'AssumeRoleWithWebIdentity',
          attempts: attempt,
          elapsedMs: now() - started,
        });
        throw explainAssumeRoleError(error, settings, token);
      }
      deps.logger.info(
        `AssumeRoleWithWebIdentity failed (${name || errorMessage(error)}); retrying in ${Math.round(delay)} ms.`,
      );
      await sleep(delay);
      if (now() - fetchedAt > TOKEN_MAX_AGE_MS) {
        token = await refreshToken(deps, settings.audience);
        fetchedAt = now();
      }
    }
  }
}

async function refreshToken(
  deps: CredentialsDeps & { idToken: IdTokenSource },
  audience: string,
): Promise<string> {
  const token = await deps.idToken(audience);
  deps.logger.mask(token);
  return token;
}

const RETRYABLE_NAMES = new Set([
  'IDPCommunicationError',
  'IDPCommunicationErrorException',
  'ServiceUnavailable',
  'InternalFailure',
  'TimeoutError',
  'RequestTimeout',
]);
const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND']);

/** Only transient failures: throttling, 5xx, network resets, the IdP not answering. Never access or input errors. */
export function isRetryable(error: unknown): boolean {
  if (error instanceof UserError) return false;
  const name = awsErrorName(error);
  // The IdP's keys could not be fetched: GitHub's side was slow, not the trust policy (STS API Reference,
  // AssumeRoleWithWebIdentity: InvalidIdentityToken; IDPCommunicationError is the documented transient one).
  if (isUnreachableIdp(error)) return true;
  if (isThrottling(error) || RETRYABLE_NAMES.has(name) || NETWORK_CODES.has(name)) return true;
  const e = error as { $metadata?: { httpStatusCode?: number }; code?: string; $retryable?: unknown };
  const status = e?.$metadata?.httpStatusCode;
  if (typeof status === 'number' && status >= 500) return true;
  return typeof e?.code === 'string' && NETWORK_CODES.has(e.code);
}

/** Freshly issued session credentials can take a moment to be accepted everywhere (STS is eventually consistent). */
const FRESH_CREDENTIAL_ATTEMPTS = 5;

async function callerIdentity(
  clients: ReturnType<ClientFactory>,
  credentials: AwsCredentialIdentity | undefined,
): Promise<{ accountId: string; callerArn: string }> {
  for (let attempt = 1; ; attempt++) {
    try {
      const out = await clients.sts.send(new GetCallerIdentityCommand({}));
      if (!out.Account || !out.Arn) throw new UserError('STS GetCallerIdentity returned no account.');
      return { accountId: out.Account, callerArn: out.Arn };
    } catch (error) {
      if (error instanceof UserError) throw error;
      if (
        credentials &&
        awsErrorName(error) === 'InvalidClientTokenId' &&
        attempt < FRESH_CREDENTIAL_ATTEMPTS
      ) {
        await sleep(backoffDelay(attempt, { initialMs: 250, maxMs: 2_000 }));
        continue;
      }
      if (!credentials && /credential/i.test(errorMessage(error))) {
        throw new UserError(
          `No AWS credentials: ${errorMessage(error)}`,
          "Set 'role-arn' to assume a role through GitHub OIDC (with `permissions: id-token: write`), or provide credentials in the environment (AWS_PROFILE, AWS_ACCESS_KEY_ID...).",
        );
      }
      throw error;
    }
  }
}

/** Refuses an account root and an account other than the role's. */
export function guardIdentity(
  identity: { accountId: string; callerArn: string },
  roleArn: string | undefined,
): void {
  if (/^arn:aws[\w-]*:iam::\d{12}:root$/.test(identity.callerArn)) {
    throw new UserError(
      `Refusing to deploy with the root user of account ${identity.accountId}.`,
      'Use a role made for deploying (see templates/bootstrap.yaml) and delete any access keys of the root user.',
    );
  }
  const expected = roleArn?.split(':')[4];
  if (expected && identity.accountId !== expected) {
    throw new UserError(
      `The credentials belong to account ${identity.accountId}, but role-arn ${roleArn} is in account ${expected}.`,
      'Check that role-arn names the account you mean to deploy to; nothing was changed.',
    );
  }
}

/** STS could not reach the identity provider's keys: transient, however it is named. */
export function isUnreachableIdp(error: unknown): boolean {
  const name = awsErrorName(error);
  return (
    (name === 'InvalidIdentityToken' || name === 'InvalidIdentityTokenException') &&
    /retrieve verification key|could not be retrieved|IdP|identity provider.*(unreachable|timed? ?out)/i.test(
      errorMessage(error),
    )
  );
}

/** Turns STS's terse refusals into what to change in the trust policy, showing the token's non-secret claims. */
export function explainAssumeRoleError(error: unknown, settings: Settings, token: string): Error {
  const name = awsErrorName(error);
  if (isUnreachableIdp(error)) {
    return new UserError(
      `STS AssumeRoleWithWebIdentity could not verify the token: ${errorMessage(error)}`,
      "STS could not fetch the identity provider's signing keys (a transient failure on the provider's side, not the trust policy). Re-run the job.",
    );
  }
  if (
    name !== 'AccessDenied' &&
    name !== 'AccessDeniedException' &&
    name !== 'InvalidIdentityToken' &&
    name !== 'InvalidIdentityTokenException'
  ) {
    if (name === 'ValidationError') {
      return new UserError(
        `STS rejected the request for ${settings.roleArn}: ${errorMessage(error)}`,
        "Check role-duration-seconds against the role's maximum session duration.",
      );
    }
    return error instanceof Error ? error : new Error(String(error));
  }
  const claims = tokenClaims(token);
  const shown = ['sub', 'aud', 'repository', 'ref', 'environment', 'job_workflow_ref']
    .filter((k) => claims[k] !== undefined)
    .map((k) => `  ${k}: ${String(claims[k])}`)
    .join('\n');
  const issuer =
    typeof claims.iss === 'string'
      ? claims.iss.replace(/^https:\/\//, '')
      : 'token.actions.githubusercontent.com';
  const condition = JSON.stringify(
    {
      StringEquals: {
        [`${issuer}:aud`]: claims.aud ?? settings.audience,
        [`${issuer}:sub`]: claims.sub ?? '<sub>',
      },
    },
    null,
    2,
  );
  return new UserError(
    `${name}: ${settings.roleArn} cannot be assumed with this workflow's token: ${errorMessage(error)}`,
    [
      "The token's claims:",
      shown || '  (the token could not be decoded)',
      "The role's trust policy must allow sts:AssumeRoleWithWebIdentity for the OIDC provider of this issuer, with:",
      condition,
      'Check the sub form (branch, pull_request or environment:NAME) and the audience input.',
      'To see which condition refuses it: npx multi-account-deploy doctor --role-arn ROLE --repo ORG/REPO --environment ENV (or --ref BRANCH, --pull-request), with credentials of that account.',
    ].join('\n'),
  );
}

/** The JWT payload, decoded without verification (for messages only). */
export function tokenClaims(token: string): Record<string, unknown> {
  try {
    const payload = token.split('.')[1] ?? '';
    const json = Buffer.from(payload.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8');
    const parsed: unknown = JSON.parse(json);
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
