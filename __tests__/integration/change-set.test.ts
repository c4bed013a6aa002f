import { ListChangeSetsCommand } from '@aws-sdk/client-cloudformation';
import { startCountingProxy, type CountingProxy } from '../../scripts/lib/counting-proxy.mjs';
import { cloudformation, describeStack, liveStacks } from './harness/aws.js';
import { motoEndpoint, resetMoto } from './harness/moto.js';
import { EXAMPLE, runAction } from './harness/run-action.js';

let proxy: CountingProxy;
beforeAll(async () => {
  proxy = await startCountingProxy(motoEndpoint());
});
afterAll(() => proxy.close());
beforeEach(async () => {
  await resetMoto();
  proxy.reset();
});

const inputs = { ...EXAMPLE.inputs, environment: 'dev' };

async function deployed(extra: Record<string, string> = {}, workspace?: string) {
  return runAction({
    ...EXAMPLE,
    ...(workspace ? { workspace, files: undefined } : {}),
    inputs: { ...inputs, ...extra },
    endpoint: proxy.url,
  });
}

describe('the change-set engine on the emulator', () => {
  it('creates, updates through parameter-overrides, then recognises an unchanged redeploy in few requests', async () => {
    const create = await deployed();
    expect(create.code).toBe(0);
    expect(create.outputs).toMatchObject({ result: 'deployed', 'stack-status': 'CREATE_COMPLETE' });
    const tags = Object.fromEntries(
      ((await describeStack('example'))?.Tags ?? []).map((t) => [t.Key, t.Value]),
    );
    expect(tags).toMatchObject({
      'multi-account-deploy:repository': 'acme/app',
      'multi-account-deploy:commit': '0123456789abcdef0123456789abcdef01234567',
      'multi-account-deploy:environment': 'dev',
      'multi-account-deploy:actor': 'octocat',
    });
    expect(tags['multi-account-deploy:run-url']).toMatch(
      /^https:\/\/github.com\/acme\/app\/actions\/runs\/\d+\/attempts\/1$/,
    );

    const update = await deployed({ 'parameter-overrides': 'RetentionSeconds=86400' }, create.workspace);
    expect(update.code).toBe(0);
    expect(update.outputs).toMatchObject({ result: 'deployed', 'stack-status': 'UPDATE_COMPLETE' });
    const params = (await describeStack('example'))?.Parameters?.find(
      (p) => p.ParameterKey === 'RetentionSeconds',
    );
    expect(params?.ParameterValue).toBe('86400');

    proxy.reset();
    const noop = await deployed({ 'parameter-overrides': 'RetentionSeconds=86400' }, create.workspace);
    expect(noop.code).toBe(0);
    expect(noop.outputs).toMatchObject({
      result: 'no-changes',
      'has-changes': 'false',
      'stack-status': 'UPDATE_COMPLETE',
    });
    expect(proxy.operations).not.toContain('CreateChangeSet');
    expect(proxy.count()).toBeLessThanOrEqual(5);
  });

  it('plans without leaving a stack or change set behind', async () => {
    const plan = await deployed({ mode: 'plan' });
    expect(plan.code).toBe(0);
    expect(plan.outputs).toMatchObject({ result: 'planned', 'has-changes': 'true' });
    expect(plan.summary).toContain('2 to add — planned');
    expect(await liveStacks()).toEqual({});
  });

  it('executes exactly the change set a plan kept, and refuses it for other inputs', async () => {
    const base = await deployed();
    expect(base.code).toBe(0);
    const plan = await deployed(
      { mode: 'plan', 'keep-change-set': 'true', 'parameter-overrides': 'RetentionSeconds=120' },
      base.workspace,
    );
    expect(plan.outputs.result).toBe('planned');
    const name = plan.outputs['change-set-name'] ?? '';
    expect(name).toMatch(/^mad-release-0123456-\d+-1-plan-[0-9a-f]{8}$/);
    const kept = await cloudformation().send(new ListChangeSetsCommand({ StackName: 'example' }));
    // (the emulator also lists executed change sets; AWS removes them)
    expect(
      kept.Summaries?.filter((s) => s.ExecutionStatus === 'AVAILABLE').map((s) => s.ChangeSetName),
    ).toEqual([name]);

    const other = await deployed(
      { mode: 'execute', 'change-set-name': name, 'parameter-overrides': 'RetentionSeconds=999' },
      base.workspace,
    );
    expect(other.code).toBe(1);
    expect(other.stdout).toContain(
      `Refusing to execute change set ${name}: it is not what this run would create — parameters: RetentionSeconds has another value`,
    );

    const execute = await deployed(
      { mode: 'execute', 'change-set-name': name, 'parameter-overrides': 'RetentionSeconds=120' },
      base.workspace,
    );
    expect(execute.code).toBe(0);
    expect(execute.outputs).toMatchObject({
      result: 'executed',
      'stack-status': 'UPDATE_COMPLETE',
      'change-set-name': name,
    });
    const value = (await describeStack('example'))?.Parameters?.find(
      (p) => p.ParameterKey === 'RetentionSeconds',
    )?.ParameterValue;
    expect(value).toBe('120');
  });

  it('gives a clear error for a change set CloudFormation cannot run, and leaves nothing behind', async () => {
    const template =
      'Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: "not a valid name!"\n';
    const run = await runAction({
      files: { 'bad.yaml': template },
      inputs: { ...inputs, template: 'bad.yaml' },
      endpoint: proxy.url,
    });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(
      /::error::CloudFormation refused to execute change set mad-\S+ of example: .*alphanumeric/,
    );
    expect(run.outputs.result).toBe('failed');
    expect(await liveStacks()).toEqual({});
  });

  it('rejects a template with a resource without Type before any call', async () => {
    const run = await runAction({
      files: { 'bad.yaml': 'Resources:\n  Queue:\n    Properties: {}\n' },
      inputs: { ...inputs, template: 'bad.yaml' },
      endpoint: proxy.url,
    });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      `Input 'template' is "bad.yaml": expected a CloudFormation template, but it is not a valid template: resource Queue has no Type.`,
    );
    expect(proxy.count()).toBe(0);
  });

  it('refuses to remove a resource unless allow-destructive names it', async () => {
    const base = await deployed();
    expect(base.code).toBe(0);
    proxy.reset();
    const withoutTopic = 'Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n';
    const refused = await runAction({
      workspace: base.workspace,
      files: { 'small.yaml': withoutTopic },
      inputs: { ...inputs, template: 'small.yaml' },
      endpoint: proxy.url,
    });
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain(
      'Refusing to deploy: destructive changes to Topic (AWS::SNS::Topic: remove)',
    );
    expect(refused.outputs).toMatchObject({ result: 'failed', destructive: 'true' });
    expect(proxy.operations).not.toContain('ExecuteChangeSet');

    const allowed = await runAction({
      workspace: base.workspace,
      inputs: { ...inputs, template: 'small.yaml', 'allow-destructive': 'Topic' },
      endpoint: proxy.url,
    });
    expect(allowed.code).toBe(0);
    expect(allowed.outputs).toMatchObject({ result: 'deployed', destructive: 'true' });
  });
});
