// The steps of `npm test` (scripts/test.mjs), apart so they can be tested themselves: a step counts as passed only
// on evidence — a check that exited 0, a jest run that exited 0 and wrote a fresh result file with no failure.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

export function tally() {
  return { passed: 0, failed: 0, failures: [] };
}

function fail(t, why) {
  t.failed++;
  t.failures.push(why);
}

export function step(name, command, args, options = {}) {
  process.stderr.write(`\n━━ ${name}\n`);
  const res = spawnSync(command, args, { stdio: 'inherit', ...options });
  return res.status === 0;
}

export function check(t, name, command, args, options) {
  if (step(name, command, args, options)) t.passed++;
  else fail(t, name);
}

/** Old results would be read as this run's if jest crashed before writing: remove them first. */
export function clearResults(dir) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
}

/** The bundle the integration tests run must exist: a broken build fails `npm test`, not silently skips. */
export function requireBundle(t, root = '.') {
  for (const file of ['dist/index.js', 'dist/cli/index.js'])
    if (!existsSync(join(root, file))) fail(t, `${file} is missing: run \`npm run bundle\``);
}

/**
 * One jest project. Counts its tests from the result file; a run that crashed (exit ≠ 0 with no failed test),
 * wrote no file, or a file without tests, counts as a failure too.
 */
export function jestProject(t, project, { jest, resultsDir, extra = [], cwd } = {}) {
  const file = join(resultsDir, `${project}.json`);
  const ok = step(
    `jest ${project}`,
    process.execPath,
    [
      '--experimental-vm-modules',
      '--no-warnings',
      jest,
      '--selectProjects',
      project,
      '--json',
      `--outputFile=${file}`,
      ...extra,
    ],
    { cwd },
  );
  if (!existsSync(file)) return fail(t, `jest ${project} (no result file)`);
  let result;
  try {
    result = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return fail(t, `jest ${project} (unreadable result file)`);
  }
  const passed = Number(result.numPassedTests) || 0;
  const failedTests = Number(result.numFailedTests) || 0;
  // A suite that fails to load has no failed tests but is a failure all the same.
  const broken = Number(result.numRuntimeErrorTestSuites) || 0;
  t.passed += passed;
  t.failed += failedTests + broken;
  if (!ok && failedTests + broken === 0) return fail(t, `jest ${project} (exited with an error)`);
  if (passed + failedTests === 0) return fail(t, `jest ${project} (ran no tests)`);
  if (!ok || failedTests || broken) t.failures.push(`jest ${project}`);
}
