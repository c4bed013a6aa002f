import { runAction as run, type RunOptions, type RunResult } from '../../../scripts/lib/runner.mjs';
import { motoEndpoint } from './moto.js';

export { parseCommandFile, REPO_ROOT } from '../../../scripts/lib/runner.mjs';
export type { RunOptions, RunResult };

/** Runs the bundled action against the test moto (unless another endpoint is given). */
export function runAction(options: RunOptions): Promise<RunResult> {
  return run({ endpoint: motoEndpoint(), ...options });
}

/** The example stack's inputs, for tests that need a valid minimal deploy. */
export const EXAMPLE = {
  files: { 'stack.yaml': { from: 'templates/example-app.yaml' } },
  inputs: { 'stack-name': 'example', template: 'stack.yaml', permissions: 'off' },
};
