// Release bookkeeping, used by .github/workflows/release.yml and tested by __tests__/unit/release.test.ts:
//   node scripts/release.mjs check X.Y.Z   the version is the one package.json, src/version.ts and a dated
//                                           CHANGELOG.md section all name, and the README's `uses:` lines use vX
//   node scripts/release.mjs notes X.Y.Z   prints that version's CHANGELOG.md section (the release notes)
import { readFileSync } from 'node:fs';

export function changelogSection(changelog, version) {
  const lines = changelog.split('\n');
  const start = lines.findIndex((l) => l.startsWith(`## [${version}]`));
  if (start < 0) return undefined;
  const rest = lines.slice(start + 1);
  const end = rest.findIndex((l) => l.startsWith('## '));
  return { heading: lines[start], body: (end < 0 ? rest : rest.slice(0, end)).join('\n').trim() };
}

/** Problems that stop a release of `version`, in the words a maintainer acts on; empty when it may go. */
export function releaseProblems(version, files) {
  const problems = [];
  if (!/^\d+\.\d+\.\d+$/.test(version)) return [`"${version}" is not a version X.Y.Z.`];
  const major = `v${version.split('.')[0]}`;
  const pkg = JSON.parse(files.packageJson).version;
  if (pkg !== version) problems.push(`package.json says ${pkg}: set "version": "${version}".`);
  const code = /VERSION = '([^']+)'/.exec(files.versionTs)?.[1];
  if (code !== version) problems.push(`src/version.ts says ${code}: set VERSION = '${version}'.`);
  const section = changelogSection(files.changelog, version);
  if (!section) problems.push(`CHANGELOG.md has no "## [${version}] - YYYY-MM-DD" section.`);
  else if (!/ - \d{4}-\d{2}-\d{2}$/.test(section.heading))
    problems.push(`CHANGELOG.md's section "${section.heading}" has no date: write the release date.`);
  else if (!section.body) problems.push(`CHANGELOG.md's section for ${version} is empty.`);
  const uses = [...files.readme.matchAll(/uses: [\w.-]+\/multi-account-deploy[^@\s]*@(\S+)/g)].map(
    (m) => m[1],
  );
  for (const ref of new Set(uses))
    if (ref !== major) problems.push(`README.md uses @${ref}: this release moves ${major}.`);
  return problems;
}

function main([command, version]) {
  const files = {
    packageJson: readFileSync('package.json', 'utf8'),
    versionTs: readFileSync('src/version.ts', 'utf8'),
    changelog: readFileSync('CHANGELOG.md', 'utf8'),
    readme: readFileSync('README.md', 'utf8'),
  };
  if (command === 'check') {
    const problems = releaseProblems(version ?? '', files);
    for (const p of problems) console.error(`::error title=Release ${version}::${p}`);
    process.exit(problems.length ? 1 : 0);
  }
  if (command === 'notes') {
    const section = changelogSection(files.changelog, version ?? '');
    if (!section) process.exit(1);
    console.log(section.body);
    return;
  }
  console.error('usage: node scripts/release.mjs check|notes X.Y.Z');
  process.exit(2);
}

if (process.argv[1]?.endsWith('release.mjs')) main(process.argv.slice(2));
