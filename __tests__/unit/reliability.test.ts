// Reliability pieces in isolation: the one translation of failures after retries, quoting without secrets,
// writes refused after cancellation, credentials that refresh near expiry, OIDC key failures retried, the checks
// across inputs, and the concurrency checks before ExecuteChangeSet.
import {
  CloudFormationClient,
  CreateChangeSetCommand,
  DescribeChangeSetCommand,
  DescribeStacksCommand,
  ExecuteChangeSetCommand,
} from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { createClients } from '../../src/aws/clients.js';
import {
  checkPartition,
  checkTags,
  checkTemplateSize,
  durationWarnings,
  ignoredInputs,
} from '../../src/config/checks.js';
import { refreshingProvider, isRetryable } from '../../src/engine/credentials/index.js';
import { runStackChange } from '../../src/engine/stack/index.js';
import { CancelledError, InputError, failureOf, quoted, recordOperation } from '../../src/errors.js';
import { silentLogger } from '../../src/logger.js';
import { makeSettings } from './fixtures.js';

const cfn = mockClient(CloudFormationClient);
beforeEach(() => cfn.reset());

const throttled = () =>
  Object.assign(new Error('Rate exceeded'), {
    name: 'Throttling',
    $metadata: { httpStatusCode: 400, attempts: 6 },
  });

describe('failures after the retries', () => {
  it('name the operation, the attempts, the time and the cause', () => {
    const error = throttled();
    recordOperation(error, { service: 'STS', operation: 'AssumeRoleWithWebIdentity', elapsedMs: 9_600 });
    expect(failureOf(error).message).toBe(
      'STS AssumeRoleWithWebIdentity was throttled 6 times over 9.6 s: Rate exceeded; re-run the job',
    );
  });

  it('say which call lost its connection or failed with 5xx', () => {
    const reset = Object.assign(new Error('socket hang up'), {
      code: 'ECONNRESET',
      $metadata: { attempts: 8 },
    });
    recordOperation(reset, { service: 'CloudFormation', operation: 'CreateChangeSet', elapsedMs: 2_000 });
    expect(failureOf(reset).message).toMatch(/^CloudFormation CreateChangeSet lost its connection 8 times/);
    const five = Object.assign(new Error('busy'), {
      name: 'ServiceUnavailable',
      $metadata: { httpStatusCode: 503 },
    });
    recordOperation(five, { service: 'ECR', operation: 'PutLifecyclePolicy', elapsedMs: 1_000, attempts: 3 });
    expect(failureOf(five).message).toContain(
      'ECR PutLifecyclePolicy failed 3 times with HTTP 503 ServiceUnavailable',
    );
  });

  it('keep AWS words for a single attempt and for errors that are not transient', () => {
    const denied = Object.assign(new Error('not authorized'), {
      name: 'AccessDenied',
      $metadata: { attempts: 1 },
    });
    recordOperation(denied, { service: 'IAM', operation: 'GetRole', elapsedMs: 10 });
    expect(failureOf(denied).message).toBe('not authorized');
  });
});

