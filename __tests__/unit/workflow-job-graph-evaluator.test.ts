import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  criticalPath,
  evaluateCondition,
  hasStatusFunction,
  loadWorkflow,
  simulate,
  type Scenario,
} from './helpers/job-graph.js';

// The job-graph evaluator's own semantics, on small workflows whose outcome GitHub documents. Each case would
// fail if the evaluator used only the direct needs, forgot the implicit success(), or merged matrix outputs
// other than last-writer-wins.
async function graph(jobs: string) {
  const dir = mkdtempSync(join(tmpdir(), 'mad-graph-'));
  const file = join(dir, 'w.yml');
  writeFileSync(file, `on: workflow_call\njobs:\n${jobs}`);
  return loadWorkflow(file);
}
const job = (id: string, extra = '') =>
  `  ${id}:\n    runs-on: ubuntu-latest\n${extra}    steps:\n      - id: s\n        run: echo\n`;
const scenario = (over: Partial<Scenario> = {}): Scenario => ({
  inputs: {},
  github: {},
  run: () => ({}),
  ...over,
});

describe('the job-graph evaluator', () => {
  it('finds status functions anywhere in an expression, case-insensitively', () => {
    expect(hasStatusFunction("needs.a.result == 'success'")).toBe(false);
    expect(hasStatusFunction("!cancelled() && needs.a.result == 'success'")).toBe(true);
    expect(hasStatusFunction('(inputs.x == 1 || Always()) && inputs.y')).toBe(true);
    expect(hasStatusFunction("contains(format('{0}', failure()), 'x')")).toBe(true);
  });

  it('adds success() to a condition without a status function', () => {
    const failed = { success: false, failure: true, cancelled: false };
    expect(evaluateCondition("'a' == 'a'", {}, failed)).toBe(false);
    expect(evaluateCondition("always() && 'a' == 'a'", {}, failed)).toBe(true);
    expect(evaluateCondition('failure()', {}, failed)).toBe(true);
  });

  it('skips a job whose grand-parent was skipped, even though its direct need succeeded (actions/runner#2205)', async () => {
    const w = await graph(
      job('a', '    if: false\n') +
        job('b', '    needs: a\n    if: always()\n') +
        job('c', '    needs: b\n') +
        job('d', '    needs: b\n    if: "!cancelled() && needs.b.result == \'success\'"\n'),
    );
    expect(w.errors).toEqual([]);
    const runs = simulate(w, scenario());
    expect(runs.get('a')!.result).toBe('skipped');
    expect(runs.get('b')!.result).toBe('success');
    expect(runs.get('c')!.result).toBe('skipped'); // implicit success() covers the whole chain
    expect(runs.get('d')!.result).toBe('success'); // an explicit status function decides alone
  });

  it('runs failure() jobs when anything up the chain failed, and cancelled() only in a cancelled run', async () => {
    const w = await graph(
      job('a') +
        job('b', '    needs: a\n') +
        job('on-failure', '    needs: b\n    if: failure()\n') +
        job('on-cancel', '    needs: b\n    if: cancelled()\n'),
    );
    const failing = simulate(w, scenario({ run: (id) => ({ result: id === 'a' ? 'failure' : 'success' }) }));
    expect(failing.get('b')!.result).toBe('skipped');
    expect(failing.get('on-failure')!.result).toBe('success');
    expect(failing.get('on-cancel')!.result).toBe('skipped');
    const cancelled = simulate(w, scenario({ cancelledBefore: ['b'] }));
    expect(cancelled.get('b')!.result).toBe('skipped');
    expect(cancelled.get('on-cancel')!.result).toBe('success');
  });

  it('gives a matrix job the last leg’s outputs, fails it when any leg fails, and fails an empty matrix', async () => {
    const w = await graph(
      job(
        'm',
        '    strategy:\n      matrix:\n        region: ${{ fromJSON(inputs.regions) }}\n    outputs:\n      last: ${{ steps.s.outputs.region }}\n',
      ),
    );
    const run = (regions: string, fail = '') =>
      simulate(
        w,
        scenario({
          inputs: { regions },
          run: (_, matrix) => ({
            result: matrix.region === fail ? 'failure' : 'success',
            steps: { s: { region: String(matrix.region) } },
          }),
        }),
      ).get('m')!;
    expect(run('["a","b","c"]').outputs.last).toBe('c');
    expect(run('["a","b","c"]').legs).toHaveLength(3);
    expect(run('["a","b"]', 'a').result).toBe('failure');
    expect(run('[]').result).toBe('failure');
  });

  it('records an environment a job waits for, and fails the job when its reviewers reject', async () => {
    const w = await graph(job('a', '    environment: prod\n') + job('b', '    needs: a\n'));
    const approved = simulate(w, scenario());
    expect(approved.get('a')!.environment).toBe('prod');
    const rejected = simulate(w, scenario({ approve: () => false }));
    expect(rejected.get('a')!.result).toBe('failure');
    expect(rejected.get('b')!.result).toBe('skipped');
  });

  it('counts the longest chain of jobs that ran', async () => {
    const w = await graph(
      job('a') + job('b', '    needs: a\n') + job('c', '    needs: b\n') + job('d', '    needs: [a, c]\n'),
    );
    const runs = simulate(w, scenario());
    expect(criticalPath(w, runs, 'd')).toEqual(['a', 'b', 'c', 'd']);
  });

  it('treats a `${{ }}` around a folded block as GitHub does: a string, so always true', async () => {
    const w = await graph(job('a', '    if: >-\n      ${{ false &&\n      true }}\n'));
    expect(simulate(w, scenario()).get('a')!.result).toBe('success');
  });
});
