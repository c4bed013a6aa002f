// The change-set lifecycle where AWS differs from moto, on response shapes from the AWS API reference: nested change
// sets (IncludeNestedStacks, ChangeSetId), early validation (DescribeEvents OperationEvents), the fast no-op's limits,
// termination protection on an unchanged stack, UsePreviousValue only on UPDATE, OnStackFailure, and an
// ExecuteChangeSet whose outcome is unknown.
import { jest } from '@jest/globals';
import {
  CloudFormationClient,
  CreateChangeSetCommand,
  DeleteChangeSetCommand,
  DescribeChangeSetCommand,
  DescribeEventsCommand,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  ExecuteChangeSetCommand,
  GetTemplateCommand,
  UpdateTerminationProtectionCommand,
  type Change,
  type Stack,
} from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { createClients } from '../../../../src/aws/clients.js';
import { fingerprint } from '../../../../src/engine/stack/fingerprint.js';
import { runStackChange, type StackChangeContext } from '../../../../src/engine/stack/index.js';
import { silentLogger, type Logger } from '../../../../src/logger.js';
import type { Settings } from '../../../../src/config/settings.js';
import { makeSettings } from '../../fixtures.js';

const cfn = mockClient(CloudFormationClient);
const STACK_ID = 'arn:aws:cloudformation:eu-west-1:111111111111:stack/app/abc';
const CS_ID = 'arn:aws:cloudformation:eu-west-1:111111111111:changeSet/mad-1/def';
const NESTED_ID = 'arn:aws:cloudformation:eu-west-1:111111111111:changeSet/mad-1-Database-ABC/123';
const T0 = new Date('2026-11-25T10:00:00Z');

const stack = (status: string, extra: Partial<Stack> = {}): Stack => ({
  StackName: 'app',
  StackId: STACK_ID,
  StackStatus: status as Stack['StackStatus'],
  CreationTime: T0,
  EnableTerminationProtection: true,
  ...extra,
});
const notFound = () =>
  Object.assign(new Error('Stack with id app does not exist'), { name: 'ValidationError' });

function context(logger: Logger = silentLogger): StackChangeContext {
  const clients = createClients({
    region: 'eu-west-1',
    credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
  });
  return { clients, bestEffort: clients, logger, deadline: Date.now() + 3_600_000, now: () => T0 };
}

async function run(settings: Settings, ctx = context()) {
  const settled = runStackChange(settings, ctx).then(
    (value) => ({ value, error: undefined }),
    (error: unknown) => ({ value: undefined, error: error as Error & { hint?: string } }),
  );
  await jest.runAllTimersAsync();
  return settled;
}

const ready = (changes: Change[], extra = {}) => ({
  Status: 'CREATE_COMPLETE' as const,
  ExecutionStatus: 'AVAILABLE' as const,
  Changes: changes,
  CreationTime: T0,
  ChangeSetId: CS_ID,
  StackId: STACK_ID,
  ...extra,
});

beforeEach(() => {
  cfn.reset();
  jest.useFakeTimers({ now: T0 });
  cfn.on(DescribeStackEventsCommand).resolves({ StackEvents: [] });
  cfn.on(UpdateTerminationProtectionCommand).resolves({ StackId: STACK_ID });
  cfn.on(CreateChangeSetCommand).resolves({ Id: CS_ID, StackId: STACK_ID });
});
afterEach(() => jest.useRealTimers());

