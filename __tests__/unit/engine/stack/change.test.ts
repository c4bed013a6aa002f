import { jest } from '@jest/globals';
import {
  CloudFormationClient,
  CreateChangeSetCommand,
  DeleteChangeSetCommand,
  DeleteStackCommand,
  DescribeChangeSetCommand,
  DescribeStackEventsCommand,
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
  ExecuteChangeSetCommand,
  GetTemplateCommand,
  ListChangeSetsCommand,
  UpdateTerminationProtectionCommand,
  type Change,
  type Stack,
  type StackEvent,
} from '@aws-sdk/client-cloudformation';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { createClients } from '../../../../src/aws/clients.js';
import { fingerprint } from '../../../../src/engine/stack/fingerprint.js';
import { CHANGE_SET_PREFIX, changeSetName, clientToken } from '../../../../src/engine/stack/names.js';
import { stackTags } from '../../../../src/engine/stack/no-op.js';
import { runStackChange, type StackChangeContext } from '../../../../src/engine/stack/index.js';
import { DeadlineError } from '../../../../src/engine/wait.js';
import { UserError } from '../../../../src/errors.js';
import { silentLogger, type Logger } from '../../../../src/logger.js';
import type { Settings } from '../../../../src/config/settings.js';
import { makeSettings } from '../../fixtures.js';

const cfn = mockClient(CloudFormationClient);
const s3 = mockClient(S3Client);
const STACK_ID = 'arn:aws:cloudformation:eu-west-1:111111111111:stack/app/abc';
const CS_ID = 'arn:aws:cloudformation:eu-west-1:111111111111:changeSet/mad-0123456-42-1/def';
const T0 = new Date('2026-11-25T10:00:00Z');

const stack = (status: string, extra: Partial<Stack> = {}): Stack => ({
  StackName: 'app',
  StackId: STACK_ID,
  StackStatus: status as Stack['StackStatus'],
  CreationTime: T0,
  ...extra,
});
const notFound = () =>
  Object.assign(new Error('Stack with id app does not exist'), { name: 'ValidationError' });
const change = (
  logicalId: string,
  action: string,
  type = 'AWS::SQS::Queue',
  replacement?: string,
): Change => ({
  Type: 'Resource',
  ResourceChange: {
    LogicalResourceId: logicalId,
    Action: action as never,
    ResourceType: type,
    Replacement: replacement as never,
  },
});
const event = (
  id: string,
  seconds: number,
  logicalId: string,
  status: string,
  reason?: string,
  type = 'AWS::SQS::Queue',
): StackEvent => ({
  EventId: id,
  StackId: STACK_ID,
  StackName: 'app',
  Timestamp: new Date(T0.getTime() + seconds * 1000),
  LogicalResourceId: logicalId,
  ResourceType: type,
  ResourceStatus: status as never,
  ResourceStatusReason: reason,
});

function context(logger: Logger = silentLogger, deadlineMs = 60 * 60_000): StackChangeContext {
  const clients = createClients({
    region: 'eu-west-1',
    credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
  });
  return { clients, bestEffort: clients, logger, deadline: Date.now() + deadlineMs, now: () => T0 };
}

/** Runs with fake timers so that polling takes no real time. */
async function run(settings: Settings, ctx = context()) {
  const pending = runStackChange(settings, ctx);
  const settled = pending.then(
    (value) => ({ value, error: undefined }),
    (error: unknown) => ({ value: undefined, error }),
  );
  await jest.runAllTimersAsync();
  return settled;
}

/** A change set that is ready at once, with the given changes. */
function changeSetReady(changes: Change[], description = '') {
  cfn.on(CreateChangeSetCommand).resolves({ Id: CS_ID, StackId: STACK_ID });
  cfn.on(DescribeChangeSetCommand).resolves({
    Status: 'CREATE_COMPLETE',
    ExecutionStatus: 'AVAILABLE',
    Changes: changes,
    CreationTime: T0,
    ChangeSetId: CS_ID,
    StackId: STACK_ID,
    Description: description,
  });
}

beforeEach(() => {
  cfn.reset();
  s3.reset();
  jest.useFakeTimers({ now: T0 });
  cfn.on(DescribeStackEventsCommand).resolves({ StackEvents: [] });
  cfn.on(UpdateTerminationProtectionCommand).resolves({});
  cfn.on(ListChangeSetsCommand).resolves({ Summaries: [] });
});
afterEach(() => jest.useRealTimers());

