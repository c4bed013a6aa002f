import { jest } from '@jest/globals';
import {
  CloudFormationClient,
  CreateChangeSetCommand,
  DeleteChangeSetCommand,
  DeleteStackCommand,
  DescribeChangeSetCommand,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  ExecuteChangeSetCommand,
  ListChangeSetsCommand,
  UpdateTerminationProtectionCommand,
} from '@aws-sdk/client-cloudformation';
import { ECRClient } from '@aws-sdk/client-ecr';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import type { PermissionsFinding } from '../../../src/report/model.js';
import { makeSettings } from '../fixtures.js';

// The permissions phase is its own room with its own tests; here it is a check that takes time and passes or
// fails, so that what deploy() does alongside it can be seen.
const order: string[] = [];
let verdict: 'pass' | 'fail' = 'pass';
jest.unstable_mockModule('../../../src/engine/permissions/index.js', () => ({
  checkPermissions: async () => {
    order.push('permissions:start');
    await new Promise((r) => setTimeout(r, 150));
    order.push('permissions:end');
    return { roleName: 'deploy', missing: verdict === 'fail' ? [{}] : [] } as unknown as PermissionsFinding;
  },
  permissionsFailure: (f: PermissionsFinding) =>
    f.missing.length > 0
      ? { message: 'The role deploy lacks cloudformation:ExecuteChangeSet.', hint: 'Apply the policy.' }
      : undefined,
}));
const { deploy } = await import('../../../src/engine/deploy.js');
const { createClients } = await import('../../../src/aws/clients.js');
const { silentLogger } = await import('../../../src/logger.js');

const cfn = mockClient(CloudFormationClient);
const sts = mockClient(STSClient);
const ecr = mockClient(ECRClient);
const STACK_ID = 'arn:aws:cloudformation:eu-west-1:111111111111:stack/app/abc';
const CS_ID = 'arn:aws:cloudformation:eu-west-1:111111111111:changeSet/cs/def';

beforeEach(() => {
  order.length = 0;
  cfn.reset();
  sts.reset();
  ecr.reset();
  sts.on(GetCallerIdentityCommand).resolves({
    Account: '111111111111',
    Arn: 'arn:aws:sts::111111111111:assumed-role/deploy/run',
  });
  let created = false;
  cfn.on(DescribeStacksCommand).callsFake(() => {
    if (!created)
      throw Object.assign(new Error('Stack with id app does not exist'), { name: 'ValidationError' });
    return { Stacks: [{ StackName: 'app', StackId: STACK_ID, StackStatus: 'REVIEW_IN_PROGRESS' }] };
  });
  cfn.on(CreateChangeSetCommand).callsFake(() => {
    order.push('CreateChangeSet');
    created = true;
    return { Id: CS_ID, StackId: STACK_ID };
  });
  cfn.on(DescribeChangeSetCommand).resolves({
    Status: 'CREATE_COMPLETE',
    ExecutionStatus: 'AVAILABLE',
    ChangeSetId: CS_ID,
    Changes: [
      {
        Type: 'Resource',
        ResourceChange: { Action: 'Add', LogicalResourceId: 'Queue', ResourceType: 'AWS::SQS::Queue' },
      },
    ],
  });
  cfn.on(ExecuteChangeSetCommand).callsFake(() => {
    order.push('ExecuteChangeSet');
    return {};
  });
  cfn.on(DeleteChangeSetCommand).resolves({});
  cfn.on(DeleteStackCommand).resolves({});
  cfn.on(ListChangeSetsCommand).resolves({ Summaries: [] });
  cfn.on(DescribeStackEventsCommand).resolves({ StackEvents: [] });
  cfn.on(UpdateTerminationProtectionCommand).resolves({});
});

const run = (repositories: string[] = []) =>
  deploy(
    makeSettings({
      roleArn: undefined,
      permissions: 'enforce',
      ecrRepositories: repositories.map((name) => ({ name }) as never),
    }),
    {
      clients: (credentials) => createClients({ region: 'eu-west-1', credentials }),
      logger: silentLogger,
    },
  );

