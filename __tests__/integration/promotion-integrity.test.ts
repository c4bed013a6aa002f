// Promotion integrity, tried as an attacker with pull-request rights would: the bundled action on moto, behind the
// fidelity layer (GetTemplate by change set, DescribeChangeSet's Tags and Capabilities, as AWS answers them).
import {
  CloudFormationClient,
  CreateChangeSetCommand,
  DeleteChangeSetCommand,
  DescribeChangeSetCommand,
  ListChangeSetsCommand,
  ListStackResourcesCommand,
  type Capability,
} from '@aws-sdk/client-cloudformation';
import { jest } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { startFidelity, type Fidelity } from '../../scripts/lib/fidelity/index.mjs';
import { describeStack } from './harness/aws.js';
import { motoEndpoint, resetMoto } from './harness/moto.js';
import { EXAMPLE, runAction, type RunResult } from './harness/run-action.js';

const EXEC_ROLE = 'arn:aws:iam::123456789012:role/multi-account-cfn-exec-eu-west-1';
const PLANTED = 'planted-by-pull-request';
const EXAMPLE_TEMPLATE = readFileSync('templates/example-app.yaml', 'utf8');

// Each test runs the bundled action three to five times.
jest.setTimeout(60_000);

let fid: Fidelity;
let stack = '';
let n = 0;
beforeAll(async () => {
  await resetMoto();
  fid = await startFidelity({ upstream: motoEndpoint() });
});
afterAll(() => fid.close());
beforeEach(() => {
  stack = `prod-${++n}`;
  fid.scenario({}, { replace: true });
});

/** The pull-request author's own SDK client (through the same endpoint the action uses). */
const attacker = () =>
  new CloudFormationClient({
    region: 'eu-west-1',
    endpoint: fid.url,
    credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'test' },
    maxAttempts: 1,
  });

const prod = (extra: Record<string, string> = {}, workspace?: string): Promise<RunResult> =>
  runAction({
    ...EXAMPLE,
    ...(workspace ? { workspace, files: undefined } : {}),
    inputs: {
      ...EXAMPLE.inputs,
      'stack-name': stack,
      environment: 'prod',
      'execution-role-arn': EXEC_ROLE,
      'parameter-overrides': 'Environment=prod\nRetentionSeconds=120',
      ...extra,
    },
    endpoint: fid.url,
  });

/** SNS topics in the account (moto does not check signatures; the credential scope routes the request). */
async function topics(): Promise<string[]> {
  const res = await fetch(motoEndpoint(), {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization:
        'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260101/eu-west-1/sns/aws4_request, SignedHeaders=host, Signature=0',
    },
    body: 'Action=ListTopics&Version=2010-03-31',
  });
  return [...(await res.text()).matchAll(/<TopicArn>([^<]+)<\/TopicArn>/g)].map((m) => m[1] ?? '');
}

/** The operations the action's run sent, from the fidelity log. */
const sentSince = (from: number) => fid.requests.slice(from).map((r) => r.operation);

/** Deployed once (UPDATE path), then planned for prod and kept: the reviewed change set. */
async function reviewedPlan() {
  const base = await prod({ 'parameter-overrides': 'Environment=prod' });
  expect(base.outputs.result).toBe('deployed');
  const plan = await prod({ mode: 'plan', 'keep-change-set': 'true' }, base.workspace);
  expect(plan.code).toBe(0);
  const arn = plan.outputs['change-set-id'] ?? '';
  const name = plan.outputs['change-set-name'] ?? '';
  expect(name).toMatch(/^mad-release-0123456-\d+-1-plan-[0-9a-f]{8}$/);
  expect(arn).toMatch(new RegExp(`^arn:aws:cloudformation:eu-west-1:123456789012:changeSet/${name}/`));
  return { workspace: base.workspace, arn, name };
}

