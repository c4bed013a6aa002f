import type { Settings } from '../../../../src/config/settings.js';

export const ACCOUNT = '111111111111';
export const REGION = 'eu-west-1';
export const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/deploy`;
export const EXEC_ROLE = `arn:aws:iam::${ACCOUNT}:role/cfn-exec`;

/** Settings for the permissions tests: a stack, and whatever optional parts a test adds. */
export function settingsWith(overrides: Partial<Settings> = {}): Settings {
  return {
    roleArn: ROLE_ARN,
    region: REGION,
    audience: 'sts.amazonaws.com',
    roleSessionName: 'test',
    roleDurationSeconds: 3600,
    stackName: 'app',
    template: { path: 'stack.yaml', body: 'Resources: {}', parameters: [], outputs: [] },
    parameters: [],
    tags: [],
    capabilities: ['CAPABILITY_IAM'],
    mode: 'deploy',
    keepChangeSet: false,
    exportCredentials: true,
    warnings: [],
    allowDestructive: false,
    allowBroadening: false,
    onCreateFailure: 'delete',
    terminationProtection: true,
    timeoutMinutes: 60,
    ecrRepositories: [],
    permissions: 'verify',
    drift: 'off',
    comment: 'auto',
    provenance: {},
    ...overrides,
  };
}

export const FULL = {
  executionRoleArn: EXEC_ROLE,
  templateBucket: { bucket: 'templates-bucket', prefix: 'cfn/' },
  ecrRepositories: ['app/*', 'tools'],
};
