import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { FIXED, outputValues } from '../../../src/action/outputs.js';
import { change, planned, report } from '../report/fixtures.js';

describe('outputValues', () => {
  it('sets every output of action.yml', () => {
    const action = parse(readFileSync('action.yml', 'utf8')) as { outputs: Record<string, unknown> };
    expect(Object.keys(outputValues(report()).values).sort()).toEqual(Object.keys(action.outputs).sort());
    expect([...FIXED].sort()).toEqual(Object.keys(action.outputs).sort());
  });

  it('describes a plan with a destructive change', () => {
    const { values } = outputValues(
      planned(
        [
          change('Table', { type: 'AWS::DynamoDB::Table', action: 'replace', destructive: true }),
          change('Queue'),
        ],
        {
          stackId: 'arn:aws:cloudformation:eu-west-1:111111111111:stack/my-app/1',
          stackStatus: 'UPDATE_COMPLETE',
        },
      ),
    );
    expect(values).toEqual({
      'account-id': '111111111111',
      result: 'planned',
      'stack-id': 'arn:aws:cloudformation:eu-west-1:111111111111:stack/my-app/1',
      'stack-status': 'UPDATE_COMPLETE',
      'change-set-name': 'mad-0123456-42-1',
      'change-set-id': 'arn:aws:cloudformation:eu-west-1:111111111111:changeSet/x',
      'has-changes': 'true',
      destructive: 'true',
      drifted: 'false',
      'drifted-resources': '[]',
      outputs: '{}',
    });
  });

  it('says which resources drifted', () => {
    const drift = {
      mode: 'report' as const,
      status: 'drifted' as const,
      resources: (['Web', 'Queue'] as const).map((logicalId) => ({
        logicalId,
        type: 'AWS::SQS::Queue',
        status: 'MODIFIED' as const,
        properties: [],
      })),
      notChecked: [],
      reverts: [],
    };
    expect(outputValues(report({ drift })).values).toMatchObject({
      drifted: 'true',
      'drifted-resources': '["Web","Queue"]',
    });
    const unknown = { ...drift, status: 'unknown' as const, resources: [] };
    expect(outputValues(report({ drift: unknown })).values.drifted).toBe('false');
  });

  it('says no changes for an unchanged stack, and true for a change of outputs only', () => {
    expect(outputValues(report()).values).toMatchObject({
      'has-changes': 'false',
      destructive: 'false',
      result: 'no-changes',
    });
    expect(outputValues(planned([], { otherChanges: true })).values['has-changes']).toBe('true');
  });

  it('gives each stack Output an output of its own name, and all of them as JSON', () => {
    const { values, warnings } = outputValues(
      report({
        result: 'deployed',
        outputs: [
          { key: 'QueueUrl', value: 'https://sqs.eu-west-1.amazonaws.com/111111111111/q' },
          { key: 'TopicArn', value: 'arn:aws:sns:eu-west-1:111111111111:t' },
        ],
      }),
    );
    expect(values.QueueUrl).toBe('https://sqs.eu-west-1.amazonaws.com/111111111111/q');
    expect(values.TopicArn).toBe('arn:aws:sns:eu-west-1:111111111111:t');
    expect(JSON.parse(values.outputs ?? '')).toEqual({
      QueueUrl: 'https://sqs.eu-west-1.amazonaws.com/111111111111/q',
      TopicArn: 'arn:aws:sns:eu-west-1:111111111111:t',
    });
    expect(warnings).toEqual([]);
  });

  it('keeps a fixed output when a stack Output has the same name, and warns', () => {
    const { values, warnings } = outputValues(report({ outputs: [{ key: 'result', value: 'mine' }] }));
    expect(values.result).toBe('no-changes');
    expect(JSON.parse(values.outputs ?? '')).toEqual({ result: 'mine' });
    expect(warnings).toEqual([
      "Stack output result has the name of a fixed output; read it from the 'outputs' JSON.",
    ]);
  });
});
