// `npm run docs`: regenerates the README's inputs/outputs tables from action.yml.
import { readFileSync, writeFileSync } from 'node:fs';
import { withTables } from './lib/action-table.mjs';

const readme = readFileSync('README.md', 'utf8');
writeFileSync('README.md', withTables(readme));
