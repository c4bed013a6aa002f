import { jest } from '@jest/globals';
import {
  CloudFormationClient,
  CreateChangeSetCommand,
  DeleteChangeSetCommand,
  DescribeChangeSetCommand,
  DescribeStackDriftDetectionStatusCommand,
  DescribeStackResourceDriftsCommand,
  DescribeStacksCommand,
  DetectStackDriftCommand,
  ExecuteChangeSetCommand,
  GetTemplateCommand,
  ListStackResourcesCommand,
  type Change,
  type StackResourceDrift,
} from '@aws-sdk/client-cloudformation';
import { CloudTrailClient, LookupEventsCommand, type Event } from '@aws-sdk/client-cloudtrail';
import { mockClient } from 'aws-sdk-client-mock';
import { createClients } from '../../../../src/aws/clients.js';
import { attribute, principalOf } from '../../../../src/engine/drift/cloudtrail.js';
import { detectDrift } from '../../../../src/engine/drift/detect.js';
import { driftGuard, driftRefusal, type DriftDeps } from '../../../../src/engine/drift/index.js';
import { revertsOf } from '../../../../src/engine/drift/reverts.js';
import { runStackChange } from '../../../../src/engine/stack/index.js';
import { silentLogger } from '../../../../src/logger.js';
import type { DriftFinding } from '../../../../src/report/model.js';
import { makeSettings } from '../../fixtures.js';

