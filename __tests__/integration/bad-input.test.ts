// Bad input through the bundled action: every case exits non-zero, names the input, and sends no AWS request
// (counted at a fidelity proxy of its own); an input that is only ignored gives a warning instead. Cases run four
// processes at a time.
import { startFidelity } from '../../scripts/lib/fidelity/index.mjs';
import { motoEndpoint, resetMoto } from './harness/moto.js';
import { runAction } from './harness/run-action.js';

const STACK = { from: 'templates/example-app.yaml' };
const ROLE = 'arn:aws:iam::111111111111:role/deploy';
const big = (bytes: number) =>
  `Resources:\n  Queue: { Type: AWS::SQS::Queue }\nMetadata:\n  Padding: '${'x'.repeat(bytes)}'\n`;

interface Case {
  name: string;
  inputs: Record<string, string>;
  files?: Record<string, string | { from: string }>;
  /** The input the message must name. */
  input: string;
  /** Also in the output (e.g. the fix, or a refusal to quote a secret). */
  says?: string;
  /** Must not be in the output (a secret). */
  never?: string;
  env?: Record<string, string | undefined>;
  /** Only a warning: the run goes on (and may then call AWS). */
  warning?: boolean;
}

const bad = (
  name: string,
  inputs: Record<string, string>,
  input: string,
  extra: Partial<Case> = {},
): Case => ({
  name,
  inputs,
  input,
  ...extra,
});

