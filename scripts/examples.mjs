// `npm run examples`: renders docs/examples/*.md from the example reports with the real renderer
// (src/report/markdown.ts, compiled to a temporary folder first), so the docs show exactly what users get.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { EXAMPLES, renderExample } from './lib/examples.mjs';
import { REPO_ROOT } from './lib/runner.mjs';

// Compiled under node_modules/.cache so that the compiled code resolves the same packages as the source.
mkdirSync(join(REPO_ROOT, 'node_modules/.cache'), { recursive: true });
const out = mkdtempSync(join(REPO_ROOT, 'node_modules/.cache/mad-examples-'));
try {
  const tsc = join(REPO_ROOT, 'node_modules/typescript/bin/tsc');
  const flags = [
    '--outDir',
    out,
    '--rootDir',
    REPO_ROOT,
    '--module',
    'NodeNext',
    '--moduleResolution',
    'NodeNext',
  ];
  execFileSync(
    process.execPath,
    [
      tsc,
      ...flags,
      '--target',
      'ES2022',
      '--strict',
      '--skipLibCheck',
      '--types',
      'node',
      join(REPO_ROOT, 'src/report/markdown.ts'),
    ],
    {
      stdio: 'inherit',
    },
  );
  writeFileSync(join(out, 'package.json'), '{"type":"module"}\n');
  const markdown = await import(pathToFileURL(join(out, 'src/report/markdown.js')).href);
  for (const example of EXAMPLES) {
    writeFileSync(join(REPO_ROOT, example.out), renderExample(markdown, example, REPO_ROOT));
    console.log(`wrote ${example.out}`);
  }
} finally {
  rmSync(out, { recursive: true, force: true });
}
