// The fidelity layer answers as AWS documents where moto does not; each block asserts the documented shape through
// the real SDK v3 clients (the same parsers the product uses).
import { jest } from '@jest/globals';
import {
  CloudFormationClient,
  CreateChangeSetCommand,
  DeleteChangeSetCommand,
  DeleteStackCommand,
  DescribeChangeSetCommand,
  DescribeEventsCommand,
  DescribeStackDriftDetectionStatusCommand,
  DescribeStackResourceDriftsCommand,
  DetectStackDriftCommand,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  ExecuteChangeSetCommand,
  GetTemplateCommand,
  ListChangeSetsCommand,
  UpdateTerminationProtectionCommand,
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
jest.setTimeout(15_000);
beforeAll(async () => {
  await resetMoto();
  fid = await startFidelity({ upstream: motoEndpoint() });
  await cfn().send(new DescribeStacksCommand({})); // moto loads a service's backend on its first call
}, 60_000); // reset and first calls are slow on a loaded machine
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
    expect(throttled).toBeGreaterThan(1);
    expect(throttled).toBeLessThan(13);
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

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('change sets that take time, fail, and carry replacements (API_DescribeChangeSet)', () => {
  it('stays CREATE_PENDING then CREATE_IN_PROGRESS for createSeconds; ExecuteChangeSet is refused until then', async () => {
    fid.scenario({ changeSet: { createSeconds: 1.5 } });
    const t0 = Date.now();
    await changeSet('slow', ONE);
    const describe = () =>
      cfn().send(new DescribeChangeSetCommand({ StackName: stack, ChangeSetName: 'slow' }));
    const first = await describe();
    // CREATE_PENDING for the first 0.5 s (a loaded machine may answer later than that).
    expect(['CREATE_PENDING', 'CREATE_IN_PROGRESS']).toContain(first.Status);
    expect(first.ExecutionStatus).toBe('UNAVAILABLE');
    expect(first.Changes ?? []).toEqual([]);
    const refused = await rejection(
      cfn().send(new ExecuteChangeSetCommand({ StackName: stack, ChangeSetName: 'slow' })),
    );
    expect(refused.name).toBe('InvalidChangeSetStatusException');
    await sleep(600 - (Date.now() - t0));
    expect((await describe()).Status).toBe('CREATE_IN_PROGRESS');
    await sleep(1600 - (Date.now() - t0));
    const done = await cfn().send(new DescribeChangeSetCommand({ StackName: stack, ChangeSetName: 'slow' }));
    expect(done).toMatchObject({ Status: 'CREATE_COMPLETE', ExecutionStatus: 'AVAILABLE' });
    const listed = await cfn().send(new ListChangeSetsCommand({ StackName: stack }));
    expect(listed.Summaries?.find((c) => c.ChangeSetName === 'slow')?.Status).toBe('CREATE_COMPLETE');
    await cfn().send(new ExecuteChangeSetCommand({ StackName: stack, ChangeSetName: 'slow' }));
  });

  it('fails with a status reason, not executable', async () => {
    fid.scenario({ changeSet: { fail: { reason: 'Template error: bad' } } });
    await changeSet('bad', ONE);
    const failed = await cfn().send(new DescribeChangeSetCommand({ StackName: stack, ChangeSetName: 'bad' }));
    expect(failed).toMatchObject({
      Status: 'FAILED',
      ExecutionStatus: 'UNAVAILABLE',
      StatusReason: 'Template error: bad',
    });
    const refused = await rejection(
      cfn().send(new ExecuteChangeSetCommand({ StackName: stack, ChangeSetName: 'bad' })),
    );
    expect(refused.name).toBe('InvalidChangeSetStatusException');
  });

  it("merges scripted Replacement, Details and PolicyAction onto moto's Changes; values only with IncludePropertyValues", async () => {
    fid.scenario({
      changes: [
        {
          logicalId: 'Queue',
          replacement: 'True',
          policyAction: 'ReplaceAndDelete',
          scope: ['Properties'],
          details: [
            {
              target: {
                attribute: 'Properties',
                name: 'FifoQueue',
                requiresRecreation: 'Always',
                beforeValue: 'false',
                afterValue: 'true',
              },
              evaluation: 'Static',
              changeSource: 'DirectModification',
            },
          ],
          beforeContext: '{"Properties":{"FifoQueue":"false"}}',
        },
      ],
    });
    await changeSet('replace', ONE);
    const bare = await cfn().send(
      new DescribeChangeSetCommand({ StackName: stack, ChangeSetName: 'replace' }),
    );
    expect(bare.Changes).toEqual([
      {
        Type: 'Resource',
        ResourceChange: {
          Action: 'Add',
          LogicalResourceId: 'Queue',
          ResourceType: 'AWS::SQS::Queue',
          Replacement: 'True',
          PolicyAction: 'ReplaceAndDelete',
          Scope: ['Properties'],
          Details: [
            {
              Target: { Attribute: 'Properties', Name: 'FifoQueue', RequiresRecreation: 'Always' },
              Evaluation: 'Static',
              ChangeSource: 'DirectModification',
            },
          ],
        },
      },
    ]);
    const valued = await cfn().send(
      new DescribeChangeSetCommand({
        StackName: stack,
        ChangeSetName: 'replace',
        IncludePropertyValues: true,
      }),
    );
    const rc = valued.Changes?.[0]?.ResourceChange;
    expect(rc?.Details?.[0]?.Target).toMatchObject({ BeforeValue: 'false', AfterValue: 'true' });
    expect(rc?.BeforeContext).toBe('{"Properties":{"FifoQueue":"false"}}');
  });

  it('describes a drift-aware change set (DeploymentMode REVERT_DRIFT) with SyncWithActual changes', async () => {
    await changeSet('first', ONE);
    await cfn().send(new ExecuteChangeSetCommand({ StackName: stack, ChangeSetName: 'first' }));
    fid.scenario({
      changes: [
        {
          logicalId: 'Queue',
          action: 'SyncWithActual',
          resourceDriftStatus: 'MODIFIED',
          details: [
            {
              target: {
                attribute: 'Properties',
                name: 'DelaySeconds',
                attributeChangeType: 'SyncWithActual',
                beforeValueFrom: 'ACTUAL_STATE',
                afterValueFrom: 'TEMPLATE',
                beforeValue: '30',
                afterValue: '0',
                drift: { previousValue: '0', actualValue: '30' },
              },
              evaluation: 'Static',
              changeSource: 'DirectModification',
            },
          ],
        },
      ],
    });
    await cfn().send(
      new CreateChangeSetCommand({
        StackName: stack,
        ChangeSetName: 'revert',
        ChangeSetType: 'UPDATE',
        TemplateBody: `${ONE}    Properties:\n      DelaySeconds: 0\n`,
        DeploymentMode: 'REVERT_DRIFT',
      }),
    );
    expect(fid.calls('CreateChangeSet')[1]?.params.DeploymentMode).toBe('REVERT_DRIFT');
    const described = await cfn().send(
      new DescribeChangeSetCommand({
        StackName: stack,
        ChangeSetName: 'revert',
        IncludePropertyValues: true,
      }),
    );
    expect(described).toMatchObject({ DeploymentMode: 'REVERT_DRIFT', StackDriftStatus: 'DRIFTED' });
    const rc = described.Changes?.[0]?.ResourceChange;
    expect(rc).toMatchObject({ Action: 'SyncWithActual', ResourceDriftStatus: 'MODIFIED' });
    expect(rc?.Details?.[0]?.Target).toMatchObject({
      BeforeValueFrom: 'ACTUAL_STATE',
      AttributeChangeType: 'SyncWithActual',
      Drift: { PreviousValue: '0', ActualValue: '30' },
    });
  });

  it('answers nested change sets (IncludeNestedStacks) with ParentChangeSetId and RootChangeSetId', async () => {
    fid.scenario({
      nested: {
        Child: {
          changes: [
            {
              logicalId: 'Table',
              action: 'Modify',
              resourceType: 'AWS::DynamoDB::Table',
              replacement: 'True',
            },
          ],
          nested: {
            Grandchild: {
              changes: [{ logicalId: 'Bucket', action: 'Remove', resourceType: 'AWS::S3::Bucket' }],
            },
          },
        },
      },
    });
    const root = await cfn().send(
      new CreateChangeSetCommand({
        StackName: stack,
        ChangeSetName: 'tree',
        ChangeSetType: 'CREATE',
        TemplateBody: ONE,
        IncludeNestedStacks: true,
      }),
    );
    const top = await cfn().send(new DescribeChangeSetCommand({ ChangeSetName: root.Id }));
    expect(top.IncludeNestedStacks).toBe(true);
    const child = top.Changes?.find((c) => c.ResourceChange?.LogicalResourceId === 'Child')?.ResourceChange;
    expect(child).toMatchObject({ Action: 'Modify', ResourceType: 'AWS::CloudFormation::Stack' });
    const nested = await cfn().send(new DescribeChangeSetCommand({ ChangeSetName: child?.ChangeSetId }));
    expect(nested).toMatchObject({
      ParentChangeSetId: root.Id,
      RootChangeSetId: root.Id,
      Status: 'CREATE_COMPLETE',
    });
    expect(nested.Changes?.[0]?.ResourceChange).toMatchObject({
      LogicalResourceId: 'Table',
      Replacement: 'True',
    });
    const grandId = nested.Changes?.find((c) => c.ResourceChange?.LogicalResourceId === 'Grandchild')
      ?.ResourceChange?.ChangeSetId;
    const grand = await cfn().send(new DescribeChangeSetCommand({ ChangeSetName: grandId }));
    expect(grand).toMatchObject({ ParentChangeSetId: child?.ChangeSetId, RootChangeSetId: root.Id });
    expect(grand.Changes?.[0]?.ResourceChange).toMatchObject({
      Action: 'Remove',
      LogicalResourceId: 'Bucket',
    });
  });

  it('keys names per stack (moto looks them up region-wide) and deletes the other change sets of an executed stack', async () => {
    const other = `${stack}-b`;
    await changeSet('first', ONE);
    await cfn().send(new ExecuteChangeSetCommand({ StackName: stack, ChangeSetName: 'first' }));
    await changeSet('same', TWO, cfn(), 'UPDATE');
    await changeSet('spare', ONE.replace('Queue', 'Renamed'), cfn(), 'UPDATE');
    // Another stack's change set of the same name, made last (moto would execute this one by name).
    await cfn().send(
      new CreateChangeSetCommand({
        StackName: other,
        ChangeSetName: 'same',
        ChangeSetType: 'CREATE',
        TemplateBody: ONE,
      }),
    );
    await cfn().send(new ExecuteChangeSetCommand({ StackName: stack, ChangeSetName: 'same' }));
    expect((await cfn().send(new GetTemplateCommand({ StackName: stack }))).TemplateBody).toBe(TWO);
    const otherOne = await cfn().send(
      new DescribeChangeSetCommand({ StackName: other, ChangeSetName: 'same' }),
    );
    expect(otherOne.ExecutionStatus).toBe('AVAILABLE');
    // ExecuteChangeSet: "CloudFormation deletes all other change sets associated with the stack".
    const gone = await rejection(
      cfn().send(new DescribeChangeSetCommand({ StackName: stack, ChangeSetName: 'spare' })),
    );
    expect(gone.name).toBe('ChangeSetNotFoundException');
  });
});

describe('change sets as AWS describes them: no changes, capabilities, NoEcho (API_DescribeChangeSet)', () => {
  const WITH_PARAMS = `Parameters:\n  Size:\n    Type: String\n  Secret:\n    Type: String\n    NoEcho: true\n${ONE}`;
  const params = [
    { ParameterKey: 'Size', ParameterValue: '3' },
    { ParameterKey: 'Secret', ParameterValue: 'hunter2' },
  ];
  const create = (name: string, type: 'CREATE' | 'UPDATE', extra: object = {}) =>
    cfn().send(
      new CreateChangeSetCommand({
        StackName: stack,
        ChangeSetName: name,
        ChangeSetType: type,
        TemplateBody: ONE,
        ...extra,
      }),
    );

  it('makes a FAILED change set "didn\'t contain changes" where moto refuses or makes an empty one', async () => {
    await create('first', 'CREATE');
    await cfn().send(new ExecuteChangeSetCommand({ StackName: stack, ChangeSetName: 'first' }));
    const same = await create('same', 'UPDATE');
    const described = await cfn().send(new DescribeChangeSetCommand({ ChangeSetName: same.Id }));
    expect(described).toMatchObject({
      Status: 'FAILED',
      ExecutionStatus: 'UNAVAILABLE',
      StatusReason:
        "The submitted information didn't contain changes. Submit different information to create a change set.",
    });
    const refused = await rejection(cfn().send(new ExecuteChangeSetCommand({ ChangeSetName: same.Id })));
    expect(refused.name).toBe('InvalidChangeSetStatusException');
  });

  it('with parameters (moto: "No updates are to be performed.") answers a change set of its own, listed and deletable', async () => {
    await cfn().send(
      new CreateChangeSetCommand({
        StackName: stack,
        ChangeSetName: 'first',
        ChangeSetType: 'CREATE',
        TemplateBody: WITH_PARAMS,
        Parameters: [params[0]!, { ParameterKey: 'Secret', ParameterValue: 'x' }],
      }),
    );
    await cfn().send(new ExecuteChangeSetCommand({ StackName: stack, ChangeSetName: 'first' }));
    const same = await cfn().send(
      new CreateChangeSetCommand({
        StackName: stack,
        ChangeSetName: 'same',
        ChangeSetType: 'UPDATE',
        UsePreviousTemplate: true,
        Parameters: [params[0]!, { ParameterKey: 'Secret', UsePreviousValue: true }],
      }),
    );
    expect(same.Id).toMatch(/:changeSet\/same\//);
    const described = await cfn().send(
      new DescribeChangeSetCommand({ StackName: stack, ChangeSetName: 'same' }),
    );
    expect(described.Status).toBe('FAILED');
    expect(described.StatusReason).toMatch(/didn't contain changes/);
    const listed = await cfn().send(new ListChangeSetsCommand({ StackName: stack }));
    expect(listed.Summaries?.find((c) => c.ChangeSetName === 'same')?.Status).toBe('FAILED');
    expect((await cfn().send(new GetTemplateCommand({ ChangeSetName: same.Id }))).TemplateBody).toBe(
      WITH_PARAMS,
    );
    await cfn().send(new DeleteChangeSetCommand({ ChangeSetName: same.Id }));
    const gone = await rejection(cfn().send(new DescribeChangeSetCommand({ ChangeSetName: same.Id })));
    expect(gone.name).toBe('ChangeSetNotFoundException');
  });

  it('echoes Capabilities and Description, and masks NoEcho parameter values', async () => {
    const made = await cfn().send(
      new CreateChangeSetCommand({
        StackName: stack,
        ChangeSetName: 'caps',
        ChangeSetType: 'CREATE',
        TemplateBody: WITH_PARAMS,
        Parameters: params,
        Capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM'],
        Description: 'reviewed',
      }),
    );
    const described = await cfn().send(new DescribeChangeSetCommand({ ChangeSetName: made.Id }));
    expect(described.Capabilities).toEqual(['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM']);
    expect(described.Description).toBe('reviewed');
    expect(described.Parameters).toEqual(
      expect.arrayContaining([
        { ParameterKey: 'Size', ParameterValue: '3' },
        { ParameterKey: 'Secret', ParameterValue: '****' },
      ]),
    );
  });
});

describe('stack operations that take time (API_DescribeStackEvents, API_DescribeStacks)', () => {
  const status = async () => (await cfn().send(new DescribeStacksCommand({ StackName: stack }))).Stacks?.[0];
  const events = async () =>
    (await cfn().send(new DescribeStackEventsCommand({ StackName: stack }))).StackEvents ?? [];

  it('stays CREATE_IN_PROGRESS for operationSeconds with per-resource events over time, newest first', async () => {
    fid.scenario({ stack: { operationSeconds: 1.5 } });
    await changeSet('go', TWO);
    await cfn().send(
      new ExecuteChangeSetCommand({ StackName: stack, ChangeSetName: 'go', ClientRequestToken: 'run-1' }),
    );
    expect((await status())?.StackStatus).toBe('CREATE_IN_PROGRESS');
    const refused = await rejection(
      cfn().send(new ExecuteChangeSetCommand({ StackName: stack, ChangeSetName: 'go' })),
    );
    expect(refused.name).toBe('InvalidChangeSetStatusException');
    await sleep(1600);
    expect((await status())?.StackStatus).toBe('CREATE_COMPLETE');
    const all = await events();
    const times = all.map((e) => e.Timestamp!.getTime());
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    expect(all[0]).toMatchObject({
      LogicalResourceId: stack,
      ResourceStatus: 'CREATE_COMPLETE',
      ClientRequestToken: 'run-1',
    });
    const mine = all
      .filter((e) => e.ClientRequestToken === 'run-1')
      .map((e) => `${e.LogicalResourceId} ${e.ResourceStatus}`);
    expect(mine.reverse()).toEqual([
      `${stack} CREATE_IN_PROGRESS`,
      'Queue CREATE_IN_PROGRESS',
      'Queue CREATE_COMPLETE',
      'Other CREATE_IN_PROGRESS',
      'Other CREATE_COMPLETE',
      `${stack} CREATE_COMPLETE`,
    ]);
    expect(all.find((e) => e.LogicalResourceId === 'Queue')?.PhysicalResourceId).toMatch(
      /^https?:\/\/|Queue/,
    );
  });

  it('shows a scripted failure, its rollback and ROLLBACK_COMPLETE', async () => {
    fid.scenario({
      stack: {
        operationSeconds: 1,
        fail: { logicalId: 'Other', reason: 'Resource handler returned message: "Access denied"' },
      },
    });
    await changeSet('go', TWO);
    await cfn().send(new ExecuteChangeSetCommand({ StackName: stack, ChangeSetName: 'go' }));
    await sleep(1100);
    const final = await status();
    expect(final?.StackStatus).toBe('ROLLBACK_COMPLETE');
    const sequence = (await events()).map((e) => `${e.LogicalResourceId} ${e.ResourceStatus}`).reverse();
    expect(sequence.slice(1)).toEqual([
      `${stack} CREATE_IN_PROGRESS`,
      'Queue CREATE_IN_PROGRESS',
      'Queue CREATE_COMPLETE',
      'Other CREATE_IN_PROGRESS',
      'Other CREATE_FAILED',
      `${stack} ROLLBACK_IN_PROGRESS`,
      'Queue DELETE_IN_PROGRESS',
      'Queue DELETE_COMPLETE',
      `${stack} ROLLBACK_COMPLETE`,
    ]);
    const failed = (await events()).find((e) => e.ResourceStatus === 'CREATE_FAILED');
    expect(failed?.ResourceStatusReason).toBe('Resource handler returned message: "Access denied"');
    const rollback = (await events()).find((e) => e.ResourceStatus === 'ROLLBACK_IN_PROGRESS');
    expect(rollback?.ResourceStatusReason).toBe(
      'The following resource(s) failed to create: [Other]. Rollback requested by user.',
    );
  });

  it('rolls a failed update back: UPDATE_ROLLBACK_COMPLETE and the previous template', async () => {
    await changeSet('one', ONE);
    await cfn().send(new ExecuteChangeSetCommand({ StackName: stack, ChangeSetName: 'one' }));
    fid.scenario({ stack: { operationSeconds: 1, fail: { logicalId: 'Other', reason: 'boom' } } });
    await changeSet('two', TWO, cfn(), 'UPDATE');
    await cfn().send(new ExecuteChangeSetCommand({ StackName: stack, ChangeSetName: 'two' }));
    expect((await status())?.StackStatus).toBe('UPDATE_IN_PROGRESS');
    await sleep(1100);
    expect((await status())?.StackStatus).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect((await cfn().send(new GetTemplateCommand({ StackName: stack }))).TemplateBody).toBe(ONE);
  });
});

describe('termination protection (API_UpdateTerminationProtection)', () => {
  it('is stored per stack, shown by DescribeStacks, and refuses DeleteStack while enabled', async () => {
    await changeSet('go', ONE);
    await cfn().send(new ExecuteChangeSetCommand({ StackName: stack, ChangeSetName: 'go' }));
    const updated = await cfn().send(
      new UpdateTerminationProtectionCommand({ StackName: stack, EnableTerminationProtection: true }),
    );
    expect(updated.StackId).toMatch(/^arn:aws:cloudformation:eu-west-1:123456789012:stack\//);
    const shown = await cfn().send(new DescribeStacksCommand({ StackName: stack }));
    expect(shown.Stacks?.[0]?.EnableTerminationProtection).toBe(true);
    const refused = await rejection(cfn().send(new DeleteStackCommand({ StackName: stack })));
    expect(refused.name).toBe('ValidationError');
    expect(refused.message).toBe(`Stack [${stack}] cannot be deleted while TerminationProtection is enabled`);
    await cfn().send(
      new UpdateTerminationProtectionCommand({ StackName: stack, EnableTerminationProtection: false }),
    );
    await cfn().send(new DeleteStackCommand({ StackName: stack }));
  });
});

describe('DescribeEvents (API_DescribeEvents, API_OperationEvent)', () => {
  it('answers the VALIDATION_ERROR events of a change set that failed early validation', async () => {
    fid.scenario({
      changeSet: {
        fail: {
          validationErrors: [
            {
              logicalId: 'Queue',
              resourceType: 'AWS::SQS::Queue',
              path: '/Resources/Queue/Properties/DelaySeconds',
              reason: 'Value 1000 is greater than the maximum 900',
            },
          ],
        },
      },
    });
    const made = await changeSet('invalid', ONE);
    const failed = await cfn().send(new DescribeChangeSetCommand({ ChangeSetName: made.Id }));
    expect(failed.Status).toBe('FAILED');
    expect(failed.StatusReason).toContain('DescribeEvents');
    const out = await cfn().send(
      new DescribeEventsCommand({ ChangeSetName: made.Id, Filters: { FailedEvents: true } }),
    );
    const errors = (out.OperationEvents ?? []).filter((e) => e.EventType === 'VALIDATION_ERROR');
    expect(errors).toEqual([
      expect.objectContaining({
        StackId: made.StackId,
        OperationType: 'CREATE_CHANGESET',
        OperationStatus: 'FAILED',
        LogicalResourceId: 'Queue',
        ResourceType: 'AWS::SQS::Queue',
        ValidationFailureMode: 'FAIL',
        ValidationName: 'PropertyValidation',
        ValidationStatus: 'FAILED',
        ValidationStatusReason: 'Value 1000 is greater than the maximum 900',
        ValidationPath: '/Resources/Queue/Properties/DelaySeconds',
      }),
    ]);
    expect(errors[0]?.Timestamp).toBeInstanceOf(Date);
  });

  it('without a scripted failure is answered by moto, which does not know the operation', async () => {
    const made = await changeSet('fine', ONE);
    const unknown = await rejection(cfn().send(new DescribeEventsCommand({ ChangeSetName: made.Id })));
    expect(unknown.$metadata.httpStatusCode).toBeGreaterThanOrEqual(400);
  });
});

describe('drift detection (API_DetectStackDrift, API_DescribeStackDriftDetectionStatus, API_DescribeStackResourceDrifts)', () => {
  const QUEUES = `${TWO}  Third:\n    Type: AWS::SQS::Queue\n`;
  async function deployed() {
    await changeSet('go', QUEUES);
    await cfn().send(new ExecuteChangeSetCommand({ StackName: stack, ChangeSetName: 'go' }));
  }
  const detection = async (id: string) =>
    cfn().send(new DescribeStackDriftDetectionStatusCommand({ StackDriftDetectionId: id }));

  it('takes detectSeconds, then reports DRIFTED with property differences, paginated and filtered', async () => {
    await deployed();
    fid.scenario({
      drift: {
        detectSeconds: 1,
        pageSize: 1,
        resources: [
          {
            logicalId: 'Queue',
            resourceType: 'AWS::SQS::Queue',
            status: 'MODIFIED',
            expectedProperties: '{"DelaySeconds":0}',
            actualProperties: '{"DelaySeconds":30}',
            differences: [{ path: '/DelaySeconds', expected: '0', actual: '30', type: 'NOT_EQUAL' }],
          },
          {
            logicalId: 'Other',
            resourceType: 'AWS::SQS::Queue',
            status: 'DELETED',
            expectedProperties: '{}',
          },
        ],
      },
    });
    const { StackDriftDetectionId: id } = await cfn().send(new DetectStackDriftCommand({ StackName: stack }));
    const early = await detection(id!);
    expect(early.DetectionStatus).toBe('DETECTION_IN_PROGRESS');
    expect(early.DriftedStackResourceCount).toBeUndefined();
    await sleep(1050);
    const done = await detection(id!);
    expect(done).toMatchObject({
      DetectionStatus: 'DETECTION_COMPLETE',
      StackDriftStatus: 'DRIFTED',
      DriftedStackResourceCount: 2,
    });
    expect(done.StackId).toMatch(/:stack\//);

    const pages = [];
    let token: string | undefined;
    do {
      const page = await cfn().send(
        new DescribeStackResourceDriftsCommand({
          StackName: stack,
          StackResourceDriftStatusFilters: ['MODIFIED', 'DELETED'],
          NextToken: token,
        }),
      );
      pages.push(page.StackResourceDrifts ?? []);
      token = page.NextToken;
    } while (token);
    expect(pages.map((p) => p.length)).toEqual([1, 1]);
    const [modified, deleted] = pages.flat();
    expect(modified).toMatchObject({
      LogicalResourceId: 'Queue',
      ResourceType: 'AWS::SQS::Queue',
      StackResourceDriftStatus: 'MODIFIED',
      PropertyDifferences: [
        { PropertyPath: '/DelaySeconds', ExpectedValue: '0', ActualValue: '30', DifferenceType: 'NOT_EQUAL' },
      ],
    });
    expect(modified?.PhysicalResourceId).toBeTruthy();
    expect(deleted).toMatchObject({ LogicalResourceId: 'Other', StackResourceDriftStatus: 'DELETED' });
    const all = await cfn().send(
      new DescribeStackResourceDriftsCommand({ StackName: stack, MaxResults: 100 }),
    );
    expect(
      all.StackResourceDrifts?.find((d) => d.LogicalResourceId === 'Third')?.StackResourceDriftStatus,
    ).toBe('IN_SYNC');
  });

  it('reports IN_SYNC with no drifted resources', async () => {
    await deployed();
    fid.scenario({ drift: {} });
    const { StackDriftDetectionId: id } = await cfn().send(new DetectStackDriftCommand({ StackName: stack }));
    expect(await detection(id!)).toMatchObject({
      DetectionStatus: 'DETECTION_COMPLETE',
      StackDriftStatus: 'IN_SYNC',
      DriftedStackResourceCount: 0,
    });
  });

  it('fails detection with a reason (a resource type without drift support)', async () => {
    await deployed();
    const reason =
      'Failed to detect drift on resource [Third]: resource type AWS::Custom::Thing does not support drift detection';
    fid.scenario({
      drift: {
        failReason: reason,
        resources: [{ logicalId: 'Third', resourceType: 'AWS::SQS::Queue', status: 'UNSUPPORTED' }],
      },
    });
    const { StackDriftDetectionId: id } = await cfn().send(new DetectStackDriftCommand({ StackName: stack }));
    const failed = await detection(id!);
    expect(failed).toMatchObject({
      DetectionStatus: 'DETECTION_FAILED',
      DetectionStatusReason: reason,
      StackDriftStatus: 'IN_SYNC',
    });
    expect(failed.DriftedStackResourceCount).toBeUndefined();
  });
});

describe('CloudTrail LookupEvents (API_LookupEvents; JSON 1.1 protocol)', () => {
  // The product's CloudTrail client is not installed yet: the request is made as the SDK's JSON 1.1 protocol sends it.
  async function lookupEvents(body: Record<string, unknown>) {
    const res = await fetch(fid.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents',
        authorization: `AWS4-HMAC-SHA256 Credential=${KEYS.accessKeyId}/20261202/eu-west-1/cloudtrail/aws4_request, SignedHeaders=host, Signature=0`,
      },
      body: JSON.stringify(body),
    });
    return { status: res.status, json: (await res.json()) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
  }
  const hoursAgo = (h: number) => new Date(Date.now() - h * 3600_000);
  const sgEvent = (h: number, name: string, who: string) => ({
    eventName: name,
    eventTime: hoursAgo(h),
    eventSource: 'ec2.amazonaws.com',
    userIdentity: {
      type: 'AssumedRole',
      arn: `arn:aws:sts::123456789012:assumed-role/Admin/${who}`,
      sessionContext: { sessionIssuer: { type: 'Role', arn: 'arn:aws:iam::123456789012:role/Admin' } },
    },
    resources: [{ name: 'sg-0123', type: 'AWS::EC2::SecurityGroup' }],
  });

  it('answers scripted events by ResourceName, newest first, within the time window, 50 per page at most', async () => {
    fid.scenario({
      cloudtrail: {
        events: [
          sgEvent(5, 'AuthorizeSecurityGroupIngress', 'alice'),
          sgEvent(1, 'RevokeSecurityGroupIngress', 'bob'),
          sgEvent(30, 'CreateSecurityGroup', 'carol'),
          { ...sgEvent(2, 'DescribeQueues', 'dave'), resources: [{ name: 'other' }], readOnly: true },
        ],
      },
    });
    const { status, json } = await lookupEvents({
      LookupAttributes: [{ AttributeKey: 'ResourceName', AttributeValue: 'sg-0123' }],
      StartTime: hoursAgo(24).getTime() / 1000,
      MaxResults: 1,
    });
    expect(status).toBe(200);
    expect(json.Events).toHaveLength(1);
    const [newest] = json.Events;
    expect(newest).toMatchObject({
      EventName: 'RevokeSecurityGroupIngress',
      EventSource: 'ec2.amazonaws.com',
      Username: 'bob',
      ReadOnly: 'false',
      Resources: [{ ResourceName: 'sg-0123', ResourceType: 'AWS::EC2::SecurityGroup' }],
    });
    expect(typeof newest.EventTime).toBe('number');
    const record = JSON.parse(newest.CloudTrailEvent);
    expect(record).toMatchObject({
      eventName: 'RevokeSecurityGroupIngress',
      readOnly: false,
      userIdentity: { type: 'AssumedRole', arn: 'arn:aws:sts::123456789012:assumed-role/Admin/bob' },
    });
    const second = await lookupEvents({
      LookupAttributes: [{ AttributeKey: 'ResourceName', AttributeValue: 'sg-0123' }],
      StartTime: hoursAgo(24).getTime() / 1000,
      MaxResults: 1,
      NextToken: json.NextToken,
    });
    expect(second.json.Events.map((e: { EventName: string }) => e.EventName)).toEqual([
      'AuthorizeSecurityGroupIngress',
    ]);
    expect(second.json.NextToken).toBeUndefined();
    const tooMany = await lookupEvents({ MaxResults: 51 });
    expect(tooMany).toMatchObject({ status: 400, json: { __type: 'InvalidMaxResultsException' } });
  });

  it('answers AccessDeniedException when the scenario denies cloudtrail:LookupEvents', async () => {
    fid.scenario({ cloudtrail: { events: [] }, deny: ['cloudtrail:LookupEvents'] });
    const denied = await lookupEvents({});
    expect(denied.status).toBe(400);
    expect(denied.json.__type).toBe('AccessDeniedException');
    expect(denied.json.message).toContain('is not authorized to perform: cloudtrail:LookupEvents');
  });
});