const CASES: Case[] = [
  // Values of the wrong shape
  bad('mode unknown', { mode: 'ship' }, 'mode'),
  bad('mode upper case', { mode: 'DEPLOY' }, 'mode'),
  bad('permissions unknown', { permissions: 'strict' }, 'permissions'),
  bad('comment unknown', { comment: 'sometimes' }, 'comment'),
  bad('stack name with underscore', { 'stack-name': 'my_stack' }, 'stack-name'),
  bad('stack name starting with a digit', { 'stack-name': '1stack' }, 'stack-name'),
  bad('stack name too long', { 'stack-name': `s${'a'.repeat(128)}` }, 'stack-name'),
  bad('stack name empty', { 'stack-name': '' }, 'stack-name'),
  bad('region malformed', { region: 'europe' }, 'region'),
  bad('region with upper case', { region: 'EU-WEST-1' }, 'region'),
  bad('region empty', { region: '' }, 'region', {
    says: 'AWS_REGION',
    env: { AWS_REGION: undefined, AWS_DEFAULT_REGION: undefined },
  }),
  bad('role ARN short account', { 'role-arn': 'arn:aws:iam::1111:role/deploy' }, 'role-arn'),
  bad('role ARN of a user', { 'role-arn': 'arn:aws:iam::111111111111:user/deploy' }, 'role-arn'),
  bad('role ARN not an ARN', { 'role-arn': 'deploy' }, 'role-arn'),
  bad('execution role not an ARN', { 'execution-role-arn': 'cfn-exec' }, 'execution-role-arn'),
  bad('role duration too short', { 'role-duration-seconds': '899' }, 'role-duration-seconds'),
  bad('role duration too long', { 'role-duration-seconds': '43201' }, 'role-duration-seconds'),
  bad('role duration not a number', { 'role-duration-seconds': '1h' }, 'role-duration-seconds'),
  bad('role duration negative', { 'role-duration-seconds': '-900' }, 'role-duration-seconds'),
  bad('session name too short', { 'role-session-name': 'a' }, 'role-session-name'),
  bad('session name with a space', { 'role-session-name': 'my session' }, 'role-session-name'),
  bad('session name too long', { 'role-session-name': 'a'.repeat(65) }, 'role-session-name'),
  bad('timeout zero', { 'timeout-minutes': '0' }, 'timeout-minutes'),
  bad('timeout too long', { 'timeout-minutes': '4321' }, 'timeout-minutes'),
  bad('timeout fractional', { 'timeout-minutes': '1.5' }, 'timeout-minutes'),
  bad('keep-change-set not boolean', { 'keep-change-set': 'yes' }, 'keep-change-set'),
  bad('termination protection not boolean', { 'termination-protection': 'on' }, 'termination-protection'),
  bad('export-credentials not boolean', { 'export-credentials': 'maybe' }, 'export-credentials'),
  bad('capability unknown', { capabilities: 'CAPABILITY_ALL' }, 'capabilities'),
  bad('capability lower case', { capabilities: 'capability_iam' }, 'capabilities'),
  bad('change set name with underscore', { 'change-set-name': 'my_change' }, 'change-set-name'),
  bad('change set name starting with a digit', { 'change-set-name': '9lives' }, 'change-set-name'),
  bad('execute without change set name', { mode: 'execute' }, 'change-set-name'),
  bad('template bucket with upper case', { 'template-bucket': 'My-Bucket' }, 'template-bucket'),
  bad('template bucket too short', { 'template-bucket': 'ab' }, 'template-bucket'),
  bad('environment with a space', { environment: 'dev env' }, 'environment'),
  bad('environment too long', { environment: 'e'.repeat(65) }, 'environment'),
  bad('ecr pattern upper case', { 'ecr-repositories': 'App/*' }, 'ecr-repositories'),
  bad('ecr pattern with a space', { 'ecr-repositories': 'app web' }, 'ecr-repositories'),
  bad('deploy role name with a space', { 'deploy-role': 'deploy role' }, 'deploy-role'),
  bad('deploy role ARN malformed', { 'deploy-role': 'arn:aws:iam::1:role/x' }, 'deploy-role'),
  bad('allow-destructive yes', { 'allow-destructive': 'yes' }, 'allow-destructive'),
  bad('allow-destructive 1', { 'allow-destructive': '1' }, 'allow-destructive'),
  bad('allow-destructive with punctuation', { 'allow-destructive': 'Queue!' }, 'allow-destructive'),
  // Files
  bad('template missing', { template: 'nope.yaml' }, 'template'),
  bad('template empty input', { template: '' }, 'template'),
  bad('template outside the workspace', { template: '../../etc/passwd' }, 'template'),
  bad('template is a directory', { template: 'dir' }, 'template', { files: { 'dir/x': 'x' } }),
  bad('template not YAML', { template: 'bad.yaml' }, 'template', { files: { 'bad.yaml': 'Resources: [' } }),
  bad('template without Resources', { template: 'n.yaml' }, 'template', {
    files: { 'n.yaml': 'Outputs: {}\n' },
  }),
  bad('template resource without Type', { template: 't.yaml' }, 'template', {
    files: { 't.yaml': 'Resources:\n  Q: { Properties: {} }\n' },
  }),
  bad('template with a duplicate key', { template: 'd.yaml' }, 'template', {
    files: { 'd.yaml': 'Resources:\n  Q: { Type: AWS::SQS::Queue }\n  Q: { Type: AWS::SNS::Topic }\n' },
    says: 'duplicate key',
  }),
  bad('JSON template with a duplicate key', { template: 'd.json' }, 'template', {
    files: {
      'd.json': '{"Resources": {"Q": {"Type": "AWS::SQS::Queue"}, "Q": {"Type": "AWS::SNS::Topic"}}}',
    },
    says: 'duplicate key',
  }),
  bad('template over 51,200 bytes without template-bucket', { template: 'big.yaml' }, 'template', {
    files: { 'big.yaml': big(52_000) },
    says: 'template-bucket',
  }),
  bad('template over 1 MB', { template: 'huge.yaml', 'template-bucket': 'my-bucket' }, 'template', {
    files: { 'huge.yaml': big(1_100_000) },
  }),
  bad('parameters file missing', { parameters: 'p.json' }, 'parameters'),
  bad('parameters file not JSON', { parameters: 'p.json' }, 'parameters', { files: { 'p.json': '{"a": ' } }),
  bad('parameters file unknown key', { parameters: 'p.json' }, 'parameters', {
    files: { 'p.json': '{"Nope": "1"}' },
  }),
  bad('parameters file duplicate key (map)', { parameters: 'p.yaml' }, 'parameters', {
    files: { 'p.yaml': 'Environment: dev\nEnvironment: prod\n' },
    says: 'duplicate key',
  }),
  bad('parameters file duplicate key (list)', { parameters: 'p.json' }, 'parameters', {
    files: {
      'p.json':
        '[{"ParameterKey":"Environment","ParameterValue":"dev"},{"ParameterKey":"Environment","ParameterValue":"prod"}]',
    },
    says: 'duplicate key',
  }),
  bad('parameters file entry without key', { parameters: 'p.json' }, 'parameters', {
    files: { 'p.json': '[{"ParameterValue":"dev"}]' },
  }),
  bad('parameters file nested value', { parameters: 'p.json' }, 'parameters', {
    files: { 'p.json': '{"Environment": {"a": 1}}' },
  }),
  bad('template configuration with unknown section', { parameters: 'p.json' }, 'parameters', {
    files: { 'p.json': '{"Parameters": {}, "Stack": {}}' },
  }),
  bad('tags in the parameters file with aws: prefix', { parameters: 'p.json' }, 'parameters', {
    files: { 'p.json': '{"Parameters": {}, "Tags": {"aws:owner": "me"}}' },
  }),
  bad('lifecycle policy file missing', { 'ecr-lifecycle-policy': 'policy.json' }, 'ecr-lifecycle-policy'),
  bad('lifecycle policy not JSON', { 'ecr-lifecycle-policy': 'policy.json' }, 'ecr-lifecycle-policy', {
    files: { 'policy.json': 'rules' },
  }),
  // Overrides and tags
  bad('override without =', { 'parameter-overrides': 'Environment' }, 'parameter-overrides'),
  bad('override of an unknown parameter', { 'parameter-overrides': 'Nope=1' }, 'parameter-overrides'),
  bad(
    'override given twice',
    { 'parameter-overrides': 'Environment=dev\nEnvironment=prod' },
    'parameter-overrides',
    {
      says: 'each key once',
    },
  ),
  bad(
    'override line with a secret is not quoted',
    { 'parameter-overrides': 'DbPassword hunter2-secret' },
    'parameter-overrides',
    {
      never: 'hunter2-secret',
    },
  ),
  bad(
    'override of an unknown secret parameter is not quoted',
    { 'parameter-overrides': 'x=AKIAIOSFODNN7EXAMPLE' },
    'parameter-overrides',
    {
      never: 'AKIAIOSFODNN7EXAMPLE',
    },
  ),
  bad('tag without =', { tags: 'team' }, 'tags'),
  bad('tag with aws: prefix', { tags: 'aws:cloudformation:stack=x' }, 'tags'),
  bad('tag with AWS: prefix in capitals', { tags: 'AWS:team=x' }, 'tags'),
  bad('tag with the product prefix', { tags: 'multi-account-deploy:commit=abc' }, 'tags', {
    says: 'multi-account-deploy:',
  }),
  bad('tag key over 128 characters', { tags: `${'k'.repeat(129)}=v` }, 'tags'),
  bad('tag value over 256 characters', { tags: `team=${'v'.repeat(257)}` }, 'tags'),
  bad('tag given twice', { tags: 'team=a\nteam=b' }, 'tags', { says: 'each tag key once' }),
  bad('more than 40 tags', { tags: Array.from({ length: 41 }, (_, i) => `t${i}=v`).join('\n') }, 'tags'),
  // Across inputs
  bad(
    'aws-cn role in a commercial region',
    { 'role-arn': 'arn:aws-cn:iam::111111111111:role/deploy' },
    'role-arn',
    {
      says: 'partition',
    },
  ),
  bad('commercial role in a China region', { region: 'cn-north-1', 'role-arn': ROLE }, 'role-arn', {
    says: 'aws-cn',
  }),
  bad('commercial role in GovCloud', { region: 'us-gov-west-1', 'role-arn': ROLE }, 'role-arn', {
    says: 'aws-us-gov',
  }),
  bad(
    'GovCloud execution role in a commercial region',
    {
      'execution-role-arn': 'arn:aws-us-gov:iam::111111111111:role/exec',
    },
    'execution-role-arn',
  ),
  bad(
    'aws-cn deploy role in a commercial region',
    {
      'deploy-role': 'arn:aws-cn:iam::111111111111:role/deploy',
    },
    'deploy-role',
  ),
  bad(
    'deploy-role in another account than role-arn',
    {
      'role-arn': ROLE,
      'deploy-role': 'arn:aws:iam::222222222222:role/deploy',
    },
    'deploy-role',
    { says: '111111111111' },
  ),
  // Ignored, so only a warning
  {
    name: 'keep-change-set in deploy mode',
    inputs: { 'keep-change-set': 'true' },
    input: 'keep-change-set',
    warning: true,
  },
  {
    name: 'keep-change-set in execute mode',
    inputs: { mode: 'execute', 'change-set-name': 'nope', 'keep-change-set': 'true' },
    input: 'keep-change-set',
    warning: true,
  },
];