/** As the pull-request role would: delete the reviewed change set, make another under its name, Description copied. */
async function forge(
  name: string,
  change: { template?: string; parameters?: Record<string, string>; capabilities?: Capability[] },
) {
  const cfn = attacker();
  const reviewed = await cfn.send(new DescribeChangeSetCommand({ StackName: stack, ChangeSetName: name }));
  await cfn.send(new DeleteChangeSetCommand({ StackName: stack, ChangeSetName: name }));
  const parameters = (reviewed.Parameters ?? []).map((p) => ({
    ParameterKey: p.ParameterKey,
    ParameterValue: change.parameters?.[p.ParameterKey ?? ''] ?? p.ParameterValue,
  }));
  const forged = await cfn.send(
    new CreateChangeSetCommand({
      StackName: stack,
      ChangeSetName: name,
      ChangeSetType: 'UPDATE',
      TemplateBody: change.template ?? EXAMPLE_TEMPLATE,
      Parameters: parameters,
      Capabilities: change.capabilities ?? reviewed.Capabilities,
      Tags: reviewed.Tags,
      Description: reviewed.Description,
    }),
  );
  expect(forged.Id).toBeDefined();
  return forged.Id ?? '';
}

/** The reviewed template with a topic planted in it. */
const PLANTING = `${EXAMPLE_TEMPLATE}  Planted:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: ${PLANTED}\n`;

/** `mode: execute` by the ARN the plan reported and by its name: both refuse, execute nothing, delete nothing. */
async function bothRefuse(workspace: string, arn: string, name: string, differs: string) {
  for (const reference of [arn, name]) {
    const from = fid.requests.length;
    const run = await prod({ mode: 'execute', 'change-set-name': reference }, workspace);
    expect(run.code).toBe(1);
    expect(run.outputs.result).toBe('failed');
    const sent = sentSince(from);
    expect(sent).not.toContain('ExecuteChangeSet');
    expect(sent).not.toContain('DeleteChangeSet');
    expect(sent).not.toContain('DeleteStack');
    if (reference === name) {
      expect(run.stdout).toContain(
        `Refusing to execute change set ${name}: it is not what this run would create`,
      );
      expect(run.stdout).toContain(differs);
      expect(run.stdout).toContain('Nothing was executed and nothing was deleted.');
    } else {
      // The reviewed change set is gone: its ARN names nothing any more, whatever carries its name now.
      expect(run.stdout).toMatch(/does not exist|identity: the change set is/);
    }
  }
  // The forged change set is still there (nothing deleted), the stack as it was, the planted topic never made.
  const kept = await attacker().send(new ListChangeSetsCommand({ StackName: stack }));
  expect(
    kept.Summaries?.some(
      (s) => s.StackName === stack && s.ChangeSetName === name && s.ExecutionStatus === 'AVAILABLE',
    ),
  ).toBe(true);
  expect((await describeStack(stack))?.StackStatus).toBe('CREATE_COMPLETE');
  const resources = await attacker().send(new ListStackResourcesCommand({ StackName: stack }));
  expect(resources.StackResourceSummaries?.map((r) => r.LogicalResourceId)).not.toContain('Planted');
  expect((await topics()).some((t) => t.endsWith(`:${PLANTED}`))).toBe(false);
}