describe('nested change sets', () => {
  it('reads every page of a nested change set by its ARN and refuses its replaced table', async () => {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [stack('UPDATE_COMPLETE')] });
    cfn.on(GetTemplateCommand).resolves({ TemplateBody: 'other' });
    cfn.on(DescribeChangeSetCommand, { ChangeSetName: CS_ID }).resolves(
      ready(
        [
          {
            Type: 'Resource',
            ResourceChange: {
              Action: 'Modify',
              LogicalResourceId: 'Database',
              ResourceType: 'AWS::CloudFormation::Stack',
              Replacement: 'False',
              ChangeSetId: NESTED_ID,
            },
          },
        ],
        { IncludeNestedStacks: true },
      ),
    );
    cfn
      .on(DescribeChangeSetCommand, { ChangeSetName: NESTED_ID, NextToken: undefined })
      .resolves({
        ...ready([
          {
            Type: 'Resource',
            ResourceChange: {
              Action: 'Add',
              LogicalResourceId: 'Alarm',
              ResourceType: 'AWS::CloudWatch::Alarm',
            },
          },
        ]),
        ParentChangeSetId: CS_ID,
        RootChangeSetId: CS_ID,
        NextToken: 'page-2',
      })
      .on(DescribeChangeSetCommand, { ChangeSetName: NESTED_ID, NextToken: 'page-2' })
      .resolves(
        ready([
          {
            Type: 'Resource',
            ResourceChange: {
              Action: 'Modify',
              LogicalResourceId: 'Table',
              ResourceType: 'AWS::DynamoDB::Table',
              Replacement: 'True',
              PolicyAction: 'ReplaceAndDelete',
            },
          },
        ]),
      );
    const { value } = await run(makeSettings());
    expect(cfn.commandCalls(CreateChangeSetCommand)[0]?.args[0].input.IncludeNestedStacks).toBe(true);
    expect(value?.changes.map((c) => c.logicalId)).toEqual(['Database', 'Database/Table', 'Database/Alarm']);
    expect(value?.result).toBe('failed');
    expect(value?.failure?.message).toContain(
      'Database/Table (AWS::DynamoDB::Table: replace, holds data; the old resource is deleted after the replacement)',
    );
    expect(cfn.commandCalls(ExecuteChangeSetCommand)).toHaveLength(0);
    expect(cfn.commandCalls(DeleteChangeSetCommand)).toHaveLength(1);
    // The nested change set is read by ARN alone, with the property values.
    const nested = cfn
      .commandCalls(DescribeChangeSetCommand)
      .filter((c) => c.args[0].input.ChangeSetName === NESTED_ID);
    expect(nested.map((c) => c.args[0].input)).toEqual([
      { ChangeSetName: NESTED_ID, IncludePropertyValues: true, StackName: undefined, NextToken: undefined },
      { ChangeSetName: NESTED_ID, IncludePropertyValues: true, StackName: undefined, NextToken: 'page-2' },
    ]);
  });
});

describe('early validation', () => {
  const failed = {
    Status: 'FAILED' as const,
    StatusReason:
      'The following hook(s)/validation failed: [AWS::EarlyValidation::PropertyValidation]. To troubleshoot Early Validation errors, use the DescribeEvents API for detailed failure information.',
  };

  it('reports the VALIDATION_ERROR events with their property paths instead of the status reason', async () => {
    cfn.on(DescribeStacksCommand).rejects(notFound());
    cfn.on(DescribeChangeSetCommand).resolves(failed);
    cfn.on(DescribeEventsCommand).resolves({
      OperationEvents: [
        {
          EventId: '1',
          EventType: 'VALIDATION_ERROR',
          OperationType: 'CREATE_CHANGESET',
          OperationStatus: 'FAILED',
          LogicalResourceId: 'Queue',
          ResourceType: 'AWS::SQS::Queue',
          ValidationFailureMode: 'FAIL',
          ValidationName: 'PropertyValidation',
          ValidationStatus: 'FAILED',
          ValidationStatusReason: '#/MessageRetentionPeriod: 30 is less than the minimum of 60',
          ValidationPath: '/Resources/Queue/Properties/MessageRetentionPeriod',
        },
        { EventId: '2', EventType: 'STACK_EVENT', ResourceStatusReason: failed.StatusReason },
      ],
    });
    const { error } = await run(makeSettings({ mode: 'plan' }));
    expect(error?.message).toBe(
      "CloudFormation's validation refused the change set for app:\n/Resources/Queue/Properties/MessageRetentionPeriod: PropertyValidation: #/MessageRetentionPeriod: 30 is less than the minimum of 60",
    );
    expect(cfn.commandCalls(DescribeEventsCommand)[0]?.args[0].input).toMatchObject({ ChangeSetName: CS_ID });
    // Read before the change set is deleted.
    expect(cfn.commandCalls(DeleteChangeSetCommand)).toHaveLength(1);
  });

  it('falls back on the status reason when DescribeEvents is not there', async () => {
    cfn.on(DescribeStacksCommand).rejects(notFound());
    cfn
      .on(DescribeChangeSetCommand)
      .resolves({ Status: 'FAILED', StatusReason: 'Template format error: bad' });
    cfn
      .on(DescribeEventsCommand)
      .rejects(Object.assign(new Error('not implemented'), { name: 'InternalFailure' }));
    const { error } = await run(makeSettings({ mode: 'plan' }));
    expect(error?.message).toBe(
      'CloudFormation could not create the change set for app: Template format error: bad',
    );
  });
});

