import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseCommandFile } from '../../scripts/lib/runner.mjs';

// The reusable workflow runs scripts/workflow/package-hash.mjs from its checkout of the action; so do these tests.
const SCRIPT = resolve('scripts/workflow/package-hash.mjs');

function run(cwd: string, args: string[]) {
  const output = join(mkdtempSync(join(tmpdir(), 'mad-out-')), 'output');
  writeFileSync(output, '');
  const res = spawnSync(process.execPath, [SCRIPT, ...args], {
    cwd,
    env: { PATH: process.env.PATH, GITHUB_OUTPUT: output },
    encoding: 'utf8',
  });
  return {
    code: res.status,
    stdout: res.stdout,
    stderr: res.stderr,
    outputs: parseCommandFile(readFileSync(output, 'utf8')) as Record<string, string>,
  };
}

/** A caller's repository with a template and two stages' parameters. */
function repository(): string {
  const root = mkdtempSync(join(tmpdir(), 'mad-repo-'));
  mkdirSync(join(root, 'infra'));
  cpSync('templates/example-app.yaml', join(root, 'infra/stack.yaml'));
  writeFileSync(join(root, 'infra/dev.json'), '[{"ParameterKey":"Env","ParameterValue":"dev"}]\n');
  writeFileSync(join(root, 'infra/prod.json'), '[{"ParameterKey":"Env","ParameterValue":"prod"}]\n');
  return root;
}

const FILES = [
  'template=infra/stack.yaml',
  'dev-parameters=infra/dev.json',
  'prod-parameters=infra/prod.json',
];

/** What the package job does: pack, and record the hash. */
function pack(repo: string, files = FILES) {
  const out = join(mkdtempSync(join(tmpdir(), 'mad-pkg-')), 'package');
  const res = run(repo, ['pack', '--out', out, ...files, 'staging-parameters=']);
  expect(res.stdout).not.toContain('::error');
  expect(res.code).toBe(0);
  return { dir: out, hash: res.outputs.hash ?? '' };
}

/** What the prod execute job does before executing: verify its download against the planned hash. */
const verifyAsExecute = (dir: string, planned: string) =>
  run(dir, [
    'verify',
    '--dir',
    dir,
    '--expect',
    planned,
    'template=infra/stack.yaml',
    'prod-parameters=infra/prod.json',
  ]);

