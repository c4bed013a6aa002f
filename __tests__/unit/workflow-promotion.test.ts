import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseCommandFile } from '../../scripts/lib/runner.mjs';

// The reusable workflow runs scripts/workflow/promotion.mjs between its jobs; these tests run it the same way.
const SCRIPT = resolve('scripts/workflow/promotion.mjs');

function run(args: string[], env: Record<string, string> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'mad-promo-'));
  const files = { GITHUB_OUTPUT: join(dir, 'output'), GITHUB_STEP_SUMMARY: join(dir, 'summary') };
  for (const f of Object.values(files)) writeFileSync(f, '');
  const res = spawnSync(process.execPath, [SCRIPT, ...args], {
    env: { PATH: process.env.PATH, ...files, ...env },
    encoding: 'utf8',
  });
  return {
    code: res.status,
    stdout: res.stdout,
    stderr: res.stderr,
    outputs: parseCommandFile(readFileSync(files.GITHUB_OUTPUT, 'utf8')) as Record<string, string>,
    summary: readFileSync(files.GITHUB_STEP_SUMMARY, 'utf8'),
  };
}

/** A region's report the way a job's Report step writes it. */
function report(dir: string, env: Record<string, string>): void {
  const file = join(dir, `${env.STAGE}-${env.STEP}-${env.REGION}.json`);
  const res = run(['report', '--out', file], { STACK_NAME: 'my-app', ...env });
  expect(res.code).toBe(0);
}

const CS = 'mad-release-42-1';
const HASH = 'ab'.repeat(32);
const arn = (region: string, name = CS) =>
  `arn:aws:cloudformation:${region}:333333333333:changeSet/${name}/7c2e9b4a-1d3f-4e5a-8b6c-0d1e2f3a4b5c`;
const ok = (
  stage: string,
  step: string,
  region: string,
  result: string,
  extra: Record<string, string> = {},
) => ({
  STAGE: stage,
  STEP: step,
  REGION: region,
  OUTCOME: 'success',
  RESULT: result,
  ACCOUNT_ID: stage === 'prod' ? '333333333333' : '111111111111',
  PACKAGE_HASH: HASH,
  ...extra,
});
const kept = (region: string, extra: Record<string, string> = {}) =>
  ok('prod', 'plan', region, 'planned', {
    CHANGE_SET_NAME: CS,
    CHANGE_SET_ID: arn(region),
    HAS_CHANGES: 'true',
    ...extra,
  });
const reviewOf = (dir: string, name = CS, hash = HASH) =>
  run(['review', '--reports', dir, '--change-set', name, '--package-hash', hash]);
const reportsOf = (...entries: Record<string, string>[]) => {
  const dir = mkdtempSync(join(tmpdir(), 'mad-reports-'));
  for (const e of entries) report(dir, e);
  return dir;
};