describe('deploy of a new stack', () => {
  it('creates a CREATE change set with provenance tags, executes it and follows it to CREATE_COMPLETE', async () => {
    cfn
      .on(DescribeStacksCommand)
      .rejectsOnce(notFound())
      .resolves({
        Stacks: [stack('CREATE_COMPLETE', { Outputs: [{ OutputKey: 'Url', OutputValue: 'https://x' }] })],
      });
    changeSetReady([change('Queue', 'Add')]);
    cfn.on(DescribeStackEventsCommand).resolves({
      StackEvents: [
        event('2', 2, 'app', 'CREATE_COMPLETE', undefined, 'AWS::CloudFormation::Stack'),
        event('1', 1, 'Queue', 'CREATE_COMPLETE'),
      ],
    });
    const lines: string[] = [];
    const { value, error } = await run(
      makeSettings(),
      context({ ...silentLogger, info: (m) => lines.push(m) }),
    );
    expect(error).toBeUndefined();
    expect(value).toMatchObject({
      result: 'deployed',
      stackStatus: 'CREATE_COMPLETE',
      outputs: [{ key: 'Url', value: 'https://x' }],
    });
    const input = cfn.commandCalls(CreateChangeSetCommand)[0]?.args[0].input;
    expect(input).toMatchObject({
      StackName: 'app',
      ChangeSetType: 'CREATE',
      ChangeSetName: expect.stringMatching(/^mad-release-0123456-42-1-deploy-[0-9a-f]{8}$/),
      ClientToken: expect.stringMatching(/^mad-[0-9a-f]{60}$/),
      RoleARN: undefined,
      TemplateBody: makeSettings().template.body,
      Capabilities: ['CAPABILITY_IAM'],
      Parameters: [
        { ParameterKey: 'Size', ParameterValue: '3' },
        { ParameterKey: 'Password', ParameterValue: 'hunter2-secret' },
      ],
    });
    expect(input?.Description).toBe(`multi-account-deploy sha256:${fingerprint(makeSettings())}`);
    expect(input?.Tags).toEqual(
      expect.arrayContaining([
        { Key: 'team', Value: 'web' },
        { Key: 'multi-account-deploy:repository', Value: 'acme/app' },
        { Key: 'multi-account-deploy:commit', Value: '0123456789abcdef' },
        {
          Key: 'multi-account-deploy:run-url',
          Value: 'https://github.com/acme/app/actions/runs/42/attempts/1',
        },
        { Key: 'multi-account-deploy:environment', Value: 'dev' },
        { Key: 'multi-account-deploy:actor', Value: 'octocat' },
      ]),
    );
    // A first create carries OnStackFailure (default DELETE), with which DisableRollback may not be sent.
    expect(input?.OnStackFailure).toBe('DELETE');
    expect(input?.IncludeNestedStacks).toBe(true);
    const executed = cfn.commandCalls(ExecuteChangeSetCommand)[0]?.args[0].input;
    expect(executed).toMatchObject({ ChangeSetName: CS_ID });
    expect(executed).not.toHaveProperty('DisableRollback');
    expect(cfn.commandCalls(UpdateTerminationProtectionCommand)[0]?.args[0].input).toEqual({
      StackName: STACK_ID,
      EnableTerminationProtection: true,
    });
    // Events oldest first, one line each.
    const eventLines = lines.filter((l) => /^\d\d:\d\d:\d\d /.test(l));
    expect(eventLines).toEqual([
      expect.stringContaining('CREATE_COMPLETE              AWS::SQS::Queue'),
      expect.stringContaining('AWS::CloudFormation::Stack'),
    ]);
  });

  it('treats REVIEW_IN_PROGRESS as a stack that does not exist yet', async () => {
    cfn
      .on(DescribeStacksCommand)
      .resolvesOnce({ Stacks: [stack('REVIEW_IN_PROGRESS')] })
      .resolves({ Stacks: [stack('CREATE_COMPLETE')] });
    changeSetReady([change('Queue', 'Add')]);
    const { value } = await run(makeSettings());
    expect(cfn.commandCalls(CreateChangeSetCommand)[0]?.args[0].input.ChangeSetType).toBe('CREATE');
    expect(value?.result).toBe('deployed');
  });

  it('deletes a ROLLBACK_COMPLETE stack (a failed first create) and creates it again', async () => {
    cfn
      .on(DescribeStacksCommand)
      .resolvesOnce({ Stacks: [stack('ROLLBACK_COMPLETE')] })
      .resolvesOnce({ Stacks: [stack('DELETE_IN_PROGRESS')] })
      .resolvesOnce({ Stacks: [stack('DELETE_COMPLETE')] })
      .resolves({ Stacks: [stack('CREATE_COMPLETE')] });
    changeSetReady([change('Queue', 'Add')]);
    const { value } = await run(makeSettings());
    expect(cfn.commandCalls(DeleteStackCommand)[0]?.args[0].input).toEqual({ StackName: STACK_ID });
    expect(cfn.commandCalls(CreateChangeSetCommand)[0]?.args[0].input.ChangeSetType).toBe('CREATE');
    expect(value?.notes.join(' ')).toContain('ROLLBACK_COMPLETE');
  });

  it('uploads a template over 51,200 bytes to template-bucket and passes its URL', async () => {
    const body = `${makeSettings().template.body}# ${'x'.repeat(52_000)}\n`;
    const settings = makeSettings({
      template: { ...makeSettings().template, body },
      templateBucket: { bucket: 'cfn-templates', prefix: 'app/' },
    });
    cfn
      .on(DescribeStacksCommand)
      .rejectsOnce(notFound())
      .resolves({ Stacks: [stack('CREATE_COMPLETE')] });
    changeSetReady([change('Queue', 'Add')]);
    s3.on(PutObjectCommand).resolves({});
    await run(settings);
    const key = `app/app/${fingerprint(settings)}.template`;
    expect(s3.commandCalls(PutObjectCommand)[0]?.args[0].input).toMatchObject({
      Bucket: 'cfn-templates',
      Key: key,
    });
    expect(cfn.commandCalls(CreateChangeSetCommand)[0]?.args[0].input).toMatchObject({
      TemplateURL: `https://cfn-templates.s3.eu-west-1.amazonaws.com/${key}`,
    });
  });

  it('asks for values of parameters without a Default before creating anything', async () => {
    cfn.on(DescribeStacksCommand).rejects(notFound());
    const { error } = await run(makeSettings({ parameters: [{ key: 'Size', value: '3' }] }));
    expect((error as UserError).message).toBe(
      "Stack app does not exist yet, and the template's parameters Password have no Default and no value.",
    );
    expect((error as UserError).hint).toContain("'parameter-overrides' (e.g. Password=...)");
    expect(cfn.commandCalls(CreateChangeSetCommand)).toHaveLength(0);
  });

  it('says template-bucket is needed for a large template, before creating anything', async () => {
    const body = `${makeSettings().template.body}# ${'x'.repeat(52_000)}\n`;
    cfn.on(DescribeStacksCommand).rejects(notFound());
    const { error } = await run(makeSettings({ template: { ...makeSettings().template, body } }));
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).hint).toContain("Set 'template-bucket'");
    expect(cfn.commandCalls(CreateChangeSetCommand)).toHaveLength(0);
  });
});