describe('cancellation', () => {
  it('refuses a write after the signal, and allows no read to start either', async () => {
    const controller = new AbortController();
    controller.abort(new CancelledError('SIGINT'));
    const clients = createClients({
      region: 'eu-west-1',
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
      signal: controller.signal,
    });
    cfn.restore();
    await expect(
      clients.cloudformation.send(new ExecuteChangeSetCommand({ StackName: 's', ChangeSetName: 'c' })),
    ).rejects.toThrow(/Cancelled \(SIGINT\)/);
  });

  it('deletes the change set this run made when cancelled in the change-set wait, and executes nothing', async () => {
    const controller = new AbortController();
    cfn
      .on(DescribeStacksCommand)
      .resolves({
        Stacks: [
          {
            StackName: 'app',
            StackId: 'arn:stack/app/1',
            StackStatus: 'REVIEW_IN_PROGRESS',
            CreationTime: new Date(),
          },
        ],
      })
      .rejectsOnce(Object.assign(new Error('Stack with id app does not exist'), { name: 'ValidationError' }));
    cfn.on(CreateChangeSetCommand).resolves({ Id: 'arn:cs/mad-1/x', StackId: 'arn:stack/app/1' });
    cfn.on(DescribeChangeSetCommand).callsFake(() => {
      controller.abort(new CancelledError('SIGTERM'));
      return { Status: 'CREATE_IN_PROGRESS' };
    });
    const clients = createClients({
      region: 'eu-west-1',
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    });
    const error = await runStackChange(makeSettings({ mode: 'deploy' }), {
      clients,
      bestEffort: clients,
      cleanup: () => clients,
      logger: silentLogger,
      deadline: Date.now() + 60_000,
      signal: controller.signal,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CancelledError);
    expect((error as Error).message).toMatch(/^Cancelled \(SIGTERM\) before any change/);
    expect(cfn.commandCalls(ExecuteChangeSetCommand)).toHaveLength(0);
    expect(cfn.calls().map((c) => c.args[0].constructor.name)).toEqual(
      expect.arrayContaining(['DeleteChangeSetCommand']),
    );
  });
});

describe('credentials on long deploys', () => {
  it('assumes the role again once the session nears its end, once for concurrent callers', async () => {
    let now = 0;
    const account = {
      accountId: '1',
      callerArn: 'x',
      source: 'oidc' as const,
      credentials: { accessKeyId: 'old', secretAccessKey: 's', expiration: new Date(3_600_000) },
    };
    let assumed = 0;
    const provider = refreshingProvider(
      account,
      async () => ({
        accessKeyId: `new${++assumed}`,
        secretAccessKey: 's',
        expiration: new Date(now + 3_600_000),
      }),
      { logger: silentLogger, now: () => now },
    );
    expect((await provider()).accessKeyId).toBe('old');
    now = 3_600_000 - 60_000;
    const [a, b] = await Promise.all([provider(), provider()]);
    expect([a.accessKeyId, b.accessKeyId]).toEqual(['new1', 'new1']);
    expect(account.credentials.accessKeyId).toBe('new1');
    expect(assumed).toBe(1);
  });

  it('retries STS when it cannot fetch the identity provider keys, not a trust-policy problem', () => {
    const idp = Object.assign(new Error("Couldn't retrieve verification key from your identity provider"), {
      name: 'InvalidIdentityToken',
    });
    expect(isRetryable(idp)).toBe(true);
    const trust = Object.assign(new Error('Incorrect token audience'), { name: 'InvalidIdentityToken' });
    expect(isRetryable(trust)).toBe(false);
  });
});

describe('checks across inputs', () => {
  it.each([
    [[{ key: 'aws:x', value: 'v' }], /aws:/],
    [[{ key: 'multi-account-deploy:commit', value: 'v' }], /prefix/],
    [[{ key: 'k'.repeat(129), value: 'v' }], /128/],
    [[{ key: 'k', value: 'v'.repeat(257) }], /256/],
    [
      [
        { key: 'k', value: 'a' },
        { key: 'k', value: 'b' },
      ],
      /once/,
    ],
  ])('refuses tags %#', (tags, message) => {
    expect(() => checkTags('tags', tags)).toThrow(message);
  });

  it('matches ARNs to the region partition', () => {
    expect(() => checkPartition('role-arn', 'arn:aws:iam::1:role/x', 'cn-north-1')).toThrow(InputError);
    expect(() => checkPartition('role-arn', 'arn:aws-us-gov:iam::1:role/x', 'us-gov-west-1')).not.toThrow();
  });

  it('sizes templates against where they can go', () => {
    expect(() => checkTemplateSize('t', 'x'.repeat(51_201), false)).toThrow(/template-bucket/);
    expect(() => checkTemplateSize('t', 'x'.repeat(51_201), true)).not.toThrow();
    expect(() => checkTemplateSize('t', 'x'.repeat(1_048_577), true)).toThrow(/1048576/);
  });

  it('warns about ignored inputs and a timeout beyond the session', () => {
    expect(ignoredInputs('deploy', (n) => n === 'keep-change-set')[0]).toMatch(/ignored in mode deploy/);
    expect(ignoredInputs('plan', (n) => n === 'keep-change-set')).toEqual([]);
    expect(durationWarnings(120, 3600, true)[0]).toMatch(/assumes the role again/);
    expect(durationWarnings(30, 3600, true)).toEqual([]);
  });

  it('never quotes a secret-looking value', () => {
    expect(quoted('DbPassword=hunter2')).not.toContain('hunter2');
    expect(quoted('AKIAIOSFODNN7EXAMPLE')).not.toContain('AKIA');
    expect(quoted('eu-west-1')).toBe('"eu-west-1"');
  });
});