describe('the fast no-op', () => {
  const deployedAs = (settings: Settings, extra: Partial<Stack> = {}) =>
    stack('UPDATE_COMPLETE', {
      Parameters: settings.parameters.map((p) => ({ ParameterKey: p.key, ParameterValue: p.value })),
      Tags: [
        { Key: 'team', Value: 'web' },
        { Key: 'multi-account-deploy:fingerprint', Value: fingerprint(settings) },
      ],
      ...extra,
    });
  const plain = makeSettings();
  const withTemplate = (template: Partial<Settings['template']>) =>
    makeSettings({ template: { ...plain.template, ...template } });

  it.each([
    [
      'an SSM-typed parameter',
      withTemplate({
        parameters: [
          ...plain.template.parameters,
          { key: 'Ami', noEcho: false, hasDefault: true, type: 'AWS::SSM::Parameter::Value<String>' },
        ],
      }),
    ],
    ['a Transform', withTemplate({ transforms: ['AWS::Serverless-2016-10-31'] })],
    ['an Fn::Transform snippet', withTemplate({ transforms: ['Fn::Transform'] })],
    ['a nested stack', withTemplate({ resourceTypes: ['AWS::CloudFormation::Stack', 'AWS::SQS::Queue'] })],
    ['a module', withTemplate({ resourceTypes: ['Acme::Net::Vpc::MODULE'] })],
  ])('is not used for a template with %s: a change set is made', async (_what, settings) => {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [deployedAs(settings)] });
    cfn.on(GetTemplateCommand).resolves({ TemplateBody: settings.template.body });
    cfn
      .on(DescribeChangeSetCommand)
      .resolves({ Status: 'FAILED', StatusReason: "The submitted information didn't contain changes." });
    const { value } = await run(settings);
    expect(value?.result).toBe('no-changes');
    expect(cfn.commandCalls(CreateChangeSetCommand)).toHaveLength(1);
  });

  it('is used for the same template without them', async () => {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [deployedAs(plain)] });
    cfn.on(GetTemplateCommand).resolves({ TemplateBody: plain.template.body });
    const { value } = await run(plain);
    expect(value?.result).toBe('no-changes');
    expect(cfn.commandCalls(CreateChangeSetCommand)).toHaveLength(0);
    expect(cfn.commandCalls(UpdateTerminationProtectionCommand)).toHaveLength(0);
  });

  it('applies termination protection to an unchanged stack whose setting differs; plan only says so', async () => {
    const settings = makeSettings({ terminationProtection: false });
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [deployedAs(settings)] });
    cfn.on(GetTemplateCommand).resolves({ TemplateBody: settings.template.body });
    const { value } = await run(settings);
    expect(value?.result).toBe('no-changes');
    expect(cfn.commandCalls(UpdateTerminationProtectionCommand)[0]?.args[0].input).toEqual({
      StackName: STACK_ID,
      EnableTerminationProtection: false,
    });
    expect(value?.notes).toContain('Termination protection disabled on the unchanged stack.');

    cfn.resetHistory();
    const planned = await run({ ...settings, mode: 'plan' });
    expect(planned.value?.notes).toContain('A deploy would disable termination protection.');
    expect(cfn.commandCalls(UpdateTerminationProtectionCommand)).toHaveLength(0);
  });
});