describe('the workflow package (scripts/workflow/package-hash.mjs)', () => {
  it('packages the template and parameters with a hash sha256sum can reproduce, the same for the same content', () => {
    const repo = repository();
    const first = pack(repo);
    expect(first.hash).toMatch(/^[0-9a-f]{64}$/);
    const manifest = JSON.parse(readFileSync(join(first.dir, 'manifest.json'), 'utf8'));
    expect(manifest.files.map((f: { path: string; inputs: string[] }) => [f.path, f.inputs])).toEqual([
      ['infra/dev.json', ['dev-parameters']],
      ['infra/prod.json', ['prod-parameters']],
      ['infra/stack.yaml', ['template']],
    ]);
    for (const f of manifest.files)
      expect(readFileSync(join(first.dir, f.path))).toEqual(readFileSync(join(repo, f.path)));
    // `sha256sum` of the files, sorted by path, hashed again: the documented way to check a package by hand.
    const sums = spawnSync('sha256sum', ['infra/dev.json', 'infra/prod.json', 'infra/stack.yaml'], {
      cwd: repo,
      encoding: 'utf8',
    }).stdout;
    const again = spawnSync('sha256sum', [], { input: sums, encoding: 'utf8' }).stdout.split(' ')[0];
    expect(first.hash).toBe(again);
    // Input order and a second run change nothing; a file named twice is packaged once.
    const reordered = pack(repo, [...FILES].reverse());
    expect(reordered.hash).toBe(first.hash);
    const shared = pack(repo, [...FILES, 'staging-parameters=./infra/dev.json']);
    expect(shared.hash).toBe(first.hash);
  });

  it('lets execute run when the package is exactly the one planned', () => {
    const repo = repository();
    const planned = pack(repo);
    const res = verifyAsExecute(planned.dir, planned.hash);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain(`Package sha256:${planned.hash} verified: 3 file(s) as planned.`);
    expect(res.outputs.hash).toBe(planned.hash);
    // The execute job checks against both the package job's and the plan job's record.
    expect(
      run(planned.dir, ['verify', '--dir', planned.dir, '--expect', planned.hash, '--expect', planned.hash])
        .code,
    ).toBe(0);
  });

  it('refuses to execute when the template differs from the plan', () => {
    const repo = repository();
    const planned = pack(repo);
    // The downloaded template was altered after the plan...
    const altered = join(mkdtempSync(join(tmpdir(), 'mad-alt-')), 'package');
    cpSync(planned.dir, altered, { recursive: true });
    writeFileSync(
      join(altered, 'infra/stack.yaml'),
      `${readFileSync(join(altered, 'infra/stack.yaml'), 'utf8')}\n# x\n`,
    );
    const res = verifyAsExecute(altered, planned.hash);
    expect(res.code).toBe(1);
    expect(res.stdout).toMatch(
      /^::error title=Package check::The packaged file infra\/stack\.yaml \(template\) differs from the one that was packaged and planned .*Nothing was deployed\./m,
    );
    // ...or a package was built from another template: self-consistent, but not what was planned.
    writeFileSync(
      join(repo, 'infra/stack.yaml'),
      `${readFileSync(join(repo, 'infra/stack.yaml'), 'utf8')}\n# y\n`,
    );
    const other = pack(repo);
    expect(other.hash).not.toBe(planned.hash);
    const mismatch = verifyAsExecute(other.dir, planned.hash);
    expect(mismatch.code).toBe(1);
    expect(mismatch.stdout).toContain(
      `This package (sha256 ${other.hash.slice(0, 12)}) is not the one that was planned (sha256 ${planned.hash.slice(0, 12)})`,
    );
  });

  it('refuses to execute when a parameters file differs from the plan', () => {
    const repo = repository();
    const planned = pack(repo);
    const altered = join(mkdtempSync(join(tmpdir(), 'mad-alt-')), 'package');
    cpSync(planned.dir, altered, { recursive: true });
    writeFileSync(join(altered, 'infra/prod.json'), '[{"ParameterKey":"Env","ParameterValue":"evil"}]\n');
    const res = verifyAsExecute(altered, planned.hash);
    expect(res.code).toBe(1);
    expect(res.stdout).toContain('The packaged file infra/prod.json (prod-parameters) differs');

    // A parameters file changed in the repository gives another package, which the plan's hash refuses.
    writeFileSync(join(repo, 'infra/prod.json'), '[{"ParameterKey":"Env","ParameterValue":"prod2"}]\n');
    const other = pack(repo);
    expect(verifyAsExecute(other.dir, planned.hash).code).toBe(1);
    // A manifest edited to match the altered file does not add up.
    const manifest = JSON.parse(readFileSync(join(altered, 'manifest.json'), 'utf8'));
    const sha = spawnSync('sha256sum', [join(altered, 'infra/prod.json')], { encoding: 'utf8' }).stdout.split(
      ' ',
    )[0];
    manifest.files.find((f: { path: string }) => f.path === 'infra/prod.json').sha256 = sha;
    writeFileSync(join(altered, 'manifest.json'), JSON.stringify(manifest));
    const edited = verifyAsExecute(altered, planned.hash);
    expect(edited.code).toBe(1);
    expect(edited.stdout).toContain('does not add up');
  });

  it('refuses a file that is not in the package, a missing plan record, and files outside the repository', () => {
    const repo = repository();
    const planned = pack(repo);
    const unpackaged = run(planned.dir, [
      'verify',
      '--dir',
      planned.dir,
      '--expect',
      planned.hash,
      'prod-parameters=infra/other.json',
    ]);
    expect(unpackaged.code).toBe(1);
    expect(unpackaged.stdout).toContain(
      `Input 'prod-parameters' is "infra/other.json": that file is not part of the package`,
    );
    // An empty expected hash (the plan job never recorded one) is not a match for anything.
    const empty = run(planned.dir, ['verify', '--dir', planned.dir, '--expect', '']);
    expect(empty.code).toBe(1);
    expect(empty.stdout).toContain('is not a sha256');

    const missing = run(repo, ['pack', '--out', join(repo, 'out'), 'template=infra/nope.yaml']);
    expect(missing.code).toBe(1);
    expect(missing.stdout).toContain(`Input 'template' is "infra/nope.yaml": no such file in the repository`);
    const outside = run(repo, ['pack', '--out', join(repo, 'out'), 'template=../etc.yaml']);
    expect(outside.code).toBe(1);
    symlinkSync('/etc/hostname', join(repo, 'infra/link.json'));
    const link = run(repo, [
      'pack',
      '--out',
      join(repo, 'out'),
      'template=infra/stack.yaml',
      'dev-parameters=infra/link.json',
    ]);
    expect(link.code).toBe(1);
    expect(link.stdout).toContain(
      `Input 'dev-parameters' is "infra/link.json": the file is outside the repository`,
    );
    const absolute = run(repo, [
      'pack',
      '--out',
      join(repo, 'out'),
      `template=${join(repo, 'infra/stack.yaml')}`,
    ]);
    expect(absolute.code).toBe(1);
    expect(absolute.stdout).toContain('expected a path relative to the repository root');
  });
});
