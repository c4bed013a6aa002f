// `npm run bench [name...] [--quick]`: runs every bench/*.bench.mjs (or the named ones) one after another;
// flags go to each benchmark (--quick: shorter profiles where a benchmark offers them).
// Each benchmark measures ours and a peer in the same run and prints ratios; none is a pass/fail test.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';

const flags = process.argv.slice(2).filter((a) => a.startsWith('--'));
const wanted = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const benches = readdirSync(new URL('.', import.meta.url))
  .filter((f) => f.endsWith('.bench.mjs'))
  .filter((f) => wanted.length === 0 || wanted.some((w) => f.startsWith(w)))
  .sort();
let failed = 0;
for (const file of benches) {
  console.log(`\n━━━ bench/${file}`);
  const res = spawnSync(process.execPath, [new URL(file, import.meta.url).pathname, ...flags], {
    stdio: 'inherit',
  });
  if (res.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
