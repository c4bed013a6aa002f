import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultSessionName, parseSettings, sanitizeSessionName } from '../../../src/config/index.js';
import { InputError } from '../../../src/errors.js';

const TEMPLATE = `
Parameters:
  Environment: { Type: String, Default: dev }
  Password: { Type: String, NoEcho: true }
  Size: { Type: Number }
Resources:
  Queue: { Type: AWS::SQS::Queue, Properties: { QueueName: !Sub 'q-\${Environment}' } }
Outputs:
  QueueUrl: { Value: !Ref Queue }
`;

function workspace(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'mad-config-'));
  writeFileSync(join(dir, 'stack.yaml'), TEMPLATE);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

function parse(inputs: Record<string, string>, dir = workspace()) {
  const all: Record<string, string> = {
    'stack-name': 'app',
    template: 'stack.yaml',
    region: 'eu-west-1',
    ...inputs,
  };
  return parseSettings((name) => all[name] ?? '', {
    workspace: dir,
    provenance: { repository: 'acme/app', runId: '42', runAttempt: '2' },
  });
}

function failure(inputs: Record<string, string>, dir?: string): InputError {
  try {
    parse(inputs, dir);
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error('expected an InputError');
}

describe('parseSettings', () => {
  it('applies the documented defaults', () => {
    const s = parse({});
    expect(s).toMatchObject({
      audience: 'sts.amazonaws.com',
      roleDurationSeconds: 3600,
      capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM'],
      mode: 'deploy',
      keepChangeSet: false,
      allowDestructive: false,
      allowBroadening: false,
      onCreateFailure: 'delete',
      terminationProtection: true,
      timeoutMinutes: 60,
      permissions: 'verify',
      comment: 'auto',
      ecrRepositories: [],
      roleSessionName: 'mad-app-42-2',
    });
    expect(s.template.parameters).toEqual([
      { key: 'Environment', noEcho: false, hasDefault: true, default: 'dev', type: 'String' },
      { key: 'Password', noEcho: true, hasDefault: false, type: 'String' },
      { key: 'Size', noEcho: false, hasDefault: false, type: 'Number' },
    ]);
    expect(s.template.outputs).toEqual(['QueueUrl']);
  });

  it.each([
    ['mode', 'ship', `Input 'mode' is "ship": expected one of plan, deploy, execute.`],
    [
      'role-arn',
      'arn:aws:iam::12345:role/x',
      `Input 'role-arn' is "arn:aws:iam::12345:role/x": expected an IAM role ARN`,
    ],
    ['region', 'Europe', `Input 'region' is "Europe": expected an AWS region`],
    ['timeout-minutes', '0', `Input 'timeout-minutes' is "0": expected a whole number from 1 to 4320.`],
    ['timeout-minutes', '1.5', `Input 'timeout-minutes' is "1.5": expected a whole number`],
    [
      'role-duration-seconds',
      '60',
      `Input 'role-duration-seconds' is "60": expected a whole number from 900 to 43200.`,
    ],
    ['role-session-name', 'has space', `Input 'role-session-name' is "has space"`],
    ['termination-protection', 'yes', `Input 'termination-protection' is "yes": expected true or false.`],
    [
      'capabilities',
      'CAPABILITY_IAM,CAPABILITY_ALL',
      `Input 'capabilities' is "CAPABILITY_ALL": expected one of`,
    ],
    ['stack-name', '1app', `Input 'stack-name' is "1app"`],
    ['template-bucket', 'Bad_Bucket', `Input 'template-bucket' is "Bad_Bucket"`],
    ['allow-destructive', 'Table-1', `Input 'allow-destructive' is "Table-1"`],
    [
      'permissions',
      'strict',
      `Input 'permissions' is "strict": expected one of verify, enforce, apply, off.`,
    ],
    ['parameter-overrides', 'Size', `Input 'parameter-overrides' is "Size": expected lines of Key=Value`],
    [
      'parameter-overrides',
      'Colour=red',
      `Input 'parameter-overrides' is "Colour": expected a parameter of the template stack.yaml (Environment, Password, Size)`,
    ],
  ])('rejects %s = %p, naming the input and quoting the value', (input, value, message) => {
    expect(failure({ [input]: value }).message).toContain(message);
  });

  it('requires change-set-name for execute, and says where to get it', () => {
    const error = failure({ mode: 'execute' });
    expect(error.input).toBe('change-set-name');
    expect(error.hint).toContain('keep-change-set');
  });

  const ARN =
    'arn:aws:cloudformation:eu-west-1:111111111111:changeSet/mad-release-0123456-42-1-plan-1a2b3c4d/0a12cba2-9a20-4f4a-a1b7-0468a36becaf';

  it('takes a change-set name, or for execute the ARN a plan reported', () => {
    expect(parse({ mode: 'execute', 'change-set-name': 'mad-release-1' }).changeSetName).toBe(
      'mad-release-1',
    );
    expect(
      parse({
        mode: 'execute',
        'change-set-name': ARN,
        'role-arn': 'arn:aws:iam::111111111111:role/deploy',
      }).changeSetName,
    ).toBe(ARN);
  });

  it.each([
    [
      { 'change-set-name': 'arn:aws:cloudformation:eu-west-1:1:changeSet/x' },
      'expected a change-set ARN such as',
    ],
    [{ 'change-set-name': '1-starts-with-a-digit' }, 'expected a change-set name (starts with a letter'],
    [
      { region: 'us-east-1' },
      "expected a change set in this run's region us-east-1, but the ARN is in eu-west-1",
    ],
    [
      { 'role-arn': 'arn:aws:iam::222222222222:role/deploy' },
      'expected a change set in the account of role-arn (222222222222), but the ARN is in 111111111111',
    ],
    [{ mode: 'plan' }, "an ARN names an existing change set, which only 'mode: execute' runs"],
  ])('refuses change-set-name %p before any AWS call, saying what is expected', (extra, message) => {
    const error = failure({ mode: 'execute', 'change-set-name': ARN, ...extra });
    expect(error.input).toBe('change-set-name');
    expect(error.message).toContain(message);
  });

  it('requires a region, from the input or AWS_REGION', () => {
    expect(failure({ region: '' }).message).toBe(
      `Input 'region' is empty: expected an AWS region such as eu-west-1.`,
    );
  });

  it('requires the template inside the workspace', () => {
    const dir = workspace();
    expect(failure({ template: 'missing.yaml' }, dir).message).toContain(
      `Input 'template' is "missing.yaml": expected an existing file`,
    );
    expect(failure({ template: '../../etc/passwd' }, dir).message).toContain(
      'expected a file inside the workspace',
    );
    symlinkSync('/etc/hostname', join(dir, 'link.yaml'));
    expect(failure({ template: 'link.yaml' }, dir).message).toContain('expected a file inside the workspace');
  });

  it('reports a template syntax error with its line and column', () => {
    const dir = workspace({ 'broken.yaml': 'Resources:\n  Queue: {Type: [\n' });
    expect(failure({ template: 'broken.yaml' }, dir).message).toMatch(
      /is not valid JSON or YAML at line \d+, column \d+/,
    );
  });

  it('reports a parameters file syntax error with its line and column', () => {
    const dir = workspace({ 'params.json': '{\n  "Size": 3,\n  "Environment" "prod"\n}\n' });
    const error = failure({ parameters: 'params.json' }, dir);
    expect(error.input).toBe('parameters');
    expect(error.hint).toMatch(/syntax error at line 3, column \d+/);
  });

  it.each([
    [
      'CLI list',
      '[{"ParameterKey":"Size","ParameterValue":"3"},{"ParameterKey":"Environment","UsePreviousValue":true}]',
    ],
    ['template configuration', 'Parameters:\n  Size: 3\n  Environment: prod\nTags:\n  team: web\n'],
    ['plain map', '{"Size": 3, "Environment": "prod"}'],
  ])('reads a %s parameters file, overridden by parameter-overrides', (_format, text) => {
    const dir = workspace({ 'p/params.file': text });
    const s = parse(
      { parameters: 'p/params.file', 'parameter-overrides': 'Password=s3cr=t\n\nSize = 5' },
      dir,
    );
    expect(s.parameters.map((p) => p.key)).toEqual(['Environment', 'Password', 'Size']);
    expect(s.parameters.find((p) => p.key === 'Password')).toEqual({ key: 'Password', value: 's3cr=t' });
    expect(s.parameters.find((p) => p.key === 'Size')).toEqual({ key: 'Size', value: '5' });
  });

  it('merges tags from a template configuration file with the tags input', () => {
    const dir = workspace({ 'params.yaml': 'Parameters: {}\nTags:\n  team: web\n  cost: a\n' });
    expect(parse({ parameters: 'params.yaml', tags: 'cost=b\nowner=ops' }, dir).tags).toEqual([
      { key: 'team', value: 'web' },
      { key: 'cost', value: 'b' },
      { key: 'owner', value: 'ops' },
    ]);
  });

  it('refuses a boolean-looking allow-destructive other than true or false', () => {
    const error = failure({ 'allow-destructive': 'yes' });
    expect(error.message).toBe(
      `Input 'allow-destructive' is "yes": expected true, false, or logical IDs of resources (one per line).`,
    );
    expect(error.hint).toContain('Write true or false');
  });

  it('reads allow-destructive as a boolean or a list of logical IDs', () => {
    expect(parse({ 'allow-destructive': 'TRUE' }).allowDestructive).toBe(true);
    expect(parse({ 'allow-destructive': 'Table\nBucket, Queue' }).allowDestructive).toEqual([
      'Table',
      'Bucket',
      'Queue',
    ]);
  });

  it('splits template-bucket into bucket and prefix', () => {
    expect(parse({ 'template-bucket': 'my-bucket/cfn/templates' }).templateBucket).toEqual({
      bucket: 'my-bucket',
      prefix: 'cfn/templates/',
    });
    expect(parse({ 'template-bucket': 'my-bucket' }).templateBucket).toEqual({
      bucket: 'my-bucket',
      prefix: '',
    });
  });
});

describe('session names', () => {
  it('keeps to what STS accepts', () => {
    expect(sanitizeSessionName('repo with spaces/and:colons')).toBe('repo-with-spaces-and-colons');
    expect(sanitizeSessionName('x'.repeat(100))).toHaveLength(64);
    expect(sanitizeSessionName('a')).toHaveLength(2);
    expect(defaultSessionName({ repository: 'acme/my.app', runId: '123', runAttempt: '1' })).toBe(
      'mad-my.app-123-1',
    );
    expect(defaultSessionName({})).toBe('mad-local');
  });
});