describe("the prod review (what reviewers approve, and each region's change set)", () => {
  it("lists the regions whose kept change set awaits execution, with each region's ARN, and skips those without changes", () => {
    const dir = reportsOf(
      kept('eu-west-1', { DESTRUCTIVE: 'true' }),
      kept('ap-south-1'),
      ok('prod', 'plan', 'us-east-1', 'no-changes'),
      ok('dev', 'deploy', 'eu-west-1', 'deployed'),
    );
    expect(readdirSync(dir)).toHaveLength(4);
    const res = reviewOf(dir);
    expect(res.code).toBe(0);
    expect(res.outputs.regions).toBe('["ap-south-1","eu-west-1"]');
    expect(JSON.parse(res.outputs['change-sets'] ?? '')).toEqual({
      'eu-west-1': arn('eu-west-1'),
      'ap-south-1': arn('ap-south-1'),
    });
    expect(res.outputs['package-hash']).toBe(HASH);
    expect(res.summary).toContain(`executes change set \`${CS}\` of stack \`my-app\``);
    expect(res.summary).toContain(`| eu-west-1 | 333333333333 | yes | ⚠ yes | ${arn('eu-west-1')} |`);
    expect(res.summary).toContain('No changes in us-east-1.');
  });

  it('asks nobody to approve when no region changes', () => {
    const res = reviewOf(reportsOf(ok('prod', 'plan', 'eu-west-1', 'no-changes')));
    expect(res.code).toBe(0);
    expect(res.outputs.regions).toBe('[]');
    expect(res.outputs['change-sets']).toBe('{}');
    expect(res.summary).toContain('nothing to approve');
  });

  it("refuses when any region's plan failed", () => {
    const res = reviewOf(reportsOf(kept('eu-west-1'), { ...kept('us-east-1'), OUTCOME: 'failure' }));
    expect(res.code).toBe(1);
    expect(res.stdout).toContain('The prod plan failed in us-east-1');
    expect(res.outputs.regions).toBeUndefined();
  });

  it("refuses a region that kept another change set than this run's release change set", () => {
    const res = reviewOf(reportsOf(kept('eu-west-1', { CHANGE_SET_NAME: 'something-else' })));
    expect(res.code).toBe(1);
    expect(res.stdout).toContain(`kept change set "something-else", not "${CS}"`);
    expect(res.outputs.regions).toBeUndefined();
  });

  it('refuses an ARN of another region, of another change set, or none', () => {
    for (const [id, why] of [
      [arn('us-east-1'), 'us-east-1'],
      [arn('eu-west-1', 'mad-pr-7-42-1'), 'mad-pr-7-42-1'],
      ['', '""'],
    ] as const) {
      const res = reviewOf(reportsOf(kept('eu-west-1', { CHANGE_SET_ID: id })));
      expect([why, res.code]).toEqual([why, 1]);
      expect(res.stdout).toContain('The prod plan in eu-west-1 reported change set ARN');
    }
  });

  it('refuses a plan made from another package, a pull-request name, and a missing package hash', () => {
    const other = reviewOf(reportsOf(kept('eu-west-1', { PACKAGE_HASH: 'cd'.repeat(32) })));
    expect(other.code).toBe(1);
    expect(other.stdout).toContain('was made from package sha256');
    const pr = reviewOf(reportsOf(kept('eu-west-1', { CHANGE_SET_NAME: 'mad-pr-7-42-1' })), 'mad-pr-7-42-1');
    expect(pr.code).toBe(1);
    expect(pr.stdout).toContain('is not a release name (mad-release-…)');
    const none = reviewOf(reportsOf(kept('eu-west-1')), CS, '');
    expect(none.code).toBe(1);
    expect(none.stdout).toContain('is not a sha256');
  });

  it('refuses when there is no plan report at all', () => {
    const res = reviewOf(mkdtempSync(join(tmpdir(), 'mad-empty-')));
    expect(res.code).toBe(1);
    expect(res.stdout).toContain('No prod plan report was found');
  });
});