describe('deploy: the change set is made while the checks run', () => {
  it('creates the change set before the permissions check has finished, and executes only after it', async () => {
    verdict = 'pass';
    // The stack this run creates: after ExecuteChangeSet it is complete.
    cfn.on(DescribeStacksCommand).callsFake(() => {
      const done = order.includes('ExecuteChangeSet');
      if (!order.includes('CreateChangeSet'))
        throw Object.assign(new Error('Stack with id app does not exist'), { name: 'ValidationError' });
      return {
        Stacks: [
          {
            StackName: 'app',
            StackId: STACK_ID,
            StackStatus: done ? 'CREATE_COMPLETE' : 'REVIEW_IN_PROGRESS',
            CreationTime: new Date(),
            EnableTerminationProtection: true,
          },
        ],
      };
    });
    const { report } = await run();
    expect(report.failure).toBeUndefined();
    expect(report.result).toBe('deployed');
    expect(order.indexOf('CreateChangeSet')).toBeLessThan(order.indexOf('permissions:end'));
    expect(order.indexOf('ExecuteChangeSet')).toBeGreaterThan(order.indexOf('permissions:end'));
    expect(report.timings.map((t) => t.phase)).toEqual(
      expect.arrayContaining(['Permissions', 'Change set', 'Total']),
    );
  });

  it('a failed permissions check executes nothing, writes nothing to ECR, and deletes the change set', async () => {
    verdict = 'fail';
    const { report } = await run(['web']);
    expect(report.result).toBe('failed');
    expect(report.failure?.message).toBe('The role deploy lacks cloudformation:ExecuteChangeSet.');
    expect(order).toContain('CreateChangeSet');
    expect(cfn.commandCalls(ExecuteChangeSetCommand)).toHaveLength(0);
    expect(ecr.calls()).toHaveLength(0);
    expect(cfn.commandCalls(DeleteChangeSetCommand)[0]?.args[0].input).toMatchObject({
      ChangeSetName: CS_ID,
    });
    // The empty REVIEW_IN_PROGRESS stack the CREATE change set made is gone too.
    expect(cfn.commandCalls(DeleteStackCommand)[0]?.args[0].input).toMatchObject({ StackName: STACK_ID });
  });
});

describe('deploy: the stack is read while the identity is checked', () => {
  const slowIdentity = (identity: { Account: string; Arn: string }) =>
    sts.on(GetCallerIdentityCommand).callsFake(async () => {
      order.push('GetCallerIdentity:start');
      await new Promise((r) => setTimeout(r, 50));
      order.push('GetCallerIdentity:end');
      return identity;
    });

  it('sends DescribeStacks before GetCallerIdentity has answered, and nothing else until it has', async () => {
    verdict = 'pass';
    slowIdentity({ Account: '111111111111', Arn: 'arn:aws:sts::111111111111:assumed-role/deploy/run' });
    const reads: string[] = [];
    cfn.on(DescribeStacksCommand).callsFake(() => {
      reads.push(order.includes('GetCallerIdentity:end') ? 'after' : 'during');
      if (!order.includes('CreateChangeSet'))
        throw Object.assign(new Error('Stack with id app does not exist'), { name: 'ValidationError' });
      const done = order.includes('ExecuteChangeSet');
      const status = done ? 'CREATE_COMPLETE' : 'REVIEW_IN_PROGRESS';
      return {
        Stacks: [{ StackName: 'app', StackId: STACK_ID, StackStatus: status, CreationTime: new Date() }],
      };
    });
    const { report } = await run();
    expect(report.result).toBe('deployed');
    expect(reads[0]).toBe('during');
    expect(order.indexOf('CreateChangeSet')).toBeGreaterThan(order.indexOf('GetCallerIdentity:end'));
  });

  it('changes nothing when the identity is refused, whatever the read found', async () => {
    slowIdentity({ Account: '111111111111', Arn: 'arn:aws:iam::111111111111:root' });
    const { report } = await run();
    expect(report.failure?.message).toContain('Refusing to deploy with the root user');
    expect(cfn.commandCalls(DescribeStacksCommand)).toHaveLength(1);
    expect(order).not.toContain('CreateChangeSet');
    expect(cfn.commandCalls(CreateChangeSetCommand)).toHaveLength(0);
  });
});