describe('promotion integrity against a pull-request author', () => {
  it('refuses a change set recreated under the reviewed name with another template and the copied Description', async () => {
    const { workspace, arn, name } = await reviewedPlan();
    await forge(name, { template: PLANTING });
    await bothRefuse(workspace, arn, name, "template: the change set's own template is not stack.yaml");
  });

  it('refuses a recreated change set whose parameters differ', async () => {
    const { workspace, arn, name } = await reviewedPlan();
    await forge(name, { parameters: { RetentionSeconds: '1209600' } });
    await bothRefuse(workspace, arn, name, 'parameters: RetentionSeconds has another value');
  });

  it('refuses a recreated change set whose capabilities differ', async () => {
    const { workspace, arn, name } = await reviewedPlan();
    await forge(name, { capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM', 'CAPABILITY_AUTO_EXPAND'] });
    await bothRefuse(workspace, arn, name, 'capabilities: the change set acknowledges');
  });

  it('executes the reviewed change set, by the ARN the plan reported', async () => {
    const { workspace, arn, name } = await reviewedPlan();
    const run = await prod({ mode: 'execute', 'change-set-name': arn }, workspace);
    expect(run.code).toBe(0);
    expect(run.outputs).toMatchObject({ result: 'executed', 'change-set-name': name, 'change-set-id': arn });
    expect(run.stdout).toContain(`Change set ${name} is this run's`);
    const value = (await describeStack(stack))?.Parameters?.find(
      (p) => p.ParameterKey === 'RetentionSeconds',
    );
    expect(value?.ParameterValue).toBe('120');
  });

  it("keeps another run's change set on a new stack while a plan of it runs, and the first rollout then executes it", async () => {
    const first = await prod({ mode: 'plan', 'keep-change-set': 'true' });
    expect(first.code).toBe(0);
    const arn = first.outputs['change-set-id'] ?? '';
    expect((await describeStack(stack))?.StackStatus).toBe('REVIEW_IN_PROGRESS');

    // A later plan (another push) of the same new stack: its own change set goes, the kept one and the stack stay.
    const from = fid.requests.length;
    const again = await prod({
      mode: 'plan',
      'parameter-overrides': 'Environment=prod\nRetentionSeconds=600',
    });
    expect(again.code).toBe(0);
    expect(sentSince(from)).not.toContain('DeleteStack');
    expect((await describeStack(stack))?.StackStatus).toBe('REVIEW_IN_PROGRESS');
    // (moto lists every stack's change sets: keep this stack's)
    const left = await attacker().send(new ListChangeSetsCommand({ StackName: stack }));
    expect(left.Summaries?.filter((s) => s.StackName === stack).map((s) => s.ChangeSetId)).toEqual([arn]);

    const run = await prod({ mode: 'execute', 'change-set-name': arn }, first.workspace);
    expect(run.code).toBe(0);
    expect(run.outputs).toMatchObject({ result: 'executed', 'stack-status': 'CREATE_COMPLETE' });
  });

  it('deletes nothing when executing on a ROLLBACK_COMPLETE stack', async () => {
    const { workspace, arn } = await reviewedPlan();
    fid.scenario({ stackStatus: { [stack]: 'ROLLBACK_COMPLETE' } });
    const from = fid.requests.length;
    const run = await prod({ mode: 'execute', 'change-set-name': arn }, workspace);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('mode execute deletes nothing');
    const sent = sentSince(from);
    expect(sent).not.toContain('DeleteStack');
    expect(sent).not.toContain('DeleteChangeSet');
    expect(sent).not.toContain('ExecuteChangeSet');
    fid.scenario({}, { replace: true });
    expect((await describeStack(stack))?.StackStatus).toBe('CREATE_COMPLETE');
    const kept = await attacker().send(new DescribeChangeSetCommand({ ChangeSetName: arn }));
    expect(kept.ExecutionStatus).toBe('AVAILABLE');
  });

  it('plans a ROLLBACK_COMPLETE stack as recreated on deploy, without a change set AWS would reject', async () => {
    const base = await prod();
    expect(base.code).toBe(0);
    fid.scenario({ stackStatus: { [stack]: 'ROLLBACK_COMPLETE' } });
    const from = fid.requests.length;
    const plan = await prod({ mode: 'plan' }, base.workspace);
    expect(plan.code).toBe(0);
    expect(plan.outputs.result).toBe('planned');
    expect(plan.summary).toContain('mode deploy deletes it and creates it again');
    expect(sentSince(from)).not.toContain('CreateChangeSet');
    expect(sentSince(from)).not.toContain('DeleteStack');
  });
});
