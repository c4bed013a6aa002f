// Builds the committed bundle in one step: the action (dist/index.js) and the CLI (dist/cli/index.js) share
// their chunks (dist/chunks/), so every SDK client is in dist/ once (ADR 005). Modules loaded with import()
// become chunks of their own and are parsed only when a run needs them (ADR 001).
import { build } from 'esbuild';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

rmSync('dist', { recursive: true, force: true });
const result = await build({
  entryPoints: { index: 'src/index.ts', 'cli/index': 'src/cli/index.ts' },
  outdir: 'dist',
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  // The packages' ES module builds: import() of them keeps its named exports, and they tree-shake better.
  mainFields: ['module', 'main'],
  target: 'node20',
  // Names stay readable in stack traces; whitespace and syntax are minified for a faster parse.
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'none',
  metafile: true,
  logLevel: 'warning',
  // Bundled CommonJS dependencies call require() for Node's built-ins: give each ES module one.
  banner: {
    js: "import { createRequire as __madRequire } from 'node:module'; const require = __madRequire(import.meta.url);",
  },
});
writeFileSync('dist/package.json', `${JSON.stringify({ type: 'module' }, null, 2)}\n`);
writeFileSync('dist/licenses.txt', licenses(Object.keys(result.metafile.inputs)));

/** The license text of every package whose code is in the bundle, once each, sorted by name. */
function licenses(inputs) {
  const packages = new Map();
  for (const input of inputs) {
    const match = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (!match) continue;
    let dir = match[1];
    // Nested package.json files (e.g. dist-es/) are not packages; the folder under node_modules is.
    if (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    if (packages.has(manifest.name)) continue;
    const file = ['LICENSE', 'LICENSE.md', 'LICENSE.txt', 'license', 'LICENCE'].find((f) =>
      existsSync(join(dir, f)),
    );
    packages.set(manifest.name, {
      license: manifest.license ?? 'UNKNOWN',
      text: file ? readFileSync(join(dir, file), 'utf8').trim() : '',
    });
  }
  return [...packages]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, p]) => `${name}\n${p.license}\n${p.text}\n`)
    .join('\n');
}
