import { resetMoto } from './harness/moto.js';
import { EXAMPLE, runAction } from './harness/run-action.js';

beforeEach(resetMoto);

describe('the bundled action', () => {
  it('rejects a bad input before any AWS call, naming the input and quoting the value', async () => {
    const run = await runAction({
      ...EXAMPLE,
      inputs: { ...EXAMPLE.inputs, mode: 'ship' },
      endpoint: 'http://127.0.0.1:9',
    });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`::error::Input 'mode' is "ship": expected one of plan, deploy, execute.`);
  });

  it('deploys a minimal stack end to end and reports it in outputs and the summary', async () => {
    const run = await runAction({ ...EXAMPLE, inputs: { ...EXAMPLE.inputs, environment: 'dev' } });
    expect(run.stderr).not.toMatch(/::error/);
    expect(run.code).toBe(0);
    expect(run.outputs).toMatchObject({
      result: 'deployed',
      'stack-status': 'CREATE_COMPLETE',
      'account-id': '123456789012',
      'has-changes': 'true',
      destructive: 'false',
    });
    expect(run.outputs['stack-id']).toMatch(
      /^arn:aws:cloudformation:eu-west-1:123456789012:stack\/example\//,
    );
    expect(run.summary).toContain('dev · 123456789012 · eu-west-1 · example: 2 to add — deployed');
  });
});
