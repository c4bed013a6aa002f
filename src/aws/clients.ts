import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { ECRClient } from '@aws-sdk/client-ecr';
import type { IAMClient } from '@aws-sdk/client-iam';
import type { S3Client } from '@aws-sdk/client-s3';
import { STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity } from '@smithy/types';
import { PRODUCT, VERSION } from '../version.js';

/**
 * The one place SDK clients are built. Endpoints come from the standard AWS_ENDPOINT_URL and
 * AWS_ENDPOINT_URL_<SERVICE> variables, which the SDK reads itself (that is how tests reach the emulator).
 *
 * CloudFormation and STS serve every run. ECR, IAM and S3 serve only some, so their code is loaded on
 * first use (a separate chunk of the bundle): a plain deploy does not pay for parsing it.
 */
export interface AwsClients {
  readonly cloudformation: CloudFormationClient;
  readonly sts: STSClient;
  ecr(): Promise<ECRClient>;
  iam(): Promise<IAMClient>;
  s3(): Promise<S3Client>;
}

export interface ClientOptions {
  region: string;
  /** Absent: the SDK's default chain (environment, profile, ...). */
  credentials?: AwsCredentialIdentity;
  /** Attempts per request; adaptive mode also rate-limits the client itself when AWS throttles. */
  maxAttempts?: number;
  /** Extra user-agent part, e.g. the environment label. */
  userAgentSuffix?: string;
}

/** Builds clients on first use, so a run that never touches ECR or IAM never loads or configures them. */
export function createClients(options: ClientOptions): AwsClients {
  const config = {
    region: options.region,
    credentials: options.credentials,
    retryMode: 'adaptive',
    maxAttempts: options.maxAttempts ?? 8,
    customUserAgent: [
      [PRODUCT, VERSION] as [string, string],
      ...(options.userAgentSuffix ? [[options.userAgentSuffix] as [string]] : []),
    ],
  };
  const cache = new Map<string, unknown>();
  const lazy = <T>(name: string, build: () => T): T => {
    if (!cache.has(name)) cache.set(name, build());
    return cache.get(name) as T;
  };
  const lazyAsync = <T>(name: string, load: () => Promise<T>): Promise<T> => lazy(name, load);
  return {
    get cloudformation() {
      return lazy('cloudformation', () => new CloudFormationClient(config));
    },
    get sts() {
      return lazy('sts', () => new STSClient(config));
    },
    ecr: () => lazyAsync('ecr', async () => new (cjs(await import('@aws-sdk/client-ecr')).ECRClient)(config)),
    iam: () => lazyAsync('iam', async () => new (cjs(await import('@aws-sdk/client-iam')).IAMClient)(config)),
    s3: () => lazyAsync('s3', async () => new (cjs(await import('@aws-sdk/client-s3')).S3Client)(config)),
  };
}

/** A CommonJS package loaded with import(): in the bundle its exports arrive as the default export. */
function cjs<T extends object>(namespace: T): T {
  const inner = (namespace as { default?: T }).default;
  return inner && typeof inner === 'object' ? inner : namespace;
}

/** The client factory the engine receives: clients for given credentials (or the default chain). */
export type ClientFactory = (
  credentials?: AwsCredentialIdentity,
  overrides?: { maxAttempts?: number },
) => AwsClients;

export function clientFactory(region: string, userAgentSuffix?: string): ClientFactory {
  return (credentials, overrides) => createClients({ region, credentials, userAgentSuffix, ...overrides });
}
