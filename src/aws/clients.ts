import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import type { ECRClient } from '@aws-sdk/client-ecr';
import type { IAMClient } from '@aws-sdk/client-iam';
import type { S3Client } from '@aws-sdk/client-s3';
import { STSClient } from '@aws-sdk/client-sts';
import type {
  AwsCredentialIdentity,
  AwsCredentialIdentityProvider,
  InitializeMiddleware,
} from '@smithy/types';
import { CancelledError, recordOperation } from '../errors.js';
import { PRODUCT, VERSION } from '../version.js';

/**
 * The one place SDK clients are built. Endpoints come from the standard AWS_ENDPOINT_URL and
 * AWS_ENDPOINT_URL_<SERVICE> variables, which the SDK reads itself (that is how tests reach the emulator).
 *
 * CloudFormation and STS serve every run. ECR, IAM, S3 and CloudTrail serve only some, so their code is loaded on
 * first use (a separate chunk of the bundle): a plain deploy does not pay for parsing it.
 */
export interface AwsClients {
  readonly cloudformation: CloudFormationClient;
  readonly sts: STSClient;
  ecr(): Promise<ECRClient>;
  iam(): Promise<IAMClient>;
  s3(): Promise<S3Client>;
  cloudtrail(): Promise<CloudTrailClient>;
}

/** Fixed credentials, or a provider that refreshes them (long deploys outlive one session). */
export type Credentials = AwsCredentialIdentity | AwsCredentialIdentityProvider;

export interface ClientOptions {
  region: string;
  /** Absent: the SDK's default chain (environment, profile, ...). */
  credentials?: Credentials;
  /** Attempts per request; adaptive mode also rate-limits the client itself when AWS throttles. */
  maxAttempts?: number;
  /** Extra user-agent part, e.g. the environment label. */
  userAgentSuffix?: string;
  /**
   * The run's cancellation: once it fires, no write is sent and requests in flight are aborted (the SDK does
   * not retry an aborted request). Absent for the clients that clean up on the way out.
   */
  signal?: AbortSignal;
}

/** Operations that only read: still allowed (and aborted at once) after cancellation; everything else is a write. */
const READ = /^(Describe|List|Get|BatchGet|BatchCheck|Simulate|Validate|Estimate)/;

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
  const made = <T extends SdkClient>(client: T): T => instrument(client, options.signal);
  return {
    get cloudformation() {
      return lazy('cloudformation', () => made(new CloudFormationClient(config)));
    },
    get sts() {
      return lazy('sts', () => made(new STSClient(config)));
    },
    ecr: () =>
      lazyAsync('ecr', async () => {
        const { ECRClient } = await import('@aws-sdk/client-ecr');
        return made(new ECRClient(config));
      }),
    iam: () =>
      lazyAsync('iam', async () => {
        const { IAMClient } = await import('@aws-sdk/client-iam');
        return made(new IAMClient(config));
      }),
    s3: () =>
      lazyAsync('s3', async () => {
        const { S3Client } = await import('@aws-sdk/client-s3');
        return made(new S3Client(config));
      }),
    cloudtrail: () =>
      lazyAsync('cloudtrail', async () => {
        const { CloudTrailClient } = await import('@aws-sdk/client-cloudtrail');
        return made(new CloudTrailClient(config));
      }),
  };
}

interface SdkClient {
  send: (command: never, options?: never) => Promise<unknown>;
  middlewareStack: unknown;
}

/** The part of a client's middleware stack used here, the same for every client. */
interface Stack {
  add(middleware: InitializeMiddleware<object, object>, options: object): void;
}

/**
 * Every request: refused if it writes after cancellation; given the cancellation signal (so it is aborted in
 * flight and not retried); and, when it fails after the SDK's retries, marked with its operation, attempts and
 * time, so one translation (errors.ts) can say which call gave up and why.
 */
function instrument<T extends SdkClient>(client: T, signal: AbortSignal | undefined): T {
  (client.middlewareStack as Stack).add(
    (next, context) => async (args) => {
      const operation = String(context.commandName ?? '').replace(/Command$/, '');
      const service = String(context.clientName ?? '').replace(/Client$/, '');
      if (signal?.aborted && !READ.test(operation)) {
        throw signal.reason instanceof Error ? signal.reason : new CancelledError('SIGINT');
      }
      const started = Date.now();
      try {
        return await next(args);
      } catch (error) {
        recordOperation(error, { service, operation, elapsedMs: Date.now() - started });
        throw error;
      }
    },
    { step: 'initialize', name: 'madOperationMiddleware', override: true },
  );
  if (signal) {
    const send = client.send.bind(client) as (command: unknown, options?: unknown) => Promise<unknown>;
    const bound = (command: unknown, options?: Record<string, unknown>) =>
      send(command, { abortSignal: signal, ...options });
    Object.assign(client, { send: bound });
  }
  return client;
}

/** The client factory the engine receives: clients for given credentials (or the default chain). */
export type ClientFactory = (
  credentials?: Credentials,
  /** signal: replaces the run's cancellation, e.g. a time limit for the clean-up after a cancel. */
  overrides?: { maxAttempts?: number; signal?: AbortSignal },
) => AwsClients;

export function clientFactory(region: string, userAgentSuffix?: string, signal?: AbortSignal): ClientFactory {
  return (credentials, overrides) =>
    createClients({
      region,
      credentials,
      userAgentSuffix,
      maxAttempts: overrides?.maxAttempts,
      signal: overrides?.signal ?? signal,
    });
}
