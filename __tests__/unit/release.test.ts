import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
// @ts-expect-error -- a plain script without type declarations
import { changelogSection, releaseProblems } from '../../scripts/release.mjs';

const files = () => ({
  packageJson: readFileSync('package.json', 'utf8'),
  versionTs: readFileSync('src/version.ts', 'utf8'),
  changelog: readFileSync('CHANGELOG.md', 'utf8'),
  readme: readFileSync('README.md', 'utf8'),
});
const version = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;

describe('releases', () => {
  it('name one version in package.json, src/version.ts, CHANGELOG.md and the README, which pins its major tag', () => {
    // The only thing left before cutting this version is dating its changelog section.
    const problems = releaseProblems(version, files()) as string[];
    expect(problems.filter((p) => !p.includes('has no date'))).toEqual([]);
    expect(readFileSync('README.md', 'utf8')).toContain(`multi-account-deploy@v${version.split('.')[0]}`);
  });

  it('refuse a version that disagrees with package.json, an undated section, and a README pinning another tag', () => {
    const dated = { ...files(), changelog: `## [${version}] - 2026-12-02\n\n- something\n` };
    expect(releaseProblems(version, dated)).toEqual([]);
    expect(releaseProblems('9.9.9', dated).join('\n')).toMatch(/package.json says .*src\/version.ts says/s);
    expect(releaseProblems(version, { ...dated, changelog: `## [${version}] - Unreleased\n- x\n` })).toEqual([
      expect.stringContaining('has no date'),
    ]);
    const readme = 'uses: ORG/multi-account-deploy@v0\n';
    expect(releaseProblems(version, { ...dated, readme })).toEqual([
      expect.stringContaining('README.md uses @v0'),
    ]);
    expect(releaseProblems('1.2', dated)).toEqual([expect.stringContaining('not a version')]);
  });

  it('take the release notes from the version’s CHANGELOG.md section only', () => {
    const text = '# Changelog\n\n## [1.1.0] - 2027-01-05\n\n- new\n\n## [1.0.0] - 2026-12-02\n\n- old\n';
    expect(changelogSection(text, '1.1.0')).toEqual({ heading: '## [1.1.0] - 2027-01-05', body: '- new' });
    expect(changelogSection(text, '2.0.0')).toBeUndefined();
  });

  it('tag vX.Y.Z and move vX only after the tests and the dist/ check pass', () => {
    const workflow = parse(readFileSync('.github/workflows/release.yml', 'utf8')) as {
      on: { workflow_dispatch: unknown };
      jobs: { release: { permissions: Record<string, string>; steps: { name?: string; run?: string }[] } };
    };
    const steps = workflow.jobs.release.steps;
    const at = (name: string) => steps.findIndex((s) => s.name === name);
    expect(workflow.on.workflow_dispatch).toBeDefined();
    expect(workflow.jobs.release.permissions).toEqual({ contents: 'write' });
    expect(at('Test')).toBeGreaterThan(at('Version, changelog and README agree'));
    expect(at('dist is the bundle of the source')).toBeGreaterThan(at('Test'));
    expect(at('Tag vX.Y.Z and move vX')).toBeGreaterThan(at('dist is the bundle of the source'));
    expect(steps[at('Tag vX.Y.Z and move vX')]?.run).toMatch(/git push -f origin "\$major"/);
  });

  it('keep npm dependencies and the workflows’ actions updated', () => {
    const config = parse(readFileSync('.github/dependabot.yml', 'utf8')) as {
      updates: { 'package-ecosystem': string }[];
    };
    expect(config.updates.map((u) => u['package-ecosystem']).sort()).toEqual(['github-actions', 'npm']);
  });
});
