// The README's inputs and outputs tables, generated from action.yml (the contract). `npm run docs`
// rewrites them; a unit test fails when they differ.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

const cell = (text) =>
  String(text ?? '')
    .replace(/\s+/g, ' ')
    .replace(/\|/g, '\\|')
    .trim();

export function actionTables(actionYml = readFileSync(new URL('../../action.yml', import.meta.url), 'utf8')) {
  const action = parse(actionYml);
  const inputs = Object.entries(action.inputs).map(
    ([name, i]) =>
      `| \`${name}\` | ${i.required ? 'yes' : ''} | ${i.default !== undefined ? `\`${cell(i.default)}\`` : ''} | ${cell(i.description)} |`,
  );
  const outputs = Object.entries(action.outputs).map(
    ([name, o]) => `| \`${name}\` | ${cell(o.description)} |`,
  );
  return [
    '<!-- action-table:start (generated from action.yml by `npm run docs`) -->',
    '### Inputs',
    '',
    '| Input | Required | Default | Description |',
    '|---|---|---|---|',
    ...inputs,
    '',
    '### Outputs',
    '',
    '| Output | Description |',
    '|---|---|',
    ...outputs,
    '<!-- action-table:end -->',
  ].join('\n');
}

export function withTables(readme, tables = actionTables()) {
  return readme.replace(/<!-- action-table:start[\s\S]*?<!-- action-table:end -->/, tables);
}