describe('the promotion summary', () => {
  const hash = HASH;
  const needs = (results: Record<string, string>, regions = '["eu-west-1"]') =>
    JSON.stringify({
      ...Object.fromEntries(Object.entries(results).map(([id, result]) => [id, { result, outputs: {} }])),
      'prod-review': { result: results['prod-review'] ?? 'success', outputs: { regions } },
    });

  function reports(entries: Record<string, string>[]): string {
    const dir = mkdtempSync(join(tmpdir(), 'mad-reports-'));
    mkdirSync(dir, { recursive: true });
    for (const e of entries) report(dir, e);
    return dir;
  }

  it('draws dev ✓ → prod ✓ with the package hash and a row per region and step', () => {
    const dir = reports([
      ok('dev', 'deploy', 'eu-west-1', 'deployed'),
      ok('prod', 'plan', 'eu-west-1', 'planned', { CHANGE_SET_NAME: CS }),
      ok('prod', 'execute', 'eu-west-1', 'executed', {
        CHANGE_SET_NAME: CS,
        STACK_STATUS: 'UPDATE_COMPLETE',
      }),
    ]);
    const res = run(['summary', '--reports', dir], {
      STACK_NAME: 'my-app',
      EVENT: 'promote',
      STAGES: '["dev","prod"]',
      PACKAGE_HASH: hash,
      NEEDS: needs({ dev: 'success', staging: 'skipped', 'prod-plan': 'success', 'prod-execute': 'success' }),
    });
    expect(res.code).toBe(0);
    const s = res.summary;
    expect(s).toContain('## Promotion of my-app: dev ✓ → prod ✓');
    expect(s).toContain('```mermaid\nflowchart LR');
    expect(s).toContain(`package["package<br/>sha256 ${hash.slice(0, 12)}"]:::ok`);
    expect(s).toContain('dev["dev ✓<br/>eu-west-1: deployed"]:::ok');
    expect(s).toContain('prod["prod ✓<br/>eu-west-1: executed"]:::ok');
    expect(s).toContain('  package --> dev --> prod');
    expect(s).toContain(`| prod | eu-west-1 | 333333333333 | execute | executed | ${CS} | UPDATE_COMPLETE |`);
    // Rows in stage order, plan before execute.
    expect(s.indexOf('| dev |')).toBeLessThan(s.indexOf('| prod | eu-west-1 | 333333333333 | plan'));
    expect(s.indexOf('| plan |')).toBeLessThan(s.indexOf('| execute |'));
    expect(s).toContain(`Package sha256: \`${hash}\``);
  });

  it('shows a failed dev and a prod that was never reached', () => {
    const dir = reports([{ ...ok('dev', 'deploy', 'eu-west-1', ''), OUTCOME: 'failure' }]);
    const res = run(['summary', '--reports', dir], {
      STACK_NAME: 'my-app',
      EVENT: 'promote',
      STAGES: '["dev","staging","prod"]',
      PACKAGE_HASH: hash,
      NEEDS: needs({ dev: 'failure', staging: 'skipped', 'prod-plan': 'skipped', 'prod-execute': 'skipped' }),
    });
    expect(res.summary).toContain('## Promotion of my-app: dev ✗ → staging – → prod –');
    expect(res.summary).toContain('dev["dev ✗<br/>failed in eu-west-1"]:::failed');
    expect(res.summary).toContain('prod["prod –<br/>not reached"]:::skipped');
    expect(res.summary).toContain('| dev | eu-west-1 | 111111111111 | deploy | failed |');
  });

  it('counts a prod without changes as done, and a rejected execution as not done', () => {
    const none = run(['summary', '--reports', reports([ok('prod', 'plan', 'eu-west-1', 'no-changes')])], {
      STACK_NAME: 'my-app',
      EVENT: 'promote',
      PACKAGE_HASH: hash,
      NEEDS: needs({ dev: 'success', 'prod-plan': 'success', 'prod-execute': 'skipped' }, '[]'),
    });
    expect(none.summary).toContain('prod["prod ✓<br/>no changes"]:::ok');
    const rejected = run(['summary', '--reports', reports([])], {
      STACK_NAME: 'my-app',
      EVENT: 'promote',
      PACKAGE_HASH: hash,
      NEEDS: needs({ dev: 'success', 'prod-plan': 'success', 'prod-execute': 'failure' }),
    });
    expect(rejected.summary).toContain('dev ✓ → prod ✗');
    expect(rejected.summary).toContain('not executed (rejected or failed)');
  });

  it('summarises the plans of a pull request, including a stage skipped for lack of an OIDC token', () => {
    const dir = reports([
      ok('dev', 'plan', 'eu-west-1', 'planned', { HAS_CHANGES: 'true' }),
      ok('prod', 'plan', 'eu-west-1', 'no-changes'),
    ]);
    const res = run(['summary', '--reports', dir], {
      STACK_NAME: 'my-app',
      EVENT: 'plan',
      STAGES: '["dev","prod"]',
      NEEDS: needs({ plan: 'success' }),
    });
    expect(res.summary).toContain('## Plan of my-app: dev ✓ → prod ✓');
    expect(res.summary).toContain('  dev --- prod');
    expect(res.summary).not.toContain('package[');
    expect(res.summary).toContain('| dev | eu-west-1 | 111111111111 | plan | planned |');
  });
});
