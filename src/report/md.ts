/** Small markdown helpers shared by the report's sections (markdown.ts, ecr-section.ts, permissions-section.ts). */

/** Keeps a table cell on one line and intact: pipes would end the cell, newlines the row. */
export function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/**
 * Inline code that survives any content: a value with backticks gets a longer fence (CommonMark), and
 * newlines become spaces so a table row stays one row. Long values are cut at `max` characters.
 */
export function code(text: string, max = 300): string {
  const flat = clip(text.replace(/\r?\n\s*/g, ' '), max).replace(/\|/g, '\\|');
  if (flat === '') return '`""`';
  const runs = flat.match(/`+/g) ?? [];
  const fence = '`'.repeat(Math.max(0, ...runs.map((r) => r.length)) + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${flat}${pad}${fence}`;
}

/** Plain text inside markdown: neutralises characters that would start HTML or break a table. */
export function text(value: string): string {
  return cell(value).replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Cuts a value to `max` characters, saying how much was left out. */
export function clip(value: string, max: number): string {
  if (value.length <= max) return value;
  return `${value.slice(0, max)}… (${value.length - max} more characters)`;
}

/** A markdown table from a header and rows of already formatted cells. */
export function table(header: string[], rows: string[][]): string[] {
  return [
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ];
}

/** A collapsed block: GitHub needs the blank lines around the content to render markdown inside it. */
export function details(summary: string, body: string[], open = false): string[] {
  return [`<details${open ? ' open' : ''}><summary>${summary}</summary>`, '', ...body, '', '</details>', ''];
}

/** A GitHub alert (callout): NOTE, TIP, IMPORTANT, WARNING or CAUTION. */
export function callout(kind: 'NOTE' | 'WARNING' | 'CAUTION', lines: string[]): string[] {
  return [`> [!${kind}]`, ...lines.map((l) => (l === '' ? '>' : `> ${l}`)), ''];
}

/** e.g. 950 ms, 12.3 s, 4 min 05 s. */
export function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
}