describe('update of an existing stack', () => {
  it('waits for an operation in progress, then updates with UsePreviousValue for parameters nobody set', async () => {
    cfn
      .on(DescribeStacksCommand)
      .resolvesOnce({ Stacks: [stack('UPDATE_IN_PROGRESS')] })
      .resolvesOnce({ Stacks: [stack('UPDATE_COMPLETE_CLEANUP_IN_PROGRESS')] })
      .resolvesOnce({
        Stacks: [
          stack('UPDATE_COMPLETE', {
            Parameters: [
              { ParameterKey: 'Size', ParameterValue: '1' },
              { ParameterKey: 'Password', ParameterValue: '****' },
            ],
          }),
        ],
      })
      .resolves({ Stacks: [stack('UPDATE_COMPLETE')] });
    changeSetReady([change('Queue', 'Modify')]);
    const settings = makeSettings({ parameters: [{ key: 'Size', value: '5' }] });
    const { value } = await run(settings);
    expect(cfn.commandCalls(CreateChangeSetCommand)[0]?.args[0].input).toMatchObject({
      ChangeSetType: 'UPDATE',
      Parameters: [
        { ParameterKey: 'Size', ParameterValue: '5' },
        { ParameterKey: 'Password', UsePreviousValue: true },
      ],
    });
    expect(value?.result).toBe('deployed');
  });

  it('fails at the deadline naming the stack and its last status', async () => {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [stack('UPDATE_IN_PROGRESS')] });
    cfn.on(DescribeStackEventsCommand).resolves({
      StackEvents: [
        {
          ...event('9', 5, 'app', 'UPDATE_IN_PROGRESS', 'User Initiated', 'AWS::CloudFormation::Stack'),
          ClientRequestToken: 'Console-UpdateStack-1234',
        },
      ],
    });
    const { error } = await run(makeSettings(), context(silentLogger, 5 * 60_000));
    expect(error).toBeInstanceOf(DeadlineError);
    expect((error as Error).message).toBe(
      'Timed out waiting for stack app: the operation in progress to finish (UPDATE_IN_PROGRESS since 2026-11-25T10:00:05.000Z (User Initiated), operation Console-UpdateStack-1234); last seen: UPDATE_IN_PROGRESS.',
    );
    expect(cfn.commandCalls(CreateChangeSetCommand)).toHaveLength(0);
  });

  it('refuses a stuck stack with the recovery, changing nothing', async () => {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [stack('UPDATE_ROLLBACK_FAILED')] });
    const { error } = await run(makeSettings());
    expect((error as UserError).message).toBe('Stack app is UPDATE_ROLLBACK_FAILED; nothing was changed.');
    expect((error as UserError).hint).toContain('continue-update-rollback');
    expect(cfn.commandCalls(CreateChangeSetCommand)).toHaveLength(0);
  });
  it('names the resources that failed to roll back in the recovery command', async () => {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [stack('UPDATE_ROLLBACK_FAILED')] });
    cfn.on(DescribeStackResourcesCommand).resolves({
      StackResources: [
        {
          LogicalResourceId: 'Queue',
          ResourceStatus: 'UPDATE_FAILED',
          ResourceType: 'AWS::SQS::Queue',
          Timestamp: T0,
        },
        {
          LogicalResourceId: 'Topic',
          ResourceStatus: 'UPDATE_COMPLETE',
          ResourceType: 'AWS::SNS::Topic',
          Timestamp: T0,
        },
        {
          LogicalResourceId: 'Fn',
          ResourceStatus: 'UPDATE_FAILED',
          ResourceType: 'AWS::Lambda::Function',
          Timestamp: T0,
        },
      ],
    });
    const { error } = await run(makeSettings());
    expect((error as UserError).hint).toContain(
      'aws cloudformation continue-update-rollback --stack-name app --resources-to-skip Queue Fn',
    );
    expect(cfn.commandCalls(CreateChangeSetCommand)).toHaveLength(0);
  });

  const deployedAs = (hash: string) =>
    stack('UPDATE_COMPLETE', {
      EnableTerminationProtection: true,
      Parameters: [
        { ParameterKey: 'Size', ParameterValue: '3' },
        { ParameterKey: 'Password', ParameterValue: '****' },
      ],
      Tags: [
        { Key: 'team', Value: 'web' },
        { Key: 'multi-account-deploy:fingerprint', Value: hash },
        { Key: 'multi-account-deploy:commit', Value: 'an older commit' },
      ],
    });

  it('recognises an unchanged stack from its template, parameters and tags, without a change set', async () => {
    const settings = makeSettings();
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [deployedAs(fingerprint(settings))] });
    cfn.on(GetTemplateCommand).resolves({ TemplateBody: settings.template.body });
    const { value } = await run(settings);
    expect(value?.result).toBe('no-changes');
    expect(cfn.commandCalls(CreateChangeSetCommand)).toHaveLength(0);
    expect(cfn.calls()).toHaveLength(2);
  });

  it.each([
    ['a NoEcho value changed (fingerprint differs)', makeSettings(), 'f'.repeat(64), undefined],
    [
      'a parameter changed',
      makeSettings({
        parameters: [
          { key: 'Size', value: '4' },
          { key: 'Password', value: 'hunter2-secret' },
        ],
      }),
      undefined,
      undefined,
    ],
    ['a user tag changed', makeSettings({ tags: [{ key: 'team', value: 'ops' }] }), undefined, undefined],
    [
      'an execution role was added',
      makeSettings({ executionRoleArn: 'arn:aws:iam::111111111111:role/cfn' }),
      undefined,
      undefined,
    ],
    ['the template was edited outside', makeSettings(), undefined, 'Resources: {}'],
  ])('creates a change set when %s', async (_what, settings, hash, deployedTemplate) => {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [deployedAs(hash ?? fingerprint(makeSettings()))] });
    cfn.on(GetTemplateCommand).resolves({ TemplateBody: deployedTemplate ?? settings.template.body });
    changeSetReady([change('Queue', 'Modify')]);
    const { value } = await run(settings);
    expect(cfn.commandCalls(CreateChangeSetCommand)).toHaveLength(1);
    expect(value?.result).toBe('deployed');
  });

  it.each([
    [
      'a FAILED change set',
      "The submitted information didn't contain changes. Submit different information to create a change set.",
    ],
    ['a FAILED change set (older text)', 'No updates are to be performed.'],
  ])('reports no changes for %s and deletes it', async (_what, reason) => {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [stack('UPDATE_COMPLETE')] });
    cfn.on(CreateChangeSetCommand).resolves({ Id: CS_ID, StackId: STACK_ID });
    cfn.on(DescribeChangeSetCommand).resolves({ Status: 'FAILED', StatusReason: reason });
    const { value } = await run(makeSettings());
    expect(value?.result).toBe('no-changes');
    expect(cfn.commandCalls(DeleteChangeSetCommand)).toHaveLength(1);
    expect(cfn.commandCalls(ExecuteChangeSetCommand)).toHaveLength(0);
  });

  it('reports no changes when CreateChangeSet itself answers "No updates are to be performed."', async () => {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [stack('UPDATE_COMPLETE')] });
    cfn
      .on(CreateChangeSetCommand)
      .rejects(Object.assign(new Error('No updates are to be performed.'), { name: 'ValidationError' }));
    const { value } = await run(makeSettings());
    expect(value?.result).toBe('no-changes');
  });

  it('executes a change set that changes only Outputs', async () => {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [stack('UPDATE_COMPLETE')] });
    changeSetReady([]);
    const { value } = await run(makeSettings());
    expect(cfn.commandCalls(ExecuteChangeSetCommand)).toHaveLength(1);
    expect(value).toMatchObject({ result: 'deployed', otherChanges: true, changes: [] });
  });

  it('reads every page of a large change set', async () => {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [stack('UPDATE_COMPLETE')] });
    cfn.on(CreateChangeSetCommand).resolves({ Id: CS_ID, StackId: STACK_ID });
    const page = (from: number, n: number) =>
      Array.from({ length: n }, (_, i) => change(`Queue${from + i}`, 'Add'));
    cfn
      .on(DescribeChangeSetCommand)
      .resolvesOnce({ Status: 'CREATE_PENDING' })
      .resolvesOnce({ Status: 'CREATE_COMPLETE', Changes: page(0, 100), NextToken: 't1' })
      .resolvesOnce({ Status: 'CREATE_COMPLETE', Changes: page(100, 100), NextToken: 't2' })
      .resolvesOnce({ Status: 'CREATE_COMPLETE', Changes: page(200, 20) });
    const { value } = await run(makeSettings({ mode: 'plan' }));
    expect(value?.changes).toHaveLength(220);
    expect(cfn.commandCalls(DescribeChangeSetCommand).map((c) => c.args[0].input.NextToken)).toEqual([
      undefined,
      undefined,
      't1',
      't2',
    ]);
  });

  it('keeps polling through throttling while the change set is created', async () => {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [stack('UPDATE_COMPLETE')] });
    cfn.on(CreateChangeSetCommand).resolves({ Id: CS_ID, StackId: STACK_ID });
    cfn
      .on(DescribeChangeSetCommand)
      .rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'Throttling' }))
      .resolves({ Status: 'CREATE_COMPLETE', Changes: [change('Queue', 'Modify')] });
    const { value, error } = await run(makeSettings({ mode: 'plan' }));
    expect(error).toBeUndefined();
    expect(value?.result).toBe('planned');
  });
  it("explains a change set that another run's execution deleted while it was being created", async () => {
    const other = 'arn:aws:cloudformation:eu-west-1:111111111111:changeSet/mad-release-other/123';
    cfn
      .on(DescribeStacksCommand)
      .resolvesOnce({ Stacks: [stack('UPDATE_COMPLETE')] })
      .resolves({ Stacks: [stack('UPDATE_IN_PROGRESS', { ChangeSetId: other })] });
    cfn.on(CreateChangeSetCommand).resolves({ Id: CS_ID, StackId: STACK_ID });
    cfn
      .on(DescribeChangeSetCommand)
      .resolvesOnce({ Status: 'CREATE_PENDING' })
      .rejects(
        Object.assign(new Error(`ChangeSet [${CS_ID}] does not exist`), { name: 'ChangeSetNotFound' }),
      );
    const { error } = await run(makeSettings());
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toBe(
      'Another run executed change set mad-release-other on stack app; change set mad-0123456-42-1 was deleted with it. Plan again.',
    );
    expect(cfn.commandCalls(ExecuteChangeSetCommand)).toHaveLength(0);
  });
});

