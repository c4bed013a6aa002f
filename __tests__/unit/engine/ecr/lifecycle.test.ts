import {
  DescribeRepositoriesCommand,
  ECRClient,
  GetLifecyclePolicyCommand,
  LifecyclePolicyNotFoundException,
  PutLifecyclePolicyCommand,
} from '@aws-sdk/client-ecr';
import { mockClient } from 'aws-sdk-client-mock';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseSettings } from '../../../../src/config/index.js';
import {
  desiredPolicy,
  ensureLifecyclePolicies,
  globToRegExp,
  resolveRepositories,
  type EcrSettings,
} from '../../../../src/engine/ecr/lifecycle.js';
import { DEFAULT_POLICY, canonicalPolicy } from '../../../../src/engine/ecr/policy.js';
import { InputError, UserError } from '../../../../src/errors.js';
import { silentLogger } from '../../../../src/logger.js';

const ecrMock = mockClient(ECRClient);
const ecr = new ECRClient({ region: 'eu-west-1' });
const DEFAULT_TEXT = canonicalPolicy(DEFAULT_POLICY);

const notFound = (name: string) =>
  new LifecyclePolicyNotFoundException({ message: `no policy for ${name}`, $metadata: {} });

/** A repository whose policy is the default, written as AWS returns it: pretty, rules in another order. */
const defaultAsStored = JSON.stringify({ rules: [...DEFAULT_POLICY.rules].reverse() }, null, 3);

function repos(...names: string[]) {
  return { repositories: names.map((repositoryName) => ({ repositoryName })) };
}

function settings(over: Partial<EcrSettings> = {}): EcrSettings {
  return { ecrRepositories: ['app/*'], mode: 'deploy', ...over };
}

beforeEach(() => ecrMock.reset());

describe('globToRegExp', () => {
  it.each([
    ['app/*', 'app/a', true],
    ['app/*', 'app/x/y', false],
    ['app/*', 'app', false],
    ['app/**', 'app/x/y', true],
    ['*', 'web', true],
    ['*', 'app/a', false],
    ['app-?', 'app-1', true],
    ['app-?', 'app-12', false],
    ['web.api', 'web.api', true],
    ['web.api', 'webxapi', false],
  ])('%s matches %s: %s', (pattern, name, expected) => {
    expect(globToRegExp(pattern).test(name)).toBe(expected);
  });
});

