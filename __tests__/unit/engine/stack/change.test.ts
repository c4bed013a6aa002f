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
  UpdateTerminationProtectionCommand,
  type Change,
  type Stack,
  type StackEvent,
} from '@aws-sdk/client-cloudformation';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { createClients } from '../../../../src/aws/clients.js';
import { fingerprint } from '../../../../src/engine/stack/fingerprint.js';
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
      ChangeSetName: 'mad-0123456-42-1-deploy-tp1yg0',
      ClientToken: 'mad-0123456-42-1-deploy-tp1yg0',
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
    expect(cfn.commandCalls(ExecuteChangeSetCommand)[0]?.args[0].input).toMatchObject({
      ChangeSetName: CS_ID,
      DisableRollback: false,
    });
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
    expect(value?.changeSet).toMatchObject({ name: 'mad-0123456-42-1-plan-tp1yg0', kept: true });
    expect(cfn.commandCalls(DeleteChangeSetCommand)).toHaveLength(0);
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
  const settings = makeSettings({ mode: 'execute', changeSetName: 'reviewed' });

  it("executes the reviewed change set when it carries this run's fingerprint", async () => {
    cfn
      .on(DescribeStacksCommand)
      .resolvesOnce({ Stacks: [stack('UPDATE_COMPLETE')] })
      .resolves({ Stacks: [stack('UPDATE_COMPLETE')] });
    changeSetReady([change('Queue', 'Modify')], `multi-account-deploy sha256:${fingerprint(settings)}`);
    const { value } = await run(settings);
    expect(value?.result).toBe('executed');
    expect(cfn.commandCalls(CreateChangeSetCommand)).toHaveLength(0);
    expect(cfn.commandCalls(ExecuteChangeSetCommand)[0]?.args[0].input.ChangeSetName).toBe(CS_ID);
  });

  it('refuses a change set made from other inputs', async () => {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [stack('UPDATE_COMPLETE')] });
    changeSetReady([change('Queue', 'Modify')], `multi-account-deploy sha256:${'0'.repeat(64)}`);
    const { error } = await run(settings);
    expect((error as Error).message).toContain("was not made from this run's template and parameters");
    expect(cfn.commandCalls(ExecuteChangeSetCommand)).toHaveLength(0);
  });

  it('refuses a missing or already executed change set', async () => {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [stack('UPDATE_COMPLETE')] });
    cfn.on(DescribeChangeSetCommand).rejectsOnce(
      Object.assign(new Error('ChangeSet [reviewed] does not exist'), {
        name: 'ChangeSetNotFoundException',
      }),
    );
    expect(((await run(settings)).error as Error).message).toContain(
      'Change set reviewed of stack app does not exist',
    );
    cfn
      .on(DescribeChangeSetCommand)
      .resolves({ Status: 'CREATE_COMPLETE', ExecutionStatus: 'EXECUTE_COMPLETE' });
    expect(((await run(settings)).error as Error).message).toContain(
      'cannot be executed: its status is CREATE_COMPLETE/EXECUTE_COMPLETE',
    );
  });
});
