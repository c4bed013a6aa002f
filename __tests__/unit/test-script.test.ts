// `npm test` cannot pass on failure: the steps of scripts/test.mjs against stub jest runners in a temp dir.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clearResults, jestProject, requireBundle, tally } from '../../scripts/lib/test-steps.mjs';

const dir = mkdtempSync(join(tmpdir(), 'mad-test-script-'));
const results = join(dir, '.test-results');

/** A stub jest: writes `result` (if any) to --outputFile, then exits with `code`. */
function stub(name: string, code: number, result?: object): string {
  const file = join(dir, `${name}.mjs`);
  writeFileSync(
    file,
    `import { writeFileSync } from 'node:fs';
const out = process.argv.find((a) => a.startsWith('--outputFile='))?.slice(13);
${result ? `writeFileSync(out, ${JSON.stringify(JSON.stringify(result))});` : ''}
process.exit(${code});`,
  );
  return file;
}

const run = (jest: string) => {
  const t = tally();
  jestProject(t, 'unit', { jest, resultsDir: results });
  return t;
};

beforeEach(() => clearResults(results));

describe('the test script', () => {
  it('counts the tests of a run that passed', () => {
    const t = run(stub('ok', 0, { numPassedTests: 3, numFailedTests: 0 }));
    expect(t).toEqual({ passed: 3, failed: 0, failures: [] });
  });

  it('counts failed tests and a suite that did not load', () => {
    const t = run(stub('red', 1, { numPassedTests: 2, numFailedTests: 1, numRuntimeErrorTestSuites: 1 }));
    expect(t.failed).toBe(2);
    expect(t.failures).toEqual(['jest unit']);
  });

  it('fails a runner that crashed without results, even when an old result file was there', () => {
    writeFileSync(join(results, 'unit.json'), JSON.stringify({ numPassedTests: 99, numFailedTests: 0 }));
    clearResults(results);
    const t = run(stub('crash', 1));
    expect(t.passed).toBe(0);
    expect(t.failed).toBe(1);
    expect(t.failures[0]).toContain('no result file');
  });

  it('fails a runner that exited with an error but reported no failed test', () => {
    const t = run(stub('liar', 1, { numPassedTests: 5, numFailedTests: 0 }));
    expect(t.failed).toBe(1);
    expect(t.failures[0]).toContain('exited with an error');
  });

  it('fails a run that ran no tests at all', () => {
    const t = run(stub('empty', 0, { numPassedTests: 0, numFailedTests: 0 }));
    expect(t.failed).toBe(1);
  });

  it('fails when the bundle the integration tests run is missing', () => {
    const root = join(dir, 'repo');
    mkdirSync(join(root, 'dist/cli'), { recursive: true });
    writeFileSync(join(root, 'dist/cli/index.js'), '');
    const t = tally();
    requireBundle(t, root);
    expect(t.failed).toBe(1);
    expect(t.failures[0]).toContain('dist/index.js is missing');
    writeFileSync(join(root, 'dist/index.js'), '');
    const fine = tally();
    requireBundle(fine, root);
    expect(fine.failed).toBe(0);
  });
});