describe('resolveRepositories', () => {
  it('reads every page of DescribeRepositories and matches names and globs', async () => {
    ecrMock
      .on(DescribeRepositoriesCommand)
      .resolvesOnce({ ...repos('app/a', 'other'), nextToken: 'page-2' })
      .resolvesOnce({ ...repos('app/b', 'app/nested/c'), nextToken: 'page-3' })
      .resolvesOnce(repos('app/c', 'web'));
    expect(await resolveRepositories(ecr, ['app/*', 'web', 'app/b'])).toEqual([
      'app/a',
      'app/b',
      'app/c',
      'web',
    ]);
    const calls = ecrMock.commandCalls(DescribeRepositoriesCommand).map((c) => c.args[0].input.nextToken);
    expect(calls).toEqual([undefined, 'page-2', 'page-3']);
  });

  it('fails for a name or pattern that matches nothing, listing what exists', async () => {
    ecrMock.on(DescribeRepositoriesCommand).resolves(repos('app/a', 'web'));
    const error = await resolveRepositories(ecr, ['app/*', 'api/*', 'worker']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toBe(
      'ecr-repositories: "api/*", "worker" matched no ECR repository.',
    );
    expect((error as UserError).hint).toContain('Repositories in this account and region: app/a, web.');
  });

  it('says so when the account has no repository at all', async () => {
    ecrMock.on(DescribeRepositoriesCommand).resolves({ repositories: [] });
    const error = (await resolveRepositories(ecr, ['app/*']).catch((e: unknown) => e)) as UserError;
    expect(error.hint).toMatch(/has no ECR repository in this region/);
  });
});

describe('ensureLifecyclePolicies', () => {
  beforeEach(() => {
    ecrMock.on(DescribeRepositoriesCommand).resolves(repos('app/a', 'app/b', 'app/c', 'other'));
    ecrMock
      .on(GetLifecyclePolicyCommand, { repositoryName: 'app/a' })
      .rejects(notFound('app/a'))
      .on(GetLifecyclePolicyCommand, { repositoryName: 'app/b' })
      .resolves({ lifecyclePolicyText: defaultAsStored })
      .on(GetLifecyclePolicyCommand, { repositoryName: 'app/c' })
      .resolves({ lifecyclePolicyText: JSON.stringify({ rules: DEFAULT_POLICY.rules.slice(0, 2) }) });
    ecrMock.on(PutLifecyclePolicyCommand).resolves({});
  });

  it('deploy: puts the canonical policy only where it differs', async () => {
    const findings = await ensureLifecyclePolicies(settings(), { ecr, logger: silentLogger });
    expect(findings).toEqual([
      { repository: 'app/a', status: 'created' },
      { repository: 'app/b', status: 'unchanged' },
      { repository: 'app/c', status: 'updated' },
    ]);
    const puts = ecrMock.commandCalls(PutLifecyclePolicyCommand).map((c) => c.args[0].input);
    expect(puts).toEqual([
      { repositoryName: 'app/a', lifecyclePolicyText: DEFAULT_TEXT },
      { repositoryName: 'app/c', lifecyclePolicyText: DEFAULT_TEXT },
    ]);
  });

  it('plan: reports the drift and writes nothing', async () => {
    const findings = await ensureLifecyclePolicies(settings({ mode: 'plan' }), { ecr, logger: silentLogger });
    expect(findings.map((f) => f.status)).toEqual(['would-create', 'unchanged', 'would-update']);
    expect(ecrMock.commandCalls(PutLifecyclePolicyCommand)).toHaveLength(0);
  });

  it("uses the user's policy file instead of the default", async () => {
    const text = JSON.stringify({
      rules: [
        {
          rulePriority: 1,
          selection: { tagStatus: 'untagged', countType: 'imageCountMoreThan', countNumber: 3 },
          action: { type: 'expire' },
        },
      ],
    });
    await ensureLifecyclePolicies(settings({ ecrLifecyclePolicy: { source: 'ecr.json', text } }), {
      ecr,
      logger: silentLogger,
    });
    const puts = ecrMock
      .commandCalls(PutLifecyclePolicyCommand)
      .map((c) => c.args[0].input.lifecyclePolicyText);
    expect(puts).toHaveLength(3); // none of the three has this policy
    expect(puts.every((p) => p === desiredPolicy({ ecrLifecyclePolicy: { source: 'ecr.json', text } }))).toBe(
      true,
    );
  });

  it('keeps at most 8 requests in flight', async () => {
    const names = Array.from({ length: 40 }, (_, i) => `svc/r${String(i).padStart(2, '0')}`);
    ecrMock.reset();
    ecrMock.on(DescribeRepositoriesCommand).resolves(repos(...names));
    let inFlight = 0;
    let peak = 0;
    const slow = async () => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, 5));
      inFlight--;
    };
    ecrMock.on(GetLifecyclePolicyCommand).callsFake(async () => {
      await slow();
      throw notFound('x');
    });
    ecrMock.on(PutLifecyclePolicyCommand).callsFake(async () => {
      await slow();
      return {};
    });
    const findings = await ensureLifecyclePolicies(settings({ ecrRepositories: ['svc/*'] }), {
      ecr,
      logger: silentLogger,
    });
    expect(findings).toHaveLength(40);
    expect(findings.every((f) => f.status === 'created')).toBe(true);
    expect(peak).toBe(8);
  });

  it('explains a missing permission', async () => {
    ecrMock
      .on(PutLifecyclePolicyCommand)
      .rejects(Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' }));
    const error = (await ensureLifecyclePolicies(settings(), { ecr, logger: silentLogger }).catch(
      (e: unknown) => e,
    )) as UserError;
    expect(error).toBeInstanceOf(UserError);
    expect(error.message).toMatch(/^Not allowed to put the lifecycle policy of app\/(a|c): not authorized/);
    expect(error.hint).toContain('ecr:PutLifecyclePolicy');
  });
});

describe("the 'ecr-lifecycle-policy' input", () => {
  function parse(policy: string) {
    const dir = mkdtempSync(join(tmpdir(), 'mad-ecr-'));
    writeFileSync(join(dir, 'stack.yaml'), 'Resources:\n  Q: { Type: AWS::SQS::Queue }\n');
    writeFileSync(join(dir, 'ecr.json'), policy);
    const inputs: Record<string, string> = {
      'stack-name': 'app',
      template: 'stack.yaml',
      region: 'eu-west-1',
      'ecr-repositories': 'app/*',
      'ecr-lifecycle-policy': 'ecr.json',
    };
    return parseSettings((n) => inputs[n] ?? '', { workspace: dir, provenance: {} });
  }

  it('is validated with the other inputs, before any AWS call', () => {
    const bad = JSON.stringify({
      rules: [
        {
          rulePriority: 1,
          selection: { tagStatus: 'tagged', countType: 'imageCountMoreThan', countNumber: 2 },
          action: { type: 'expire' },
        },
      ],
    });
    expect(() => parse(bad)).toThrow(InputError);
    expect(() => parse(bad)).toThrow(
      /Input 'ecr-lifecycle-policy' is "ecr.json": .*rule #1 \(rulePriority 1\): selection.tagStatus is "tagged"/,
    );
  });

  it('keeps a valid file for the engine', () => {
    const good = JSON.stringify(DEFAULT_POLICY);
    expect(parse(good).ecrLifecyclePolicy).toEqual({ source: 'ecr.json', text: good });
    expect(parse(good).ecrRepositories).toEqual(['app/*']);
  });
});
