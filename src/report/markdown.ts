import type { ChangeAction, DeployReport, ResourceChange } from './model.js';
import { renderPermissions } from './permissions-section.js';

const VERB: Record<ChangeAction, string> = {
  add: 'to add',
  modify: 'to change',
  replace: 'to replace',
  'may-replace': 'may be replaced',
  remove: 'to remove',
  import: 'to import',
  dynamic: 'dynamic',
};

const SYMBOL: Record<ChangeAction, string> = {
  add: '➕ Add',
  modify: '✏️ Modify',
  replace: '♻️ Replace',
  'may-replace': '♻️ May replace',
  remove: '🗑️ Remove',
  import: '📥 Import',
  dynamic: '❔ Dynamic',
};

const RESULT: Record<DeployReport['result'], string> = {
  'no-changes': 'no changes',
  planned: 'planned',
  deployed: 'deployed',
  executed: 'executed',
  failed: 'failed',
};

/** The verdict line's counts, e.g. "3 to add, 1 to change, 1 to replace ⚠". */
export function countsLine(changes: ResourceChange[]): string {
  if (changes.length === 0) return 'no resource changes';
  const counts = new Map<ChangeAction, number>();
  for (const c of changes) counts.set(c.action, (counts.get(c.action) ?? 0) + 1);
  const order: ChangeAction[] = ['add', 'modify', 'replace', 'may-replace', 'remove', 'import', 'dynamic'];
  const parts = order.filter((a) => counts.has(a)).map((a) => `${counts.get(a)} ${VERB[a]}`);
  return `${parts.join(', ')}${changes.some((c) => c.destructive) ? ' ⚠' : ''}`;
}

/** "dev · 111111111111 · eu-west-1 · my-app" */
export function title(report: DeployReport): string {
  return [report.environment, report.accountId, report.region, report.stackName].filter(Boolean).join(' · ');
}

export function verdict(report: DeployReport): string {
  if (report.result === 'no-changes') return 'no changes';
  if (report.result === 'failed' && report.changes.length === 0) return 'failed';
  const counts =
    report.otherChanges && report.changes.length === 0
      ? 'no resource changes (outputs or metadata only)'
      : countsLine(report.changes);
  return `${counts} — ${RESULT[report.result]}`;
}

export interface RenderOptions {
  /** Omit the property-level details (to fit a size limit). */
  compact?: boolean;
  /** Show at most this many rows of the change table. */
  maxRows?: number;
}

/** DeployReport → markdown. Pure and deterministic: the same report always renders the same text. */
export function renderMarkdown(report: DeployReport, options: RenderOptions = {}): string {
  const out: string[] = [];
  const icon =
    report.result === 'failed'
      ? '❌'
      : report.result === 'no-changes'
        ? '✅'
        : report.destructive.length
          ? '⚠️'
          : '✅';
  out.push(`### ${icon} ${escape(title(report))}: ${escape(verdict(report))}`, '');
  out.push(
    `Mode \`${report.mode}\`${report.changeSet ? ` · change set \`${report.changeSet.name}\`${report.changeSet.kept ? ' (kept for review)' : ''}` : ''}${report.runUrl ? ` · [workflow run](${report.runUrl})` : ''}`,
    '',
  );

  if (report.failure) {
    out.push('> [!CAUTION]', `> ${escape(report.failure.message)}`);
    if (report.failure.hint) out.push('>', ...report.failure.hint.split('\n').map((l) => `> ${escape(l)}`));
    out.push('');
  }
  const risky = report.changes.filter((c) => c.destructive || c.iam || c.securityGroup);
  if (risky.length > 0) {
    out.push('> [!WARNING]');
    for (const c of risky) {
      const why = [
        c.destructive ? `${VERB[c.action]}${c.stateful ? ' (holds data)' : ''}` : '',
        c.iam ? 'changes permissions' : '',
        c.securityGroup ? 'changes network access' : '',
      ]
        .filter(Boolean)
        .join(', ');
      out.push(`> **${escape(c.logicalId)}** (\`${c.type}\`) ${why}  `);
    }
    out.push('');
  }
  if (report.changes.length > 0) {
    const rows = options.maxRows !== undefined ? report.changes.slice(0, options.maxRows) : report.changes;
    out.push('| Action | Logical ID | Type | Replacement | Changed properties |', '|---|---|---|---|---|');
    for (const c of rows) {
      const replacement =
        c.action === 'replace'
          ? 'Yes'
          : c.action === 'may-replace'
            ? 'Conditional'
            : c.action === 'modify'
              ? 'No'
              : '';
      const props = [...new Set(c.properties.map((p) => p.path))].map((p) => `\`${escape(p)}\``).join(', ');
      out.push(
        `| ${SYMBOL[c.action]} | ${escape(c.logicalId)} | \`${c.type}\` | ${replacement} | ${props} |`,
      );
    }
    if (rows.length < report.changes.length)
      out.push('', `…and ${report.changes.length - rows.length} more changes (see the job summary).`);
    out.push('');
    if (!options.compact) out.push(...propertyDetails(rows));
  }
  if (report.rootCause) {
    const e = report.rootCause;
    out.push(
      `**Root cause:** \`${e.logicalId}\` (${e.type}) ${e.status}: ${escape(e.reason ?? 'no reason given')}`,
      '',
    );
  }
  if (report.outputs.length > 0) {
    out.push('<details><summary>Outputs</summary>', '', '| Output | Value |', '|---|---|');
    for (const o of report.outputs) out.push(`| ${escape(o.key)} | \`${escape(o.value)}\` |`);
    out.push('', '</details>', '');
  }
  if (report.parameters.length > 0 && !options.compact) {
    out.push('<details><summary>Parameters</summary>', '', '| Parameter | Value |', '|---|---|');
    for (const p of report.parameters) out.push(`| ${escape(p.key)} | \`${escape(p.value)}\` |`);
    out.push('', '</details>', '');
  }
  out.push(...renderPermissions(report.permissions));
  for (const note of report.notes) out.push(`- ${escape(note)}`);
  if (report.notes.length) out.push('');
  return out.join('\n');
}

function propertyDetails(changes: ResourceChange[]): string[] {
  const withValues = changes.filter((c) =>
    c.properties.some((p) => p.before !== undefined || p.after !== undefined),
  );
  if (withValues.length === 0) return [];
  const out = ['<details><summary>Property changes</summary>', ''];
  for (const c of withValues) {
    out.push(`**${escape(c.logicalId)}**`, '');
    for (const p of c.properties) {
      out.push(
        `- \`${escape(p.path)}\`: \`${escape(p.before ?? '∅')}\` → \`${escape(p.after ?? '∅')}\`${p.requiresRecreation === 'Always' ? ' (requires replacement)' : ''}`,
      );
    }
    out.push('');
  }
  out.push('</details>', '');
  return out;
}

/** Keeps table cells and inline code intact: pipes, backticks and newlines would break them. */
function escape(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/`/g, "'").replace(/\r?\n/g, ' ');
}