describe('destructive changes', () => {
  beforeEach(() => {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [stack('UPDATE_COMPLETE')] });
    changeSetReady([
      change('Table', 'Modify', 'AWS::DynamoDB::Table', 'True'),
      change('Fn', 'Modify', 'AWS::Lambda::Function', 'Conditional'),
      change('Old', 'Remove', 'AWS::SNS::Subscription'),
      change('Queue', 'Modify', 'AWS::SQS::Queue', 'False'),
    ]);
  });

  it('classifies replace, may-replace and remove, stateful first', async () => {
    const { value } = await run(makeSettings({ mode: 'plan' }));
    expect(value?.changes.map((c) => [c.logicalId, c.action, c.destructive, c.stateful])).toEqual([
      ['Table', 'replace', true, true],
      ['Old', 'remove', true, false],
      ['Fn', 'may-replace', true, false],
      ['Queue', 'modify', false, true],
    ]);
    expect(value?.destructive).toEqual(['Table', 'Old', 'Fn']);
  });

  it('refuses to execute them in deploy mode, naming them, and deletes the change set', async () => {
    const { value } = await run(makeSettings());
    expect(value?.result).toBe('failed');
    expect(value?.failure?.message).toContain(
      'Table (AWS::DynamoDB::Table: replace, holds data), Old (AWS::SNS::Subscription: remove), Fn (AWS::Lambda::Function: may-replace)',
    );
    expect(value?.failure?.hint).toContain('allow-destructive');
    expect(cfn.commandCalls(ExecuteChangeSetCommand)).toHaveLength(0);
    expect(cfn.commandCalls(DeleteChangeSetCommand)).toHaveLength(1);
  });

  it('refuses when allow-destructive lists only some of them', async () => {
    const { value } = await run(makeSettings({ allowDestructive: ['Table', 'Old'] }));
    expect(value?.failure?.message).toContain('destructive changes to Fn (');
    expect(cfn.commandCalls(ExecuteChangeSetCommand)).toHaveLength(0);
  });

  it('executes when allow-destructive lists all of them, or is true', async () => {
    expect((await run(makeSettings({ allowDestructive: ['Table', 'Old', 'Fn'] }))).value?.result).toBe(
      'deployed',
    );
    expect((await run(makeSettings({ allowDestructive: true }))).value?.result).toBe('deployed');
  });
});

