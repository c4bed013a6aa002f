import type { Settings } from '../../src/config/settings.js';

export const TEMPLATE_BODY =
  'Parameters:\n  Size: { Type: Number }\n  Password: { Type: String, NoEcho: true }\nResources:\n  Queue: { Type: AWS::SQS::Queue }\n';

/** A valid Settings object; tests override what they exercise. */
export function makeSettings(overrides: Partial<Settings> = {}): Settings {
  return {
    roleArn: 'arn:aws:iam::111111111111:role/deploy',
    region: 'eu-west-1',
    audience: 'sts.amazonaws.com',
    roleSessionName: 'mad-app-1-1',
    roleDurationSeconds: 3600,
    stackName: 'app',
    template: {
      path: 'stack.yaml',
      body: TEMPLATE_BODY,
      parameters: [
        { key: 'Size', noEcho: false, hasDefault: false },
        { key: 'Password', noEcho: true, hasDefault: false },
      ],
      outputs: [],
    },
    parameters: [
      { key: 'Size', value: '3' },
      { key: 'Password', value: 'hunter2-secret' },
    ],
    tags: [{ key: 'team', value: 'web' }],
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
    environment: 'dev',
    ecrRepositories: [],
    permissions: 'off',
    drift: 'off',
    comment: 'never',
    provenance: {
      repository: 'acme/app',
      sha: '0123456789abcdef',
      runId: '42',
      runAttempt: '1',
      runUrl: 'https://github.com/acme/app/actions/runs/42/attempts/1',
      actor: 'octocat',
    },
    ...overrides,
  };
}
