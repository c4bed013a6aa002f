// Builds the committed bundles: dist/index.js (the action) and dist/cli/index.js (the CLI).
// ncc writes ESM; dist/package.json marks the folder as a module so Node loads it as such.
import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';

const ncc = (entry, out) =>
  execFileSync(
    'npx',
    ['ncc', 'build', entry, '-o', out, '--license', 'licenses.txt', '--target', 'es2022', '-q'],
    {
      stdio: 'inherit',
    },
  );

rmSync('dist', { recursive: true, force: true });
ncc('src/index.ts', 'dist');
ncc('src/cli.ts', 'dist/cli');
writeFileSync('dist/package.json', `${JSON.stringify({ type: 'module' }, null, 2)}\n`);
rmSync('dist/cli/package.json', { force: true });
