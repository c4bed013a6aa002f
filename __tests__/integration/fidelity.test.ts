// The fidelity layer answers as AWS documents where moto does not; each block asserts the documented shape through
// the real SDK v3 clients (the same parsers the product uses).
import {
  CloudFormationClient,
  CreateChangeSetCommand,
  DeleteChangeSetCommand,
  DescribeStacksCommand,
  ExecuteChangeSetCommand,
  GetTemplateCommand,
} from '@aws-sdk/client-cloudformation';
import { DescribeRepositoriesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { AssumeRoleWithWebIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { startFidelity, type Fidelity, type Scenario } from '../../scripts/lib/fidelity/index.mjs';
import { motoEndpoint, resetMoto } from './harness/moto.js';

const KEYS = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'test' };
const ONE = 'Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n';
const TWO = `${ONE}  Other:\n    Type: AWS::SQS::Queue\n`;

let fid: Fidelity;
// moto takes seconds to reset and to warm up after it: one reset, and a stack name of its own per test.
let stack = '';
let n = 0;
beforeAll(async () => {
  await resetMoto();
  fid = await startFidelity({ upstream: motoEndpoint() });
});
afterAll(() => fid.close());
beforeEach(() => {
  stack = `app-${++n}`;
  fid.reset();
  fid.scenario({}, { replace: true });
});

type Credentials = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
const cfn = (credentials: Credentials = KEYS, maxAttempts = 1) =>
  new CloudFormationClient({ region: 'eu-west-1', endpoint: fid.url, credentials, maxAttempts });
const ecr = (maxAttempts = 1) =>
  new ECRClient({ region: 'eu-west-1', endpoint: fid.url, credentials: KEYS, maxAttempts });

async function changeSet(
  name: string,
  template: string,
  client = cfn(),
  type: 'CREATE' | 'UPDATE' = 'CREATE',
) {
  return client.send(
    new CreateChangeSetCommand({
      StackName: stack,
      ChangeSetName: name,
      ChangeSetType: type,
      TemplateBody: template,
    }),
  );
}

async function rejection(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (error) {
    return error as Error & { $metadata: { httpStatusCode?: number } };
  }
  throw new Error('expected a rejection');
}

describe('the request log', () => {
  it('decodes query-protocol forms into objects and arrays, with account, region and status', async () => {
    await cfn().send(
      new CreateChangeSetCommand({
        StackName: stack,
        ChangeSetName: 'first',
        ChangeSetType: 'CREATE',
        TemplateBody: ONE,
        Capabilities: ['CAPABILITY_IAM'],
        Parameters: [{ ParameterKey: 'Size', ParameterValue: '3' }],
        Tags: [{ Key: 'team', Value: 'core' }],
      }),
    );
    const [call] = fid.calls('CreateChangeSet');
    expect(call).toMatchObject({
      service: 'cloudformation',
      account: '123456789012',
      region: 'eu-west-1',
      status: 200,
      params: {
        StackName: stack,
        Capabilities: ['CAPABILITY_IAM'],
        Parameters: [{ ParameterKey: 'Size', ParameterValue: '3' }],
        Tags: [{ Key: 'team', Value: 'core' }],
      },
    });
  });

  it('decodes JSON-protocol bodies', async () => {
    await ecr()
      .send(new DescribeRepositoriesCommand({ repositoryNames: ['web'] }))
      .catch(() => undefined);
    expect(fid.calls('DescribeRepositories')[0]).toMatchObject({
      service: 'ecr',
      params: { repositoryNames: ['web'] },
      status: 400,
    });
  });
});

describe('GetTemplate with ChangeSetName (API_GetTemplate: "returns the associated template")', () => {
  it("answers with the change set's own template, by stack + name and by ARN, not the stack's", async () => {
    await changeSet('first', ONE);
    await cfn().send(new ExecuteChangeSetCommand({ StackName: stack, ChangeSetName: 'first' }));
    const second = await changeSet('second', TWO, cfn(), 'UPDATE');

    const byName = await cfn().send(new GetTemplateCommand({ StackName: stack, ChangeSetName: 'second' }));
    expect(byName.TemplateBody).toBe(TWO);
    expect(byName.StagesAvailable).toEqual(['Original', 'Processed']);
    const byArn = await cfn().send(
      new GetTemplateCommand({ ChangeSetName: second.Id, TemplateStage: 'Original' }),
    );
    expect(byArn.TemplateBody).toBe(TWO);
    // Without ChangeSetName: the stack's own template, as moto answers.
    expect((await cfn().send(new GetTemplateCommand({ StackName: stack }))).TemplateBody).toBe(ONE);
  });

  it('answers ChangeSetNotFound (HTTP 404) for a deleted change set, and for one recreated under the name gives the new template', async () => {
    await changeSet('kept', ONE);
    await cfn().send(new DeleteChangeSetCommand({ StackName: stack, ChangeSetName: 'kept' }));
    const gone = await rejection(
      cfn().send(new GetTemplateCommand({ StackName: stack, ChangeSetName: 'kept' })),
    );
    expect(gone.name).toBe('ChangeSetNotFoundException');
    expect(gone.$metadata.httpStatusCode).toBe(404);

    await changeSet('kept', TWO);
    const planted = await cfn().send(new GetTemplateCommand({ StackName: stack, ChangeSetName: 'kept' }));
    expect(planted.TemplateBody).toBe(TWO);
  });

  it('keeps accounts apart: the same names in two accounts (assumed-role credentials) answer their own templates', async () => {
    const sts = new STSClient({ region: 'eu-west-1', endpoint: fid.url, credentials: KEYS });
    const assumed = await sts.send(
      new AssumeRoleWithWebIdentityCommand({
        RoleArn: 'arn:aws:iam::222222222222:role/deploy',
        RoleSessionName: 'test',
        WebIdentityToken: 'token',
      }),
    );
    const c = assumed.Credentials!;
    const other = cfn({
      accessKeyId: c.AccessKeyId!,
      secretAccessKey: c.SecretAccessKey!,
      sessionToken: c.SessionToken,
    });
    await changeSet('same', ONE);
    await changeSet('same', TWO, other);
    expect(fid.calls('CreateChangeSet').map((r) => r.account)).toEqual(['123456789012', '222222222222']);
    const mine = await cfn().send(new GetTemplateCommand({ StackName: stack, ChangeSetName: 'same' }));
    const theirs = await other.send(new GetTemplateCommand({ StackName: stack, ChangeSetName: 'same' }));
    expect([mine.TemplateBody, theirs.TemplateBody]).toEqual([ONE, TWO]);
  });
});

describe('access denial by operation', () => {
  it('answers AccessDenied (HTTP 403) in the query protocol, only for the matching name', async () => {
    fid.scenario({
      deny: [{ action: 'cloudformation:CreateChangeSet', params: { ChangeSetName: 'release-*' } }],
    });
    await changeSet('pr-7', ONE);
    const denied = await rejection(changeSet('release-1', ONE));
    expect(denied.name).toBe('AccessDenied');
    expect(denied.$metadata.httpStatusCode).toBe(403);
    expect(denied.message).toMatch(
      /^User: arn:aws:\S+ is not authorized to perform: cloudformation:CreateChangeSet on resource: arn:aws:cloudformation:eu-west-1:123456789012:stack\/app-\d+\/\* because no identity-based policy allows the cloudformation:CreateChangeSet action$/,
    );
  });

  it('answers AccessDeniedException in the JSON protocol', async () => {
    fid.scenario({ deny: ['ecr:Describe*'] });
    const denied = await rejection(ecr().send(new DescribeRepositoriesCommand({})));
    expect(denied.name).toBe('AccessDeniedException');
    expect(denied.message).toContain('ecr:DescribeRepositories');
  });
});

describe('faults (seeded)', () => {
  const stackCount = async () =>
    (
      await cfn()
        .send(new DescribeStacksCommand({ StackName: stack }))
        .catch(() => ({ Stacks: [] }))
    ).Stacks?.length ?? 0;

  it('throttles in each protocol shape, counted; the SDK retries them', async () => {
    fid.scenario({ faults: { seed: 3, operations: { DescribeStacks: { throttle: 1, limit: 2 } } } });
    await cfn(KEYS, 3).send(new DescribeStacksCommand({}));
    expect(fid.injected.byOperation.DescribeStacks).toEqual({ throttle: 2 });
    expect(fid.calls('DescribeStacks').map((r) => r.status)).toEqual([400, 400, 200]);

    fid.scenario({ faults: { seed: 3, operations: { DescribeRepositories: { throttle: 1, limit: 1 } } } });
    const throttled = await rejection(ecr().send(new DescribeRepositoriesCommand({})));
    expect(throttled.name).toBe('ThrottlingException');
  });

  it('answers 5xx, resets connections before forwarding, and loses answers after moto acted', async () => {
    fid.scenario({ faults: { seed: 3, operations: { CreateChangeSet: { serverError: 1, limit: 1 } } } });
    const failed = await rejection(changeSet('a', ONE));
    expect([500, 503]).toContain(failed.$metadata.httpStatusCode);
    expect(await stackCount()).toBe(0);

    fid.scenario({ faults: { seed: 3, operations: { CreateChangeSet: { reset: 1, limit: 1 } } } });
    await rejection(changeSet('b', ONE));
    expect(await stackCount()).toBe(0);

    fid.scenario({ faults: { seed: 3, operations: { CreateChangeSet: { lost: 1, limit: 1 } } } });
    await rejection(changeSet('c', ONE));
    // AWS acted although the client saw no answer: the stack exists (REVIEW_IN_PROGRESS).
    expect(await stackCount()).toBe(1);
    expect(fid.calls('CreateChangeSet').map((r) => r.injected)).toEqual(['serverError', 'reset', 'lost']);
    expect(fid.injected.byKind).toEqual({ serverError: 1, reset: 1, lost: 1 });
  });

  it('draws the same faults from the same seed, at about the given rate', async () => {
    const draw = async (seed: number) => {
      fid.reset();
      fid.scenario({ faults: { seed, throttle: 0.3 } });
      for (let i = 0; i < 40; i++)
        await cfn()
          .send(new DescribeStacksCommand({}))
          .catch(() => undefined);
      return fid.requests.map((r) => r.injected ?? '-').join(',');
    };
    const first = await draw(11);
    expect(await draw(11)).toBe(first);
    const throttled = first.split(',').filter((k) => k === 'throttle').length;
    expect(throttled).toBeGreaterThan(4);
    expect(throttled).toBeLessThan(22);
  });

  it('holds slow answers and adds a fixed latency', async () => {
    await cfn().send(new DescribeStacksCommand({}));
    fid.scenario({ latencyMs: 100, faults: { operations: { DescribeStacks: { slow: 1, slowMs: 300 } } } });
    const t0 = performance.now();
    await cfn().send(new DescribeStacksCommand({}));
    expect(performance.now() - t0).toBeGreaterThanOrEqual(390);
    const scenario: Scenario = { latencyMs: 100 };
    fid.scenario(scenario, { replace: true });
    const t1 = performance.now();
    await cfn().send(new DescribeStacksCommand({}));
    const ms = performance.now() - t1;
    expect(ms).toBeGreaterThanOrEqual(95);
    expect(ms).toBeLessThan(390);
  });
});