describe('a first create', () => {
  it('never sends UsePreviousValue, and carries the on-create-failure choice', async () => {
    cfn
      .on(DescribeStacksCommand)
      .rejectsOnce(notFound())
      .resolves({ Stacks: [stack('CREATE_COMPLETE')] });
    cfn.on(DescribeChangeSetCommand).resolves(ready([]));
    const settings = makeSettings({
      onCreateFailure: 'do-nothing',
      template: {
        ...makeSettings().template,
        parameters: [...makeSettings().template.parameters, { key: 'Mode', noEcho: false, hasDefault: true }],
      },
      parameters: [...makeSettings().parameters, { key: 'Mode', usePreviousValue: true }],
    });
    await run(settings);
    const input = cfn.commandCalls(CreateChangeSetCommand)[0]?.args[0].input;
    expect(input?.ChangeSetType).toBe('CREATE');
    expect(input?.OnStackFailure).toBe('DO_NOTHING');
    expect(input?.Parameters?.map((p) => p.ParameterKey)).toEqual(['Size', 'Password']);
    expect(input?.Parameters?.some((p) => p.UsePreviousValue)).toBe(false);
  });

  it('an UPDATE keeps UsePreviousValue and sends no OnStackFailure', async () => {
    cfn.on(DescribeStacksCommand).resolves({
      Stacks: [
        stack('UPDATE_COMPLETE', { Parameters: [{ ParameterKey: 'Password', ParameterValue: '****' }] }),
      ],
    });
    cfn.on(GetTemplateCommand).resolves({ TemplateBody: 'older' });
    cfn
      .on(DescribeChangeSetCommand)
      .resolves({ Status: 'FAILED', StatusReason: 'No updates are to be performed.' });
    await run(makeSettings({ parameters: [{ key: 'Size', value: '3' }] }));
    const input = cfn.commandCalls(CreateChangeSetCommand)[0]?.args[0].input;
    expect(input?.OnStackFailure).toBeUndefined();
    expect(input?.Parameters).toEqual([
      { ParameterKey: 'Size', ParameterValue: '3' },
      { ParameterKey: 'Password', UsePreviousValue: true },
    ]);
  });
});

describe('an ExecuteChangeSet whose outcome is unknown', () => {
  const serverError = () =>
    Object.assign(new Error('We encountered an internal error.'), {
      name: 'InternalFailure',
      $fault: 'server',
      $metadata: { httpStatusCode: 500 },
    });
  const setUp = () => {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [stack('UPDATE_COMPLETE')] });
    cfn.on(GetTemplateCommand).resolves({ TemplateBody: 'older' });
    cfn.on(ExecuteChangeSetCommand).rejects(serverError());
  };

  it('follows the stack when the change set says the execution started', async () => {
    setUp();
    cfn
      .on(DescribeChangeSetCommand)
      // Created (ExecuteChangeSet follows at once), then started after the lost answer.
      .resolvesOnce(ready([]))
      .resolves(ready([], { ExecutionStatus: 'EXECUTE_IN_PROGRESS' }));
    const lines: string[] = [];
    const { value, error } = await run(
      makeSettings(),
      context({ ...silentLogger, warn: (m) => lines.push(m) }),
    );
    expect(error).toBeUndefined();
    expect(value?.result).toBe('deployed');
    expect(lines.join('\n')).toContain('but the change set is EXECUTE_IN_PROGRESS: following the stack');
    expect(cfn.commandCalls(DeleteChangeSetCommand)).toHaveLength(0);
  });

  it('reports the unanswered request and removes its change set only when the change set is still AVAILABLE', async () => {
    setUp();
    cfn.on(DescribeChangeSetCommand).resolves(ready([]));
    const { error } = await run(makeSettings());
    expect(error?.message).toContain('internal error');
    expect(cfn.commandCalls(DeleteChangeSetCommand)).toHaveLength(1);
    expect(cfn.commandCalls(DescribeStackEventsCommand)).toHaveLength(0);
  });

  it('says the outcome is unknown when the change set cannot be read', async () => {
    setUp();
    cfn
      .on(DescribeChangeSetCommand)
      .resolvesOnce(ready([]))
      .rejects(
        Object.assign(new Error('Rate exceeded'), {
          name: 'AccessDenied',
          $metadata: { httpStatusCode: 403 },
        }),
      );
    const { error } = await run(makeSettings());
    expect(error?.message).toContain('whether the stack is changing is unknown');
    expect(error?.message).not.toContain('nothing was changed');
    expect(cfn.commandCalls(DeleteChangeSetCommand)).toHaveLength(0);
  });

  it('treats a 4xx refusal as known: nothing changed', async () => {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [stack('UPDATE_COMPLETE')] });
    cfn.on(GetTemplateCommand).resolves({ TemplateBody: 'older' });
    cfn.on(DescribeChangeSetCommand).resolves(ready([]));
    cfn.on(ExecuteChangeSetCommand).rejects(
      Object.assign(new Error('cannot be executed in its current status'), {
        name: 'InvalidChangeSetStatus',
        $fault: 'client',
        $metadata: { httpStatusCode: 400 },
      }),
    );
    const { error } = await run(makeSettings());
    expect(error?.hint).toContain('The stack was not changed');
    expect(cfn.commandCalls(DescribeStackEventsCommand)).toHaveLength(0);
  });
});
