// Small helpers shared by the benchmarks: timing, medians, ratio lines, and the AWS CLI as a peer.
import { spawnSync } from 'node:child_process';

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export async function timed(fn) {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}

/** "label: ours 210 ms, peer 520 ms, ratio 0.40× (target ≤ 0.5×) ✓" */
export function ratioLine(label, ours, peer, target, lowerIsBetter = true) {
  const ratio = ours / peer;
  const ok = lowerIsBetter ? ratio <= target : ratio >= target;
  return `${label}: ours ${ours.toFixed(0)} ms, peer ${peer.toFixed(0)} ms, ratio ${ratio.toFixed(2)}× (target ${lowerIsBetter ? '≤' : '≥'} ${target}×) ${ok ? '✓' : '✗'}`;
}

/** The AWS CLI the benchmarks compare with: `aws` on PATH, else `python3 -m awscli`. */
export function awsCli() {
  if (spawnSync('aws', ['--version'], { stdio: 'ignore' }).status === 0) return ['aws'];
  if (spawnSync('python3', ['-m', 'awscli', '--version'], { stdio: 'ignore' }).status === 0)
    return ['python3', '-m', 'awscli'];
  throw new Error('No AWS CLI found: install one (e.g. apt-get install awscli) to run the benchmarks.');
}

/** Environment for the peer CLI: the emulator's endpoint and dummy credentials, no pager, no metadata lookups. */
export function cliEnv(endpoint) {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'bench',
    AWS_DEFAULT_REGION: 'eu-west-1',
    AWS_REGION: 'eu-west-1',
    AWS_ENDPOINT_URL: endpoint,
    AWS_PAGER: '',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}
