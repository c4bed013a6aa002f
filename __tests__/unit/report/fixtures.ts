import type { DeployReport, ResourceChange } from '../../../src/report/model.js';

/** A plan report of a stack with no changes; tests add what they need. */
export function report(overrides: Partial<DeployReport> = {}): DeployReport {
  return {
    environment: 'dev',
    accountId: '111111111111',
    region: 'eu-west-1',
    stackName: 'my-app',
    mode: 'plan',
    result: 'no-changes',
    changes: [],
    destructive: [],
    parameters: [],
    outputs: [],
    events: [],
    ecr: [],
    timings: [],
    runUrl: 'https://github.com/acme/app/actions/runs/42/attempts/1',
    commit: '0123456789abcdef0123456789abcdef01234567',
    notes: [],
    ...overrides,
  };
}

/** One resource change; an `add` of an SQS queue unless told otherwise. */
export function change(logicalId: string, overrides: Partial<ResourceChange> = {}): ResourceChange {
  return {
    logicalId,
    type: 'AWS::SQS::Queue',
    action: 'add',
    destructive: false,
    stateful: false,
    iam: false,
    securityGroup: false,
    properties: [],
    ...overrides,
  };
}

/** A planned report with the given changes and the fields derived from them. */
export function planned(changes: ResourceChange[], overrides: Partial<DeployReport> = {}): DeployReport {
  return report({
    result: 'planned',
    changeSet: {
      name: 'mad-0123456-42-1',
      id: 'arn:aws:cloudformation:eu-west-1:111111111111:changeSet/x',
      type: 'UPDATE',
      kept: false,
    },
    changes,
    destructive: changes.filter((c) => c.destructive).map((c) => c.logicalId),
    ...overrides,
  });
}