const cfn = mockClient(CloudFormationClient);
const trail = mockClient(CloudTrailClient);
const STACK_ID = 'arn:aws:cloudformation:eu-west-1:111111111111:stack/app/abc';
const T0 = new Date('2026-12-01T10:00:00Z');
const clients = () =>
  createClients({ region: 'eu-west-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });

const drift = (logicalId: string, status: string, extra: Partial<StackResourceDrift> = {}) =>
  ({
    StackId: STACK_ID,
    LogicalResourceId: logicalId,
    PhysicalResourceId: `${logicalId.toLowerCase()}-1`,
    ResourceType: 'AWS::EC2::SecurityGroup',
    StackResourceDriftStatus: status,
    Timestamp: T0,
    ...extra,
  }) as StackResourceDrift;

const trailEvent = (
  name: string,
  minutesAgo: number,
  identity: object,
  extra: Partial<Event> = {},
): Event => ({
  EventName: name,
  EventTime: new Date(T0.getTime() - minutesAgo * 60_000),
  ReadOnly: 'false',
  CloudTrailEvent: JSON.stringify({ userIdentity: identity, sourceIPAddress: '203.0.113.10' }),
  ...extra,
});
const alice = { type: 'AssumedRole', arn: 'arn:aws:sts::111111111111:assumed-role/Admin/alice' };

/** Runs a promise to its end with fake timers, so polling takes no real time. */
async function settle<T>(pending: Promise<T>): Promise<T> {
  const done = pending.then((value) => ({ value }));
  await jest.runAllTimersAsync();
  return (await done).value;
}

beforeEach(() => {
  cfn.reset();
  trail.reset();
  jest.useFakeTimers({ now: T0 });
  cfn.on(DetectStackDriftCommand).resolves({ StackDriftDetectionId: 'det-1' });
  cfn.on(ListStackResourcesCommand).resolves({ StackResourceSummaries: [] });
});
afterEach(() => jest.useRealTimers());

const options = () => ({ deadline: Date.now() + 600_000 });

describe('detectDrift', () => {
  it('follows the detection, reads every page of resource drifts and keeps MODIFIED and DELETED', async () => {
    cfn
      .on(DescribeStackDriftDetectionStatusCommand)
      .resolvesOnce({ DetectionStatus: 'DETECTION_IN_PROGRESS' } as never)
      .resolvesOnce({ DetectionStatus: 'DETECTION_IN_PROGRESS' } as never)
      .resolves({ DetectionStatus: 'DETECTION_COMPLETE', Timestamp: T0 } as never);
    cfn
      .on(DescribeStackResourceDriftsCommand)
      .resolvesOnce({
        StackResourceDrifts: [
          drift('Web', 'MODIFIED', {
            PropertyDifferences: [
              {
                PropertyPath: '/SecurityGroupIngress/0/CidrIp',
                ExpectedValue: '10.0.0.0/8',
                ActualValue: '0.0.0.0/0',
                DifferenceType: 'NOT_EQUAL',
              },
            ],
          }),
          drift('Fine', 'IN_SYNC'),
        ],
        NextToken: 'page-2',
      })
      .resolves({
        StackResourceDrifts: [
          drift('Queue', 'DELETED', { ResourceType: 'AWS::SQS::Queue' }),
          drift('Thing', 'NOT_CHECKED', { ResourceType: 'Custom::Thing' }),
        ],
      });
    cfn.on(ListStackResourcesCommand).resolves({
      StackResourceSummaries: [
        { LogicalResourceId: 'Web', ResourceType: 'AWS::EC2::SecurityGroup' },
        { LogicalResourceId: 'Handle', ResourceType: 'AWS::CloudFormation::WaitConditionHandle' },
      ] as never,
    });
    const c = clients();
    const found = await settle(detectDrift(c.cloudformation, c.cloudformation, STACK_ID, options()));
    expect(found).toEqual({
      status: 'drifted',
      checkedAt: T0.toISOString(),
      drifted: [
        {
          logicalId: 'Web',
          type: 'AWS::EC2::SecurityGroup',
          physicalId: 'web-1',
          status: 'MODIFIED',
          properties: [
            {
              path: '/SecurityGroupIngress/0/CidrIp',
              expected: '10.0.0.0/8',
              actual: '0.0.0.0/0',
              difference: 'NOT_EQUAL',
            },
          ],
        },
        {
          logicalId: 'Queue',
          type: 'AWS::SQS::Queue',
          physicalId: 'queue-1',
          status: 'DELETED',
          properties: [],
        },
      ],
      notChecked: [
        { logicalId: 'Thing', type: 'Custom::Thing' },
        { logicalId: 'Handle', type: 'AWS::CloudFormation::WaitConditionHandle' },
      ],
      problem: undefined,
    });
    expect(cfn.commandCalls(DescribeStackDriftDetectionStatusCommand)).toHaveLength(3);
    expect(cfn.commandCalls(DescribeStackResourceDriftsCommand)[1]?.args[0].input).toMatchObject({
      StackName: STACK_ID,
      NextToken: 'page-2',
    });
  });

  it('says in-sync when detection completes with nothing drifted', async () => {
    cfn
      .on(DescribeStackDriftDetectionStatusCommand)
      .resolves({ DetectionStatus: 'DETECTION_COMPLETE' } as never);
    cfn.on(DescribeStackResourceDriftsCommand).resolves({ StackResourceDrifts: [drift('Web', 'IN_SYNC')] });
    const c = clients();
    const found = await settle(detectDrift(c.cloudformation, c.cloudformation, STACK_ID, options()));
    expect(found).toMatchObject({ status: 'in-sync', drifted: [], notChecked: [] });
  });

  it('keeps the results of a failed detection and says why it failed', async () => {
    cfn.on(DescribeStackDriftDetectionStatusCommand).resolves({
      DetectionStatus: 'DETECTION_FAILED',
      DetectionStatusReason: 'Failed to detect drift on resource [Thing]',
    } as never);
    cfn.on(DescribeStackResourceDriftsCommand).resolves({ StackResourceDrifts: [drift('Web', 'IN_SYNC')] });
    const c = clients();
    const found = await settle(detectDrift(c.cloudformation, c.cloudformation, STACK_ID, options()));
    expect(found).toMatchObject({
      status: 'unknown',
      problem: 'drift detection failed for some resources: Failed to detect drift on resource [Thing]',
    });
  });

  it('turns a denied DetectStackDrift into an unknown drift naming the rights, without throwing', async () => {
    cfn.on(DetectStackDriftCommand).rejects(
      Object.assign(new Error('not authorized to perform: cloudformation:DetectStackDrift'), {
        name: 'AccessDenied',
      }),
    );
    const c = clients();
    const found = await settle(detectDrift(c.cloudformation, c.cloudformation, STACK_ID, options()));
    expect(found.status).toBe('unknown');
    expect(found.problem).toMatch(
      /^DetectStackDrift failed: not authorized.*the drift rights of the generated policy/,
    );
    expect(cfn.commandCalls(DescribeStackDriftDetectionStatusCommand)).toHaveLength(0);
  });

  it('stops at the deadline', async () => {
    cfn
      .on(DescribeStackDriftDetectionStatusCommand)
      .resolves({ DetectionStatus: 'DETECTION_IN_PROGRESS' } as never);
    const c = clients();
    const found = await settle(
      detectDrift(c.cloudformation, c.cloudformation, STACK_ID, { deadline: Date.now() + 20_000 }),
    );
    expect(found.status).toBe('unknown');
    expect(found.problem).toMatch(
      /^drift detection did not finish: Timed out waiting for drift detection det-1/,
    );
  });
});

describe('attribute (CloudTrail)', () => {
  const run = (ids: string[]) =>
    settle(attribute(ids, async () => clients().cloudtrail(), { now: T0.getTime() }));

  it('names the latest write not made by CloudFormation, by ResourceName over the last 90 days', async () => {
    trail.on(LookupEventsCommand).resolves({
      Events: [
        trailEvent('DescribeSecurityGroups', 1, alice, { ReadOnly: 'true' }),
        trailEvent('CreateTags', 2, {
          type: 'AssumedRole',
          arn: 'arn:aws:sts::1:assumed-role/deploy/x',
          invokedBy: 'cloudformation.amazonaws.com',
        }),
        trailEvent('RevokeSecurityGroupIngress', 90, { type: 'IAMUser', arn: 'arn:aws:iam::1:user/bob' }),
        trailEvent('AuthorizeSecurityGroupIngress', 30, alice),
      ],
    });
    const found = await run(['sg-1']);
    expect(found.note).toBeUndefined();
    expect(found.changedBy.get('sg-1')).toEqual({
      principal: 'assumed-role/Admin/alice',
      at: new Date(T0.getTime() - 30 * 60_000).toISOString(),
      event: 'AuthorizeSecurityGroupIngress',
    });
    const input = trail.commandCalls(LookupEventsCommand)[0]?.args[0].input;
    expect(input?.LookupAttributes).toEqual([{ AttributeKey: 'ResourceName', AttributeValue: 'sg-1' }]);
    expect(input?.StartTime).toEqual(new Date(T0.getTime() - 90 * 86_400_000));
  });

  it('reads further pages when a page has no write, and leaves unknown what it never finds', async () => {
    trail
      .on(LookupEventsCommand, {
        LookupAttributes: [{ AttributeKey: 'ResourceName', AttributeValue: 'q-1' }],
      })
      .resolvesOnce({
        Events: [trailEvent('GetQueueAttributes', 1, alice, { ReadOnly: 'true' })],
        NextToken: 't',
      })
      .resolves({
        Events: [trailEvent('SetQueueAttributes', 5, { type: 'Root', arn: 'arn:aws:iam::1:root' })],
      });
    trail
      .on(LookupEventsCommand, {
        LookupAttributes: [{ AttributeKey: 'ResourceName', AttributeValue: 'x-1' }],
      })
      .resolves({ Events: [] });
    const found = await run(['q-1', 'x-1']);
    expect(found.changedBy.get('q-1')).toMatchObject({ principal: 'root', event: 'SetQueueAttributes' });
    expect(found.changedBy.has('x-1')).toBe(false);
  });

  it('says once that CloudTrail was denied, and stops looking', async () => {
    trail
      .on(LookupEventsCommand)
      .rejects(Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' }));
    const found = await run(['a', 'b', 'c']);
    expect(found.changedBy.size).toBe(0);
    expect(found.note).toMatch(/^CloudTrail LookupEvents was denied/);
    expect(trail.commandCalls(LookupEventsCommand)).toHaveLength(1);
  });

  it('looks up the first 20 resources only, and says so', async () => {
    trail.on(LookupEventsCommand).resolves({ Events: [] });
    const found = await run(Array.from({ length: 25 }, (_, i) => `r-${i}`));
    expect(trail.commandCalls(LookupEventsCommand)).toHaveLength(20);
    expect(found.note).toBe('Who changed them was looked up for the first 20 resources only.');
  });

  it('names principals the way IAM does', () => {
    expect(principalOf(trailEvent('X', 0, { type: 'IAMUser', arn: 'arn:aws:iam::1:user/ops/bob' }))).toBe(
      'user/ops/bob',
    );
    expect(principalOf({ Username: 'carol', CloudTrailEvent: 'not json' })).toBe('carol');
    expect(principalOf({})).toBeUndefined();
  });
});

describe('revertsOf', () => {
  const target = (extra: object) => ({
    Target: { Attribute: 'Properties', Path: '/Properties/SecurityGroupIngress', ...extra },
  });
  it('finds the changes that overwrite actual values, and those that only reset the drift status', () => {
    const changes: Change[] = [
      {
        Type: 'Resource',
        ResourceChange: {
          LogicalResourceId: 'Web',
          ResourceType: 'AWS::EC2::SecurityGroup',
          Action: 'Modify',
          Details: [target({ BeforeValueFrom: 'ACTUAL_STATE' }) as never],
        },
      },
      {
        Type: 'Resource',
        ResourceChange: {
          LogicalResourceId: 'Kept',
          ResourceType: 'AWS::SQS::Queue',
          Action: 'SyncWithActual' as never,
          Details: [],
        },
      },
      {
        Type: 'Resource',
        ResourceChange: {
          LogicalResourceId: 'Other',
          ResourceType: 'AWS::SQS::Queue',
          Action: 'Modify',
          Details: [target({ BeforeValueFrom: 'PREVIOUS_DEPLOYMENT_STATE' }) as never],
        },
      },
      {
        Type: 'Resource',
        ResourceChange: {
          LogicalResourceId: 'Gone',
          ResourceType: 'AWS::SQS::Queue',
          Action: 'Add',
          ResourceDriftStatus: 'DELETED',
        },
      },
    ];
    expect(revertsOf(changes, new Set(['Web']))).toEqual([
      {
        logicalId: 'Web',
        type: 'AWS::EC2::SecurityGroup',
        properties: ['/Properties/SecurityGroupIngress'],
        syncOnly: false,
      },
      { logicalId: 'Kept', type: 'AWS::SQS::Queue', properties: [], syncOnly: true },
      { logicalId: 'Gone', type: 'AWS::SQS::Queue', properties: [], syncOnly: false },
    ]);
  });
});

describe('driftGuard', () => {
  const deps = (): DriftDeps => {
    const c = clients();
    return { clients: c, bestEffort: c, logger: silentLogger, deadline: Date.now() + 600_000 };
  };
  const drifted = () => {
    cfn
      .on(DescribeStackDriftDetectionStatusCommand)
      .resolves({ DetectionStatus: 'DETECTION_COMPLETE' } as never);
    cfn.on(DescribeStackResourceDriftsCommand).resolves({ StackResourceDrifts: [drift('Web', 'MODIFIED')] });
    trail
      .on(LookupEventsCommand)
      .resolves({ Events: [trailEvent('AuthorizeSecurityGroupIngress', 60, alice)] });
  };

  it('is absent with drift: off, and finds nothing for a stack it was never started on', async () => {
    expect(driftGuard(makeSettings({ drift: 'off' }), deps())).toBeUndefined();
    const guard = driftGuard(makeSettings({ drift: 'fail' }), deps());
    expect(await guard?.finding()).toBeUndefined();
    expect(await guard?.beforeExecute()).toBeUndefined();
    expect(cfn.commandCalls(DetectStackDriftCommand)).toHaveLength(0);
  });

  it('fail: refuses before executing, naming the resource and who changed it', async () => {
    drifted();
    const guard = driftGuard(makeSettings({ drift: 'fail' }), deps());
    guard?.started({ StackId: STACK_ID } as never);
    const refused = await settle(guard!.beforeExecute());
    expect(refused?.message).toBe(
      'Refusing to deploy over drift: stack app has resources changed outside CloudFormation: Web (AWS::EC2::SecurityGroup) changed outside CloudFormation by assumed-role/Admin/alice at 2026-12-01 09:00 UTC (AuthorizeSecurityGroupIngress). The change set was deleted; nothing was changed.',
    );
    expect(refused?.hint).toMatch(/drift: revert.*or accept it by updating the template/);
    expect(cfn.commandCalls(DetectStackDriftCommand)).toHaveLength(1);
  });

  it('report: waits for detection before executing but never refuses', async () => {
    drifted();
    const guard = driftGuard(makeSettings({ drift: 'report' }), deps());
    guard?.started({ StackId: STACK_ID } as never);
    guard?.started({ StackId: STACK_ID } as never);
    expect(await settle(guard!.beforeExecute())).toBeUndefined();
    expect((await guard!.finding())?.status).toBe('drifted');
    expect(cfn.commandCalls(DetectStackDriftCommand)).toHaveLength(1);
  });

  it('revert: asks for a REVERT_DRIFT change set and reports its reverts', async () => {
    drifted();
    const guard = driftGuard(makeSettings({ drift: 'revert' }), deps());
    expect(guard?.deploymentMode).toBe('REVERT_DRIFT');
    guard?.started({ StackId: STACK_ID } as never);
    guard?.described([
      {
        Type: 'Resource',
        ResourceChange: {
          LogicalResourceId: 'Web',
          Action: 'Modify',
          Details: [
            { Target: { Path: '/Properties/SecurityGroupIngress', BeforeValueFrom: 'ACTUAL_STATE' } },
          ],
        },
      },
    ]);
    const found = await settle(guard!.finding());
    expect(found?.reverts).toEqual([
      {
        logicalId: 'Web',
        type: 'unknown',
        properties: ['/Properties/SecurityGroupIngress'],
        syncOnly: false,
      },
    ]);
  });

  it('waits for detection at most 10 minutes, whatever the run deadline', async () => {
    cfn
      .on(DescribeStackDriftDetectionStatusCommand)
      .resolves({ DetectionStatus: 'DETECTION_IN_PROGRESS' } as never);
    const guard = driftGuard(makeSettings({ drift: 'report' }), {
      ...deps(),
      deadline: Date.now() + 86_400_000,
    });
    guard?.started({ StackId: STACK_ID } as never);
    const found = await settle(guard!.finding());
    expect(found).toMatchObject({ status: 'unknown' });
    expect(found?.problem).toMatch(/^drift detection did not finish: Timed out/);
    expect(Date.now() - T0.getTime()).toBeLessThanOrEqual(10 * 60_000);
    expect(Date.now() - T0.getTime()).toBeGreaterThan(9 * 60_000);
  });

  it('a drift that could not be checked refuses nothing', () => {
    const unknown: DriftFinding = {
      mode: 'fail',
      status: 'unknown',
      resources: [],
      notChecked: [],
      reverts: [],
    };
    expect(driftRefusal(unknown, { stackName: 'app', mode: 'deploy' })).toBeUndefined();
  });
});

describe('the stack lifecycle with a drift guard', () => {
  const CS_ID = 'arn:aws:cloudformation:eu-west-1:111111111111:changeSet/x/1';
  beforeEach(() => {
    cfn.on(DescribeStacksCommand).resolves({
      Stacks: [{ StackName: 'app', StackId: STACK_ID, StackStatus: 'UPDATE_COMPLETE', CreationTime: T0 }],
    });
    cfn.on(GetTemplateCommand).resolves({ TemplateBody: 'old' });
    cfn.on(CreateChangeSetCommand).resolves({ Id: CS_ID, StackId: STACK_ID });
    cfn.on(DescribeChangeSetCommand).resolves({
      Status: 'CREATE_COMPLETE',
      ExecutionStatus: 'AVAILABLE',
      Changes: [
        {
          Type: 'Resource',
          ResourceChange: {
            LogicalResourceId: 'Web',
            Action: 'Modify',
            ResourceType: 'AWS::EC2::SecurityGroup',
          },
        },
      ],
      ChangeSetId: CS_ID,
      StackId: STACK_ID,
    });
    cfn.on(DeleteChangeSetCommand).resolves({});
  });
  const ctx = (guard: ReturnType<typeof driftGuard>) => {
    const c = clients();
    return {
      clients: c,
      bestEffort: c,
      logger: silentLogger,
      deadline: Date.now() + 600_000,
      now: () => T0,
      guard,
    };
  };

  it('refuses before ExecuteChangeSet and deletes the change set', async () => {
    const refused = { message: 'no', hint: 'fix' };
    const started: string[] = [];
    const guard = {
      started: (s: { StackId?: string }) => void started.push(s.StackId ?? ''),
      described: () => undefined,
      beforeExecute: async () => refused,
      finding: async () => undefined,
    };
    const result = await settle(runStackChange(makeSettings({ drift: 'fail' }), ctx(guard as never)));
    expect(started).toEqual([STACK_ID]);
    expect(result).toMatchObject({ result: 'failed', failure: refused });
    expect(cfn.commandCalls(ExecuteChangeSetCommand)).toHaveLength(0);
    expect(cfn.commandCalls(DeleteChangeSetCommand)).toHaveLength(1);
  });

  it('revert: sends DeploymentMode REVERT_DRIFT and does not take the fast no-op path', async () => {
    cfn
      .on(DescribeStackDriftDetectionStatusCommand)
      .resolves({ DetectionStatus: 'DETECTION_COMPLETE' } as never);
    cfn.on(DescribeStackResourceDriftsCommand).resolves({ StackResourceDrifts: [] });
    // A stack whose parameters and tags equal this run's: only the template is left to compare.
    const unchanged = (drift: 'revert' | 'report') => {
      const base = makeSettings({ drift, mode: 'plan', parameters: [], tags: [] });
      return { ...base, template: { ...base.template, parameters: [] } };
    };
    const c = clients();
    const deps = { clients: c, bestEffort: c, logger: silentLogger, deadline: Date.now() + 600_000 };
    await settle(runStackChange(unchanged('report'), ctx(driftGuard(unchanged('report'), deps))));
    expect(cfn.commandCalls(GetTemplateCommand)).not.toHaveLength(0);
    expect(cfn.commandCalls(CreateChangeSetCommand)[0]?.args[0].input.DeploymentMode).toBeUndefined();
    cfn.resetHistory();
    await settle(runStackChange(unchanged('revert'), ctx(driftGuard(unchanged('revert'), deps))));
    // No no-op check (GetTemplate) before the change set: any template read comes after it.
    const order = cfn.calls().map((c) => (c.args[0] as { constructor: { name: string } }).constructor.name);
    const firstRead = order.indexOf('GetTemplateCommand');
    expect(firstRead === -1 || firstRead > order.indexOf('CreateChangeSetCommand')).toBe(true);
    expect(cfn.commandCalls(CreateChangeSetCommand)[0]?.args[0].input).toMatchObject({
      ChangeSetType: 'UPDATE',
      DeploymentMode: 'REVERT_DRIFT',
    });
  });
});