describe('execution failure', () => {
  it('reports the first root-cause event, not the cascade, and does not touch termination protection', async () => {
    cfn
      .on(DescribeStacksCommand)
      .resolvesOnce({ Stacks: [stack('UPDATE_COMPLETE')] })
      .resolves({ Stacks: [stack('UPDATE_ROLLBACK_COMPLETE')] });
    changeSetReady([change('Queue', 'Modify'), change('Topic', 'Modify', 'AWS::SNS::Topic')]);
    cfn.on(DescribeStackEventsCommand).resolves({
      StackEvents: [
        event('5', 5, 'app', 'UPDATE_ROLLBACK_COMPLETE', undefined, 'AWS::CloudFormation::Stack'),
        event('4', 4, 'Topic', 'UPDATE_FAILED', 'Resource update cancelled', 'AWS::SNS::Topic'),
        event('3', 3, 'Queue', 'UPDATE_FAILED', 'Queue name already exists'),
        event('2', 2, 'Queue', 'UPDATE_IN_PROGRESS'),
        event('0', -600, 'Old', 'UPDATE_FAILED', 'from an earlier run'),
      ],
    });
    const { value } = await run(makeSettings());
    expect(value?.result).toBe('failed');
    expect(value?.rootCause).toMatchObject({ logicalId: 'Queue', reason: 'Queue name already exists' });
    expect(value?.failure?.message).toBe(
      'Stack app ended in UPDATE_ROLLBACK_COMPLETE: Queue (AWS::SQS::Queue) UPDATE_FAILED: Queue name already exists.',
    );
    expect(value?.events.map((e) => e.id)).toEqual(['2', '3', '4', '5']);
    expect(cfn.commandCalls(UpdateTerminationProtectionCommand)).toHaveLength(0);
  });

  it('still reports the outcome when stack events cannot be read', async () => {
    cfn
      .on(DescribeStacksCommand)
      .resolvesOnce({ Stacks: [stack('UPDATE_COMPLETE')] })
      .resolves({ Stacks: [stack('UPDATE_COMPLETE')] });
    changeSetReady([change('Queue', 'Modify')]);
    cfn
      .on(DescribeStackEventsCommand)
      .rejects(Object.assign(new Error('Internal error'), { name: 'InternalFailure' }));
    const warnings: string[] = [];
    const { value } = await run(makeSettings(), context({ ...silentLogger, warn: (m) => warnings.push(m) }));
    expect(value?.result).toBe('deployed');
    expect(warnings).toEqual([expect.stringContaining('Could not read stack events')]);
  });
});

