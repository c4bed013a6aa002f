import { CreateRepositoryCommand, GetLifecyclePolicyCommand, type ECRClient } from '@aws-sdk/client-ecr';
import { readFileSync } from 'node:fs';
import { startCountingProxy, type CountingProxy } from '../../scripts/lib/counting-proxy.mjs';
import { createClients } from '../../src/aws/clients.js';
import { canonicalOrUndefined } from '../../src/engine/ecr/policy.js';
import { motoEndpoint, resetMoto } from './harness/moto.js';
import { EXAMPLE, runAction } from './harness/run-action.js';

const TEMPLATE_POLICY = canonicalOrUndefined(
  readFileSync(new URL('../../templates/ecr-lifecycle-policy.json', import.meta.url), 'utf8'),
);

/** Each test runs the action once or twice; a loaded machine needs more than jest's default 5 s. */
const TIMEOUT = 60_000;

let proxy: CountingProxy;
let ecr: ECRClient;

beforeAll(async () => {
  // The test's own client reaches moto the way the action does: through AWS_ENDPOINT_URL.
  process.env.AWS_ENDPOINT_URL = motoEndpoint();
  ecr = await createClients({
    region: 'eu-west-1',
    credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'test' },
  }).ecr();
  proxy = await startCountingProxy(motoEndpoint());
});
afterAll(() => proxy.close());

beforeEach(async () => {
  await resetMoto();
  for (const name of ['app/a', 'app/b', 'app/c', 'other'])
    await ecr.send(new CreateRepositoryCommand({ repositoryName: name }));
  proxy.reset();
});

async function policyOf(repositoryName: string): Promise<string | undefined> {
  try {
    const res = await ecr.send(new GetLifecyclePolicyCommand({ repositoryName }));
    return res.lifecyclePolicyText;
  } catch (error) {
    if ((error as Error).name === 'LifecyclePolicyNotFoundException') return undefined;
    throw error;
  }
}

function run(inputs: Record<string, string>, files: Record<string, string> = {}) {
  return runAction({
    ...EXAMPLE,
    files: { ...EXAMPLE.files, ...files },
    inputs: { ...EXAMPLE.inputs, 'ecr-repositories': 'app/*', ...inputs },
    endpoint: proxy.url,
  });
}

describe('ECR lifecycle policies (bundled action on moto)', () => {
  it(
    'puts the bundled default policy on every matching repository, then writes nothing on a second run',
    async () => {
      expect(TEMPLATE_POLICY).toBeDefined();
      const first = await run({});
      expect(first.stderr).not.toMatch(/::error/);
      expect(first.code).toBe(0);
      for (const name of ['app/a', 'app/b', 'app/c'])
        expect(canonicalOrUndefined(await policyOf(name))).toBe(TEMPLATE_POLICY);
      expect(await policyOf('other')).toBeUndefined();
      expect(proxy.count('PutLifecyclePolicy')).toBe(3);
      expect(first.summary).toContain('**ECR lifecycle policies:** 3 repositories');
      expect(first.summary).toContain('3 created');

      proxy.reset();
      const second = await run({});
      expect(second.code).toBe(0);
      expect(proxy.count('GetLifecyclePolicy')).toBe(3);
      expect(proxy.count('PutLifecyclePolicy')).toBe(0);
      expect(second.summary).toContain('3 unchanged');
    },
    TIMEOUT,
  );

  it(
    'skips the phase when ecr-repositories is empty',
    async () => {
      const res = await run({ 'ecr-repositories': '' });
      expect(res.code).toBe(0);
      expect(proxy.operations.filter((op) => /Repositor|LifecyclePolicy/.test(op))).toEqual([]);
      expect(res.summary).not.toContain('ECR lifecycle policies');
    },
    TIMEOUT,
  );

  it(
    'plan mode reports would-create and writes nothing',
    async () => {
      const plan = await run({ mode: 'plan' });
      expect(plan.stderr).not.toMatch(/::error/);
      expect(plan.code).toBe(0);
      expect(proxy.count('PutLifecyclePolicy')).toBe(0);
      expect(plan.summary).toContain('3 would be created');
      expect(plan.summary).toContain('| `app/a` | would be created |');
      expect(await policyOf('app/a')).toBeUndefined();
    },
    TIMEOUT,
  );

  it(
    "applies the user's policy file and updates a repository that differs",
    async () => {
      const policy = {
        rules: [
          {
            rulePriority: 1,
            description: 'keep 5 untagged',
            selection: { tagStatus: 'untagged', countType: 'imageCountMoreThan', countNumber: 5 },
            action: { type: 'expire' },
          },
        ],
      };
      await run({ 'ecr-repositories': 'app/a' });
      proxy.reset();
      const res = await run(
        { 'ecr-repositories': 'app/a\napp/b', 'ecr-lifecycle-policy': 'ecr.json' },
        {
          'ecr.json': JSON.stringify(policy, null, 2),
        },
      );
      expect(res.code).toBe(0);
      expect(proxy.count('PutLifecyclePolicy')).toBe(2);
      expect(res.summary).toContain('1 created, 1 updated');
      expect(JSON.parse((await policyOf('app/a')) ?? '{}')).toEqual(policy);
    },
    TIMEOUT,
  );

  it(
    'fails before executing anything when a pattern matches nothing, listing the repositories',
    async () => {
      const res = await run({ 'ecr-repositories': 'app/*\napi/*' });
      expect(res.code).toBe(1);
      expect(res.stdout).toContain('ecr-repositories: "api/*" matched no ECR repository.');
      expect(res.stdout).toContain('Repositories in this account and region: app/a, app/b, app/c, other.');
      expect(proxy.count('PutLifecyclePolicy')).toBe(0);
      // The change set made alongside the checks (ADR 007) is deleted, never executed.
      expect(proxy.count('ExecuteChangeSet')).toBe(0);
      expect(proxy.count('CreateChangeSet')).toBe(proxy.count('DeleteChangeSet'));
    },
    TIMEOUT,
  );

  it(
    'rejects an invalid policy file before any AWS call',
    async () => {
      const bad = JSON.stringify({
        rules: [
          {
            rulePriority: 1,
            selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 1 },
            action: { type: 'expire' },
          },
          {
            rulePriority: 2,
            selection: { tagStatus: 'untagged', countType: 'imageCountMoreThan', countNumber: 1 },
            action: { type: 'expire' },
          },
        ],
      });
      const res = await run({ 'ecr-lifecycle-policy': 'ecr.json' }, { 'ecr.json': bad });
      expect(res.code).toBe(1);
      expect(res.stdout).toContain(
        `::error::Input 'ecr-lifecycle-policy' is "ecr.json": expected a valid ECR lifecycle policy, but rule #1 (rulePriority 1): selection.tagStatus is "any"`,
      );
      expect(proxy.count()).toBe(0);
    },
    TIMEOUT,
  );
});
