// ECR lifecycle policies on 300 repositories (moto): the bundled action's first run and unchanged run, against a
// plain sequential loop of `aws ecr put-lifecycle-policy` (the AWS CLI) over the same repositories.
// Env: BENCH_REPOS (default 300), BENCH_PEER_SAMPLE (CLI calls actually timed, default 30; the rest is
// extrapolated from their median and said so; set it to BENCH_REPOS to time the whole loop).
import { CreateRepositoryCommand, ECRClient } from '@aws-sdk/client-ecr';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCountingProxy } from '../scripts/lib/counting-proxy.mjs';
import { startMoto } from '../scripts/lib/moto.mjs';
import { REPO_ROOT, runAction } from '../scripts/lib/runner.mjs';
import { awsCli, cliEnv, median, ratioLine, timed } from './lib.mjs';

const run$ = promisify(execFile);
const REPOS = Number(process.env.BENCH_REPOS ?? 300);
const SAMPLE = Math.min(REPOS, Number(process.env.BENCH_PEER_SAMPLE ?? 30));
const names = Array.from({ length: REPOS }, (_, i) => `bench/service-${String(i).padStart(3, '0')}`);

const moto = await startMoto();
const proxy = await startCountingProxy(moto.endpoint);
try {
  const ecr = new ECRClient({
    region: 'eu-west-1',
    endpoint: moto.endpoint,
    credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'bench' },
  });
  for (let i = 0; i < names.length; i += 20)
    await Promise.all(
      names
        .slice(i, i + 20)
        .map((repositoryName) => ecr.send(new CreateRepositoryCommand({ repositoryName }))),
    );
  await ecr.send(new CreateRepositoryCommand({ repositoryName: 'unrelated' }));
  console.log(`${REPOS} repositories (+1 unrelated) on moto ${moto.endpoint}`);

  const run = () =>
    runAction({
      files: { 'stack.yaml': { from: 'templates/example-app.yaml' } },
      inputs: {
        'stack-name': 'bench',
        template: 'stack.yaml',
        permissions: 'off',
        'ecr-repositories': 'bench/*',
      },
      endpoint: proxy.url,
      timeoutMs: 600_000,
    });
  const ecrSeconds = (summary) => {
    const m = /\*\*ECR lifecycle policies:\*\* \d+ repositories in ([\d.]+) s — (.*)/.exec(summary);
    return m ? { ms: Number(m[1]) * 1000, counts: m[2] } : undefined;
  };

  proxy.reset();
  const first = await run();
  if (first.code !== 0) throw new Error(`first run failed:\n${first.stdout}\n${first.stderr}`);
  const firstEcr = ecrSeconds(first.summary);
  const firstPuts = proxy.count('PutLifecyclePolicy');

  proxy.reset();
  const second = await run();
  if (second.code !== 0) throw new Error(`unchanged run failed:\n${second.stdout}\n${second.stderr}`);
  const secondEcr = ecrSeconds(second.summary);
  const secondPuts = proxy.count('PutLifecyclePolicy');

  // The peer: one CLI process per repository, one after another, with the same policy text.
  const cli = awsCli();
  const policyFile = join(mkdtempSync(join(tmpdir(), 'mad-bench-')), 'policy.json');
  writeFileSync(policyFile, readFileSync(join(REPO_ROOT, 'templates/ecr-lifecycle-policy.json'), 'utf8'));
  const env = cliEnv(moto.endpoint);
  const perCall = [];
  for (const name of names.slice(0, SAMPLE)) {
    // Asynchronous on purpose: a blocked event loop would stop draining moto's log pipe and hang moto.
    const { ms } = await timed(() =>
      run$(
        cli[0],
        [
          ...cli.slice(1),
          'ecr',
          'put-lifecycle-policy',
          '--repository-name',
          name,
          '--lifecycle-policy-text',
          `file://${policyFile}`,
          '--endpoint-url',
          moto.endpoint,
          '--output',
          'json',
        ],
        { env },
      ),
    );
    perCall.push(ms);
  }
  const sampled = perCall.reduce((a, b) => a + b, 0);
  const peer = SAMPLE === REPOS ? sampled : sampled + median(perCall) * (REPOS - SAMPLE);

  console.log(
    `ours, first run:     whole action ${first.durationMs} ms (incl. a stack deploy); ECR phase ${firstEcr?.ms ?? '?'} ms (${firstEcr?.counts ?? 'no ECR section'}); PutLifecyclePolicy requests: ${firstPuts}`,
  );
  console.log(
    `ours, unchanged run: whole action ${second.durationMs} ms; ECR phase ${secondEcr?.ms ?? '?'} ms (${secondEcr?.counts ?? 'no ECR section'}); PutLifecyclePolicy requests: ${secondPuts} (target 0) ${secondPuts === 0 ? '✓' : '✗'}`,
  );
  console.log(
    SAMPLE === REPOS
      ? `peer: sequential aws ecr put-lifecycle-policy over ${REPOS} repositories: ${peer.toFixed(0)} ms (all timed)`
      : `peer: sequential aws ecr put-lifecycle-policy: ${SAMPLE} calls timed (${sampled.toFixed(0)} ms, median ${median(perCall).toFixed(0)} ms/call), ${REPOS - SAMPLE} extrapolated from the median → ${peer.toFixed(0)} ms for ${REPOS}`,
  );
  console.log(ratioLine('first run, whole action vs peer loop', first.durationMs, peer, 0.2));
  if (firstEcr) console.log(ratioLine('first run, ECR phase vs peer loop', firstEcr.ms, peer, 0.2));
  console.log(
    `speed-up on the first run: ${(peer / first.durationMs).toFixed(1)}× (whole action), ${firstEcr ? (peer / firstEcr.ms).toFixed(1) : '?'}× (ECR phase); target ≥ 5×`,
  );
} finally {
  await proxy.close();
  await moto.stop();
}