describe('plan mode', () => {
  it('deletes the change set and the empty stack it made for a new stack', async () => {
    cfn
      .on(DescribeStacksCommand)
      .rejectsOnce(notFound())
      .resolves({ Stacks: [stack('REVIEW_IN_PROGRESS')] });
    changeSetReady([change('Queue', 'Add')]);
    const { value } = await run(makeSettings({ mode: 'plan' }));
    expect(value?.result).toBe('planned');
    expect(cfn.commandCalls(DeleteChangeSetCommand)).toHaveLength(1);
    expect(cfn.commandCalls(DeleteStackCommand)[0]?.args[0].input).toEqual({ StackName: STACK_ID });
    expect(cfn.commandCalls(ExecuteChangeSetCommand)).toHaveLength(0);
  });

  it('keeps the change set when asked', async () => {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [stack('UPDATE_COMPLETE')] });
    changeSetReady([change('Queue', 'Modify')]);
    const { value } = await run(makeSettings({ mode: 'plan', keepChangeSet: true }));
    expect(value?.changeSet).toMatchObject({
      name: expect.stringMatching(/^mad-release-0123456-42-1-plan-[0-9a-f]{8}$/),
      id: CS_ID,
      kept: true,
    });
    expect(cfn.commandCalls(DeleteChangeSetCommand)).toHaveLength(0);
  });

  it("leaves a REVIEW_IN_PROGRESS stack it did not make, with another run's kept change set, as it is", async () => {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [stack('REVIEW_IN_PROGRESS')] });
    changeSetReady([change('Queue', 'Add')]);
    cfn.on(ListChangeSetsCommand).resolves({
      Summaries: [{ ChangeSetId: 'arn:aws:cloudformation:eu-west-1:111111111111:changeSet/mad-release-x/1' }],
    });
    const { value } = await run(makeSettings({ mode: 'plan' }));
    expect(value?.result).toBe('planned');
    expect(cfn.commandCalls(CreateChangeSetCommand)[0]?.args[0].input.ChangeSetType).toBe('CREATE');
    expect(cfn.commandCalls(DeleteChangeSetCommand)[0]?.args[0].input.ChangeSetName).toBe(CS_ID);
    expect(cfn.commandCalls(DeleteStackCommand)).toHaveLength(0);
  });

  it('keeps the stack its CREATE change set made while another change set is on it', async () => {
    cfn
      .on(DescribeStacksCommand)
      .rejectsOnce(notFound())
      .resolves({ Stacks: [stack('REVIEW_IN_PROGRESS')] });
    changeSetReady([change('Queue', 'Add')]);
    cfn.on(ListChangeSetsCommand).resolves({
      Summaries: [{ ChangeSetId: CS_ID }, { ChangeSetId: `${CS_ID}-other`, ChangeSetName: 'mad-release-y' }],
    });
    const lines: string[] = [];
    await run(makeSettings({ mode: 'plan' }), context({ ...silentLogger, info: (m) => lines.push(m) }));
    expect(cfn.commandCalls(ListChangeSetsCommand)[0]?.args[0].input).toEqual({ StackName: STACK_ID });
    expect(cfn.commandCalls(DeleteStackCommand)).toHaveLength(0);
    expect(lines.join('\n')).toContain('it holds other change sets (mad-release-y)');
  });

  it("names a pull request's plan mad-pr-<number>-, passes no execution role and deletes no stack", async () => {
    cfn
      .on(DescribeStacksCommand)
      .rejectsOnce(notFound())
      .resolves({ Stacks: [stack('REVIEW_IN_PROGRESS')] });
    changeSetReady([change('Queue', 'Add')]);
    const settings = makeSettings({
      mode: 'plan',
      executionRoleArn: 'arn:aws:iam::111111111111:role/exec',
      provenance: { ...makeSettings().provenance, pullRequest: '7', eventName: 'pull_request' },
    });
    const { value } = await run(settings);
    expect(value?.result).toBe('planned');
    const input = cfn.commandCalls(CreateChangeSetCommand)[0]?.args[0].input;
    expect(input?.ChangeSetName).toMatch(/^mad-pr-7-0123456-42-1-plan-[0-9a-f]{8}$/);
    expect(input?.RoleARN).toBeUndefined();
    expect(cfn.commandCalls(DeleteChangeSetCommand)).toHaveLength(1);
    expect(cfn.commandCalls(DeleteStackCommand)).toHaveLength(0);
  });

  it('plans a ROLLBACK_COMPLETE stack as deleted and created again, without a change set or a delete', async () => {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [stack('ROLLBACK_COMPLETE')] });
    const { value, error } = await run(makeSettings({ mode: 'plan', keepChangeSet: true }));
    expect(error).toBeUndefined();
    expect(value).toMatchObject({
      result: 'planned',
      stackStatus: 'ROLLBACK_COMPLETE',
      changes: [expect.objectContaining({ logicalId: 'Queue', action: 'add', type: 'AWS::SQS::Queue' })],
    });
    expect(value?.changeSet).toBeUndefined();
    expect(value?.notes.join(' ')).toContain('mode deploy deletes it and creates it again');
    expect(value?.notes.join(' ')).toContain('No change set was kept');
    expect(cfn.commandCalls(CreateChangeSetCommand)).toHaveLength(0);
    expect(cfn.commandCalls(DeleteStackCommand)).toHaveLength(0);
  });

  it('cleans up and explains a change set that fails validation', async () => {
    cfn
      .on(DescribeStacksCommand)
      .rejectsOnce(notFound())
      .resolves({ Stacks: [stack('REVIEW_IN_PROGRESS')] });
    cfn.on(CreateChangeSetCommand).resolves({ Id: CS_ID, StackId: STACK_ID });
    cfn.on(DescribeChangeSetCommand).resolves({
      Status: 'FAILED',
      StatusReason: 'Template format error: Unresolved resource dependencies [Nope]',
    });
    const { error } = await run(makeSettings({ mode: 'plan' }));
    expect((error as Error).message).toContain('Unresolved resource dependencies [Nope]');
    expect(cfn.commandCalls(DeleteChangeSetCommand)).toHaveLength(1);
    expect(cfn.commandCalls(DeleteStackCommand)).toHaveLength(1);
  });
});