let fidUpstream: string;
beforeAll(async () => {
  await resetMoto();
  fidUpstream = motoEndpoint();
});

async function runCase(c: Case) {
  const fid = await startFidelity({ upstream: fidUpstream });
  try {
    const run = await runAction({
      endpoint: fid.url,
      files: { 'stack.yaml': STACK, ...c.files },
      inputs: { 'stack-name': 'bad-input', template: 'stack.yaml', permissions: 'off', ...c.inputs },
      env: c.env,
      timeoutMs: 30_000,
    });
    return { run, requests: fid.requests.length };
  } finally {
    await fid.close();
  }
}

/** Runs every case, `size` at a time. */
async function pool<T, R>(items: T[], size: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: size }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await fn(items[i] as T);
      }
    }),
  );
  return results;
}

describe('bad input is refused before any AWS request', () => {
  let results: Awaited<ReturnType<typeof runCase>>[];
  beforeAll(async () => {
    results = await pool(CASES, 4, runCase);
  }, 240_000);

  it('has at least 80 cases', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(80);
  });

  it.each(CASES.map((c, i) => [c.name, i] as const))('%s', (_name, i) => {
    const c = CASES[i] as Case;
    const { run, requests } = results[i] as Awaited<ReturnType<typeof runCase>>;
    const text = run.stdout + run.stderr;
    if (c.warning) {
      expect(text).toMatch(new RegExp(`::warning::Input '${c.input}' is ignored`));
      return;
    }
    expect(run.code).not.toBe(0);
    expect(text).toContain(`'${c.input}'`);
    expect(requests).toBe(0);
    if (c.says) expect(text).toContain(c.says);
    if (c.never) expect(text).not.toContain(c.never);
  });
});
