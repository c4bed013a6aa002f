import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { actionTables } from '../../scripts/lib/action-table.mjs';
import { VERSION } from '../../src/version.js';

const action = parse(readFileSync('action.yml', 'utf8')) as {
  inputs: Record<string, { description: string; default?: string }>;
  outputs: Record<string, { description: string }>;
  runs: { using: string; main: string };
};

describe('the action contract', () => {
  it('runs the committed bundle on node24', () => {
    expect(action.runs).toEqual({ using: 'node24', main: 'dist/index.js' });
  });

  it('documents every input and output, with kebab-case names', () => {
    for (const [name, spec] of [...Object.entries(action.inputs), ...Object.entries(action.outputs)]) {
      expect(name).toMatch(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/);
      expect(spec.description.length).toBeGreaterThan(10);
    }
  });

  it('has the fixed input and output names', () => {
    expect(Object.keys(action.inputs)).toEqual(
      expect.arrayContaining([
        'role-arn',
        'region',
        'audience',
        'role-session-name',
        'role-duration-seconds',
        'stack-name',
        'template',
        'parameters',
        'parameter-overrides',
        'tags',
        'capabilities',
        'execution-role-arn',
        'template-bucket',
        'mode',
        'change-set-name',
        'allow-destructive',
        'termination-protection',
        'timeout-minutes',
        'environment',
        'ecr-repositories',
        'ecr-lifecycle-policy',
        'permissions',
        'drift',
        'github-token',
        'comment',
      ]),
    );
    expect(Object.keys(action.outputs)).toEqual([
      'account-id',
      'result',
      'stack-id',
      'stack-status',
      'change-set-name',
      'change-set-id',
      'has-changes',
      'destructive',
      'drifted',
      'drifted-resources',
      'outputs',
    ]);
  });

  it('is read by src/ for every input it declares, and declares every input src/ reads', () => {
    const sources = ['src/config/index.ts', 'src/action/inputs.ts']
      .map((f) => readFileSync(f, 'utf8'))
      .join('\n');
    const read = new Set([...sources.matchAll(/(?:input|read|getInput)\('([a-z-]+)'\)/g)].map((m) => m[1]));
    expect([...read].sort()).toEqual(Object.keys(action.inputs).sort());
  });

  it('lets the CLI take every input except the GitHub-only ones', () => {
    const source = readFileSync('src/cli/index.ts', 'utf8');
    const list = /export const CLI_INPUTS = \[([^\]]*)\]/.exec(source)?.[1] ?? '';
    const cliInputs = [...list.matchAll(/'([a-z-]+)'/g)].map((m) => m[1]);
    const githubOnly = ['role-arn', 'github-token', 'comment'];
    expect(cliInputs.sort()).toEqual(
      Object.keys(action.inputs)
        .filter((i) => !githubOnly.includes(i))
        .sort(),
    );
  });

  it('matches the README tables (run `npm run docs` after changing action.yml)', () => {
    expect(readFileSync('README.md', 'utf8')).toContain(actionTables());
  });

  it('sends the package version in the user agent', () => {
    expect(VERSION).toBe((JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version);
  });
});