describe('execute mode', () => {
  const EXEC = 'arn:aws:iam::111111111111:role/exec';
  const settings = makeSettings({ mode: 'execute', changeSetName: CS_ID, executionRoleArn: EXEC });
  // The plan ran in another job: its run URL and actor differ, and they do not decide the change.
  const planTags = stackTags(
    {
      ...settings,
      provenance: {
        ...settings.provenance,
        runUrl: 'https://github.com/acme/app/actions/runs/41',
        actor: 'someone',
      },
    },
    fingerprint(settings),
  );
  const honest = (extra: Record<string, unknown> = {}) => ({
    ChangeSetId: CS_ID,
    ChangeSetName: 'mad-0123456-42-1',
    StackId: STACK_ID,
    StackName: 'app',
    Status: 'CREATE_COMPLETE' as const,
    ExecutionStatus: 'AVAILABLE' as const,
    CreationTime: T0,
    Changes: [change('Queue', 'Modify')],
    Parameters: [
      { ParameterKey: 'Size', ParameterValue: '3' },
      { ParameterKey: 'Password', ParameterValue: '****' },
    ],
    Capabilities: ['CAPABILITY_IAM' as const],
    Tags: planTags,
    // Whoever makes a change set writes its Description: it is never read as proof.
    Description: 'multi-account-deploy sha256:whatever',
    ...extra,
  });
  const deployed = (extra: Partial<Stack> = {}) =>
    cfn
      .on(DescribeStacksCommand)
      .resolves({ Stacks: [stack('UPDATE_COMPLETE', { RoleARN: EXEC, ...extra })] });
  const reviewed = (extra: Record<string, unknown> = {}, template = settings.template.body) => {
    cfn.on(DescribeChangeSetCommand).resolves(honest(extra));
    cfn.on(GetTemplateCommand).resolves({ TemplateBody: template });
  };
  const nothingDeleted = () => {
    expect(cfn.commandCalls(DeleteChangeSetCommand)).toHaveLength(0);
    expect(cfn.commandCalls(DeleteStackCommand)).toHaveLength(0);
  };

  it('executes the change set by its ARN when the change set itself is what this run would create', async () => {
    deployed();
    reviewed();
    const { value, error } = await run(settings);
    expect(error).toBeUndefined();
    expect(value?.result).toBe('executed');
    expect(cfn.commandCalls(DescribeChangeSetCommand)[0]?.args[0].input).toMatchObject({
      ChangeSetName: CS_ID,
      StackName: undefined,
    });
    expect(cfn.commandCalls(GetTemplateCommand)[0]?.args[0].input).toEqual({
      StackName: STACK_ID,
      ChangeSetName: CS_ID,
      TemplateStage: 'Original',
    });
    expect(cfn.commandCalls(CreateChangeSetCommand)).toHaveLength(0);
    expect(cfn.commandCalls(ExecuteChangeSetCommand)[0]?.args[0].input.ChangeSetName).toBe(CS_ID);
    expect(value?.notes.join(' ')).toContain('The NoEcho parameters Password were not compared');
    nothingDeleted();
  });

  it('looks a name up on this run’s stack, and executes it by the ARN it verified', async () => {
    deployed();
    reviewed();
    const { value } = await run({ ...settings, changeSetName: 'mad-0123456-42-1' });
    expect(value?.result).toBe('executed');
    expect(cfn.commandCalls(DescribeChangeSetCommand)[0]?.args[0].input).toMatchObject({
      ChangeSetName: 'mad-0123456-42-1',
      StackName: 'app',
    });
    expect(cfn.commandCalls(ExecuteChangeSetCommand)[0]?.args[0].input.ChangeSetName).toBe(CS_ID);
  });

  const otherTemplate = `${settings.template.body}  Planted: { Type: AWS::SNS::Topic }\n`;
  const tagged = (key: string, value: string) => [
    ...planTags.filter((t) => t.Key !== key),
    { Key: key, Value: value },
  ];
  it.each<[string, Record<string, unknown>, string | undefined, Partial<Stack>, string]>([
    ['its own template differs', {}, otherTemplate, {}, 'template: the change set'],
    [
      'a parameter differs',
      { Parameters: [{ ParameterKey: 'Size', ParameterValue: '4' }] },
      undefined,
      {},
      'parameters: Size',
    ],
    ['a parameter is missing', { Parameters: [] }, undefined, {}, 'parameters: Size'],
    [
      'its capabilities differ',
      { Capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM'] },
      undefined,
      {},
      'capabilities: the change set acknowledges [CAPABILITY_IAM,CAPABILITY_NAMED_IAM], this run [CAPABILITY_IAM]',
    ],
    ['a user tag differs', { Tags: tagged('team', 'evil') }, undefined, {}, 'tags: team'],
    [
      'the commit tag differs',
      { Tags: tagged('multi-account-deploy:commit', 'fedcba9') },
      undefined,
      {},
      'tags: multi-account-deploy:commit',
    ],
    [
      'it is for another stack',
      { StackName: 'other' },
      undefined,
      {},
      'stack: the change set is for stack other',
    ],
    [
      'it imports resources',
      { Changes: [change('Queue', 'Import')] },
      undefined,
      {},
      'type: the change set imports resources (Queue)',
    ],
    [
      'it notifies a topic',
      { NotificationARNs: ['arn:aws:sns:eu-west-1:1:t'] },
      undefined,
      {},
      'notifications',
    ],
    [
      'the stack runs with another role',
      {},
      undefined,
      { RoleARN: 'arn:aws:iam::111111111111:role/admin' },
      'execution role: the stack runs with arn:aws:iam::111111111111:role/admin',
    ],
  ])(
    'refuses a change set when %s, naming it, executing and deleting nothing',
    async (_, extra, template, stackExtra, text) => {
      deployed(stackExtra);
      reviewed(extra, template);
      const { value, error } = await run(settings);
      expect(error).toBeUndefined();
      expect(value?.result).toBe('failed');
      expect(value?.failure?.message).toContain('Refusing to execute change set mad-0123456-42-1');
      expect(value?.failure?.message).toContain(text);
      expect(value?.failure?.message).toContain('Nothing was executed and nothing was deleted.');
      expect(cfn.commandCalls(ExecuteChangeSetCommand)).toHaveLength(0);
      nothingDeleted();
    },
  );

  it('keeps a change set CloudFormation refuses to execute', async () => {
    deployed();
    reviewed();
    cfn.on(ExecuteChangeSetCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDenied' }));
    const { error } = await run(settings);
    expect((error as UserError).hint).toContain('the change set was kept as it was');
    nothingDeleted();
  });

  it('keeps a change set with destructive changes it may not run', async () => {
    deployed();
    reviewed({ Changes: [change('Queue', 'Remove')] });
    const { value } = await run(settings);
    expect(value?.failure?.message).toContain('The change set was kept; nothing was changed.');
    expect(cfn.commandCalls(ExecuteChangeSetCommand)).toHaveLength(0);
    nothingDeleted();
  });

  it('deletes nothing on a ROLLBACK_COMPLETE stack', async () => {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [stack('ROLLBACK_COMPLETE')] });
    reviewed();
    const { error } = await run(settings);
    expect((error as Error).message).toContain(
      'is ROLLBACK_COMPLETE; change set mad-0123456-42-1 cannot run on it, and mode execute deletes nothing',
    );
    cfn
      .on(DescribeChangeSetCommand)
      .rejects(
        Object.assign(new Error('ChangeSet [x] does not exist'), { name: 'ChangeSetNotFoundException' }),
      );
    expect(((await run(settings)).error as Error).message).toContain('does not exist');
    expect(cfn.commandCalls(ExecuteChangeSetCommand)).toHaveLength(0);
    nothingDeleted();
  });

  it('refuses a missing or already executed change set', async () => {
    deployed();
    cfn.on(DescribeChangeSetCommand).rejectsOnce(
      Object.assign(new Error('ChangeSet [reviewed] does not exist'), {
        name: 'ChangeSetNotFoundException',
      }),
    );
    expect(((await run(settings)).error as Error).message).toContain(
      `Change set ${CS_ID} of stack app does not exist`,
    );
    cfn.on(DescribeChangeSetCommand).resolves(honest({ ExecutionStatus: 'EXECUTE_COMPLETE' }));
    expect(((await run(settings)).error as Error).message).toContain(
      'cannot be executed: its status is CREATE_COMPLETE/EXECUTE_COMPLETE',
    );
    nothingDeleted();
  });
});

