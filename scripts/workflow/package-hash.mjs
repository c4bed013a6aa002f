#!/usr/bin/env node
// The reusable workflow's package: the template and parameters files, copied once, with one content hash.
// The workflow runs this from its own checkout of the action, so it has no dependencies beyond Node.
//
//   package-hash.mjs pack   --out DIR input=path...             copy the files, write DIR/manifest.json
//   package-hash.mjs verify --dir DIR --expect HASH... [input=path...]
//                                                               every file still has its packaged content,
//                                                               the package hash is each expected one, and
//                                                               the files named are part of the package
//
// `input=path` names the workflow input a path came from, so errors can name it; an empty path is skipped.
// The hash is sha256 over `<sha256 of file>  <path>\n` lines sorted by path (what `sha256sum` prints), so it
// can be reproduced by hand and depends only on the paths and contents, never on time or order.
import { createHash } from 'node:crypto';
import {
  appendFileSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  realpathSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, isAbsolute, join, posix, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';

export const MANIFEST = 'manifest.json';

export class PackageError extends Error {}

const sha256 = (data) => createHash('sha256').update(data).digest('hex');

/** The package hash of manifest entries ({ path, sha256 }). */
export function packageHash(files) {
  const lines = [...files]
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
    .map((f) => `${f.sha256}  ${f.path}\n`);
  return sha256(lines.join(''));
}

/** `input=path` arguments → [{ input, path }] with workspace-relative POSIX paths; empty paths are dropped. */
export function namedPaths(args) {
  return args
    .map((arg) => {
      const at = arg.indexOf('=');
      if (at <= 0) throw new PackageError(`Expected input=path, got "${arg}".`);
      return { input: arg.slice(0, at), path: arg.slice(at + 1).trim() };
    })
    .filter((p) => p.path !== '');
}

/** A path inside the workspace, as a normalised relative POSIX path; anything else is refused. */
function insideWorkspace(workspace, { input, path }) {
  const where = `Input '${input}' is "${path}"`;
  if (isAbsolute(path)) throw new PackageError(`${where}: expected a path relative to the repository root.`);
  const full = resolve(workspace, path);
  if (!existsSync(full) || !statSync(full).isFile())
    throw new PackageError(`${where}: no such file in the repository (looked at ${full}).`);
  // Resolve symbolic links too: a link out of the repository must not smuggle other content in.
  const rel = relative(realpathSync(workspace), realpathSync(full));
  if (rel.startsWith('..') || isAbsolute(rel))
    throw new PackageError(
      `${where}: the file is outside the repository; keep templates and parameters in it.`,
    );
  return relative(workspace, full).split(sep).join('/');
}

/** Copies the files into `out` and writes the manifest. Returns the manifest. */
export function pack(workspace, out, named) {
  const byPath = new Map();
  for (const n of named) {
    const path = insideWorkspace(workspace, n);
    const entry = byPath.get(path) ?? { path, inputs: [] };
    entry.inputs.push(n.input);
    byPath.set(path, entry);
  }
  if (byPath.size === 0) throw new PackageError('Nothing to package: give at least the template.');
  const files = [...byPath.values()].map((entry) => {
    const data = readFileSync(join(workspace, entry.path));
    mkdirSync(dirname(join(out, entry.path)), { recursive: true });
    copyFileSync(join(workspace, entry.path), join(out, entry.path));
    return { path: entry.path, inputs: entry.inputs, bytes: data.length, sha256: sha256(data) };
  });
  files.sort((a, b) => (a.path < b.path ? -1 : 1));
  const manifest = { format: 1, hash: packageHash(files), files };
  writeFileSync(join(out, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

/**
 * Checks a downloaded package before anything is deployed from it. Throws a PackageError that says which file
 * differs and what to do; returns the manifest when every check holds.
 */
export function verify(dir, expected, named) {
  const manifestPath = join(dir, MANIFEST);
  if (!existsSync(manifestPath))
    throw new PackageError(
      `${manifestPath} is missing: this is not a package made by the workflow's package job.`,
    );
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  if (manifest.format !== 1 || !Array.isArray(manifest.files))
    throw new PackageError(`${manifestPath} has an unknown format.`);
  for (const f of manifest.files) {
    const full = join(dir, f.path);
    const what = f.inputs?.length ? `${f.path} (${f.inputs.join(', ')})` : f.path;
    if (!existsSync(full)) throw new PackageError(`The packaged file ${what} is missing from ${dir}.`);
    const actual = sha256(readFileSync(full));
    if (actual !== f.sha256)
      throw new PackageError(
        `The packaged file ${what} differs from the one that was packaged and planned (sha256 ${f.sha256.slice(0, 12)}, now ${actual.slice(0, 12)}). Nothing was deployed.`,
      );
  }
  const hash = packageHash(manifest.files);
  if (hash !== manifest.hash)
    throw new PackageError(
      `The manifest of ${dir} does not add up (recorded ${manifest.hash}, computed ${hash}).`,
    );
  for (const e of expected) {
    if (!/^[0-9a-f]{64}$/.test(e))
      throw new PackageError(
        `Expected package hash "${e}" is not a sha256: the job that recorded it did not finish.`,
      );
    if (e !== hash)
      throw new PackageError(
        `This package (sha256 ${hash.slice(0, 12)}) is not the one that was planned (sha256 ${e.slice(0, 12)}): the template or parameters differ. Nothing was deployed; run the workflow again from the commit to deploy.`,
      );
  }
  const packaged = new Set(manifest.files.map((f) => f.path));
  for (const n of named) {
    const path = posix.normalize(n.path.split(sep).join('/'));
    if (!packaged.has(path))
      throw new PackageError(
        `Input '${n.input}' is "${n.path}": that file is not part of the package (${[...packaged].join(', ')}).`,
      );
  }
  return manifest;
}

function parseArgs(argv) {
  const options = { expect: [], named: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--out' || a === '--dir') options[a.slice(2)] = argv[++i];
    else if (a === '--expect') options.expect.push((argv[++i] ?? '').trim());
    else options.named.push(a);
  }
  return options;
}

function setOutput(name, value) {
  if (process.env.GITHUB_OUTPUT) appendFileSync(process.env.GITHUB_OUTPUT, `${name}=${value}\n`);
}

function main(argv) {
  const [command, ...rest] = argv;
  const options = parseArgs(rest);
  const named = namedPaths(options.named);
  if (command === 'pack') {
    if (!options.out) throw new PackageError('pack needs --out DIR.');
    const manifest = pack(process.cwd(), resolve(options.out), named);
    for (const f of manifest.files) console.log(`${f.sha256}  ${f.path}  (${f.inputs.join(', ')})`);
    console.log(`Package sha256:${manifest.hash}, ${manifest.files.length} file(s).`);
    setOutput('hash', manifest.hash);
  } else if (command === 'verify') {
    if (!options.dir) throw new PackageError('verify needs --dir DIR.');
    if (options.expect.length === 0) throw new PackageError('verify needs at least one --expect HASH.');
    const manifest = verify(resolve(options.dir), options.expect, named);
    console.log(`Package sha256:${manifest.hash} verified: ${manifest.files.length} file(s) as planned.`);
    setOutput('hash', manifest.hash);
  } else {
    throw new PackageError(`Unknown command "${command ?? ''}": use pack or verify.`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  try {
    main(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof PackageError)) throw error;
    console.log(`::error title=Package check::${error.message}`);
    process.exit(1);
  }
}