describe('change-set names', () => {
  it('are unique per request and carry the prefix IAM keys on', () => {
    const settings = makeSettings({ mode: 'plan' });
    const a = changeSetName(settings, T0);
    const b = changeSetName(settings, T0);
    expect(a).not.toBe(b);
    expect(a.startsWith(CHANGE_SET_PREFIX.release)).toBe(true);
    const local = makeSettings({ provenance: {} });
    expect(changeSetName(local, T0, 'abcd1234')).toBe('mad-release-local-deploy-20261125100000-abcd1234');
    const pr = makeSettings({ provenance: { ...settings.provenance, eventName: 'pull_request_target' } });
    expect(changeSetName(pr, T0, 'abcd1234')).toBe('mad-pr-0-0123456-42-1-deploy-abcd1234');
    expect(changeSetName(makeSettings({ provenance: { runId: 'x'.repeat(200) } }))).toHaveLength(128);
  });

  it('give a ClientToken that is the same for a retried request and differs whenever the request does', () => {
    const request = {
      StackName: 'app',
      ChangeSetName: 'mad-release-1',
      Parameters: [{ ParameterKey: 'Size', ParameterValue: '3' }],
    };
    expect(clientToken(request)).toBe(clientToken({ ...request }));
    expect(clientToken(request)).not.toBe(
      clientToken({ ...request, Parameters: [{ ParameterKey: 'Size', ParameterValue: '4' }] }),
    );
    expect(clientToken(request)).toMatch(/^[a-zA-Z0-9][-a-zA-Z0-9]{0,127}$/);
  });
});
