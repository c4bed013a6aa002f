/**
 * DeployReport → markdown, for the job summary, the pull-request comment and the CLI. Pure and deterministic:
 * the same report and options always render the same text. Secrets never reach the text: NoEcho parameters are
 * masked in the report already, secret-looking values here, and the raw values of both are scrubbed from
 * everything rendered. A size limit is honoured by leaving out detail step by step, never by failing.
 */
import { VERSION } from '../version.js';
import { driftSection } from './drift-section.js';
import { ecrSection } from './ecr-section.js';
import { masker } from './mask.js';
import { policyActionText } from './policy-action.js';
import { permissionsSection } from './permissions-section.js';
import { callout, code, details, duration, table, text } from './md.js';
import type { ChangeAction, DeployReport, ResourceChange } from './model.js';
import type { Section, SectionContext } from './section.js';

export type { Section, SectionContext } from './section.js';

/** GitHub's limit for an issue or pull-request comment body, in characters. */
export const COMMENT_LIMIT = 65_536;
/** GitHub's limit for one step's job summary, in bytes. */
export const SUMMARY_LIMIT = 1024 * 1024;

export interface RenderOptions {
  /** Upper bound of the text's length (JavaScript characters, which never undercount GitHub's). */
  maxChars?: number;
  /** Upper bound of the text's UTF-8 size. */
  maxBytes?: number;
  /** Raw values to keep out of the text wherever they would appear (NoEcho parameter values). */
  secrets?: readonly string[];
  /** Start with the hidden marker that finds this stack's sticky comment again. */
  marker?: boolean;
  /** Where a reader finds what a size-bounded rendering left out (markdown); default: the job summary. */
  fullReport?: string;
}

/** The report's sections in reading order: what happened, what is risky, what changes, then the rest. */
const SECTIONS: Section[] = [
  heading,
  // Changes made outside CloudFormation come first: a deploy would overwrite them.
  driftSection,
  failure,
  warnings,
  changeTable,
  propertyChanges,
  stackEvents,
  // Account findings, one entry each, as `Section`s from their own files.
  permissionsSection,
  ecrSection,
  outputs,
  parameters,
  notes,
  footer,
];

/** DeployReport → markdown, within the given size limits. */
export function renderMarkdown(report: DeployReport, options: RenderOptions = {}): string {
  const mask = masker(options.secrets);
  const fullReport =
    options.fullReport ?? (report.runUrl ? `[the job summary](${report.runUrl})` : 'the job summary');
  const prefix = options.marker ? `${commentMarker(report)}\n` : '';
  const fits = (t: string): boolean =>
    t.length <= (options.maxChars ?? Infinity) &&
    (options.maxBytes === undefined || Buffer.byteLength(t, 'utf8') <= options.maxBytes);
  const render = (detail: boolean, maxRows: number): string => {
    const ctx: SectionContext = { details: detail, maxRows, mask, fullReport };
    const lines = SECTIONS.flatMap((section) => section(report, ctx) ?? []);
    // Scrubbing never lengthens the text (only secrets of 4+ characters become ****), so it is safe to measure after.
    return (
      prefix +
      mask.scrub(
        lines
          .join('\n')
          .replace(/\n{3,}/g, '\n\n')
          .trimEnd(),
      ) +
      '\n'
    );
  };

  // 1. Everything. 2. Without property values and event lists. 3. The most rows that fit. 4. A hard cut.
  const full = render(true, Infinity);
  if (fits(full)) return full;
  const compact = render(false, Infinity);
  if (fits(compact)) return compact;
  let best: string | undefined;
  let lo = 0;
  let hi = Math.max(report.changes.length - 1, 0);
  while (lo <= hi) {
    const mid = Math.floor((lo + hi) / 2);
    const candidate = render(false, mid);
    if (fits(candidate)) {
      best = candidate;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return best ?? hardCut(render(false, 0), fits, fullReport);
}

/** The hidden line that identifies the sticky comment of one stack in one environment and region. */
export function commentMarker(report: Pick<DeployReport, 'stackName' | 'environment' | 'region'>): string {
  return `<!-- multi-account-deploy stack=${report.stackName} environment=${report.environment ?? '-'} region=${report.region} -->`;
}

const VERB: Record<ChangeAction, string> = {
  add: 'to add',
  modify: 'to change',
  replace: 'to replace',
  'may-replace': 'may be replaced',
  remove: 'to remove',
  import: 'to import',
  dynamic: 'dynamic',
};

const LABEL: Record<ChangeAction, string> = {
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

function heading(report: DeployReport): string[] {
  const icon =
    report.result === 'failed'
      ? '❌'
      : report.result !== 'no-changes' && report.destructive.length
        ? '⚠️'
        : '✅';
  const cs = report.changeSet;
  const facts = [
    `**${report.mode === 'plan' ? 'Plan' : report.mode === 'deploy' ? 'Deploy' : 'Execute'}**${report.commit ? ` of commit ${code(report.commit.slice(0, 7))}` : ''}`,
    cs
      ? `change set ${code(cs.name)}${cs.type ? ` (${cs.type})` : ''}${cs.kept ? ', kept for review' : ''}`
      : '',
    report.runUrl ? `[workflow run](${report.runUrl})` : '',
  ].filter(Boolean);
  const lines = [`### ${icon} ${text(title(report))}: ${text(verdict(report))}`, '', facts.join(' · '), ''];
  if (report.result === 'no-changes')
    lines.push('Nothing to change: the stack already matches this template and these parameters.', '');
  if (cs?.kept)
    lines.push(
      `Execute exactly this change set later with \`mode: execute\` and \`change-set-name: ${cs.name}\`.`,
      '',
    );
  return lines;
}

function failure(report: DeployReport): string[] | undefined {
  if (!report.failure) return undefined;
  const lines = [`**Failed:** ${text(report.failure.message)}`];
  if (report.rootCause) {
    const e = report.rootCause;
    lines.push(
      '',
      `**Root cause:** ${code(e.logicalId)} (${code(e.type)}) ${e.status} at ${e.timestamp.slice(11, 19)} UTC: ${text(e.reason ?? 'no reason given')}`,
    );
  }
  if (report.failure.hint) lines.push('', ...report.failure.hint.split('\n').map(text));
  return callout('CAUTION', lines);
}

/** Destructive, IAM and security-group changes, before anything else about the changes. */
function warnings(report: DeployReport, ctx: SectionContext): string[] | undefined {
  const risky = report.changes.filter((c) => c.destructive || c.iam || c.securityGroup || c.broadening);
  if (risky.length === 0) return undefined;
  const shown = risky.slice(0, ctx.maxRows);
  const lines = [
    `**${risky.length} ${risky.length === 1 ? 'change needs' : 'changes need'} a careful look:**`,
  ];
  for (const c of shown)
    lines.push(`- ${LABEL[c.action]} ${code(c.logicalId)} (${code(c.type)}): ${risk(c)}`);
  if (shown.length < risky.length)
    lines.push(`- …and ${risky.length - shown.length} more: see ${ctx.fullReport}.`);
  return callout('WARNING', lines);
}

function risk(c: ResourceChange): string {
  const why: string[] = [];
  if (c.action === 'replace' || c.action === 'may-replace')
    why.push(
      `${c.action === 'replace' ? 'replaced' : 'may be replaced'}${c.stateful ? ' — **it holds data**: the new resource starts empty' : ' (a new physical resource)'}`,
    );
  if (c.action === 'remove')
    why.push(`removed${c.stateful ? ' — **it holds data**, lost unless its DeletionPolicy retains it' : ''}`);
  const kept = policyActionText(c.policyAction);
  if (kept && c.destructive) why.push(`on execution: ${kept}`);
  const props = topProperties(c);
  const changed = props.length ? ` (${props.map((p) => code(p)).join(', ')})` : '';
  if (c.broadening) why.push(`**broadens access**: ${c.broadening.map(text).join('; ')}`);
  else if (c.iam) why.push(`changes permissions${changed}`);
  if (c.securityGroup && !c.broadening) why.push(`changes network access${changed}`);
  return why.join('; ');
}

function changeTable(report: DeployReport, ctx: SectionContext): string[] | undefined {
  if (report.changes.length === 0) return undefined;
  const shown = report.changes.slice(0, ctx.maxRows);
  const rows = shown.map((c) => [
    LABEL[c.action],
    code(c.logicalId),
    code(c.type),
    replacement(c),
    listOf(
      topProperties(c).map((p) => code(p)),
      12,
    ),
  ]);
  const lines = table(['Action', 'Logical ID', 'Type', 'Replacement', 'Changed properties'], rows);
  if (shown.length < report.changes.length)
    lines.push(
      '',
      `…and ${report.changes.length - shown.length} more changes, left out to fit the size limit: see ${ctx.fullReport}.`,
    );
  return [...lines, ''];
}

function replacement(c: ResourceChange): string {
  const policy = c.policyAction ? ` (${code(c.policyAction)})` : '';
  if (c.action === 'replace') return `**Yes**${policy}`;
  if (c.action === 'may-replace') return `Conditional${policy}`;
  if (c.action === 'modify') return 'No';
  return c.policyAction ? code(c.policyAction) : '—';
}

/** Before → after of every changed property, collapsed; masked where secret. */
function propertyChanges(report: DeployReport, ctx: SectionContext): string[] | undefined {
  const withValues = report.changes.filter((c) =>
    c.properties.some((p) => p.before !== undefined || p.after !== undefined),
  );
  if (withValues.length === 0) return undefined;
  if (!ctx.details)
    return [`<sub>Property values are left out to fit the size limit: see ${ctx.fullReport}.</sub>`, ''];
  const body: string[] = [];
  for (const c of withValues) {
    body.push(`**${text(c.logicalId)}** ${code(c.type)}`, '');
    const rows = c.properties.map((p) => [
      code(propertyPath(p.path)),
      p.before === undefined ? '—' : code(ctx.mask.value(p.path, p.before), 1000),
      p.after === undefined ? '—' : code(ctx.mask.value(p.path, p.after), 1000),
      p.requiresRecreation === 'Always'
        ? '**replacement**'
        : p.requiresRecreation === 'Conditionally'
          ? 'maybe'
          : '',
    ]);
    body.push(...table(['Property', 'Before', 'After', 'Recreates'], rows), '');
  }
  return details(
    `Property changes (before → after) of ${withValues.length} ${withValues.length === 1 ? 'resource' : 'resources'}`,
    body,
  );
}

/** On a failure, what the stack did, oldest first (the root cause is shown above). */
function stackEvents(report: DeployReport, ctx: SectionContext): string[] | undefined {
  if (report.result !== 'failed' || report.events.length === 0 || !ctx.details) return undefined;
  const rows = report.events.map((e) => [
    e.timestamp.slice(11, 19),
    e.status.endsWith('_FAILED') ? `**${e.status}**` : e.status,
    code(e.type),
    code(e.logicalId),
    text(e.reason ?? ''),
  ]);
  return details(
    `Stack events (${report.events.length})`,
    table(['Time (UTC)', 'Status', 'Type', 'Logical ID', 'Reason'], rows),
  );
}

function outputs(report: DeployReport, ctx: SectionContext): string[] | undefined {
  if (report.outputs.length === 0) return undefined;
  const rows = report.outputs.map((o) => [
    code(o.key),
    code(ctx.mask.value(o.key, o.value)),
    text(o.description ?? ''),
  ]);
  return details(`Stack outputs (${report.outputs.length})`, table(['Output', 'Value', 'Description'], rows));
}

function parameters(report: DeployReport, ctx: SectionContext): string[] | undefined {
  if (report.parameters.length === 0) return undefined;
  const rows = report.parameters.map((p) => [code(p.key), code(ctx.mask.value(p.key, p.value))]);
  return details(`Parameters (${report.parameters.length})`, table(['Parameter', 'Value'], rows));
}

function notes(report: DeployReport): string[] | undefined {
  if (report.notes.length === 0) return undefined;
  return [...report.notes.map((n) => `- ${text(n)}`), ''];
}

function footer(report: DeployReport): string {
  const total = report.timings.find((t) => t.phase === 'Total');
  const phases = report.timings
    .filter((t) => t.phase !== 'Total')
    .map((t) => `${text(t.phase)} ${duration(t.ms)}`);
  const timing = total
    ? ` · took ${duration(total.ms)}${phases.length ? ` (${phases.join(', ')})` : ''}`
    : '';
  return `<sub>multi-account-deploy ${VERSION}${timing}</sub>`;
}

/** "Properties.BucketName" or "/Properties/Tags/0" → "BucketName", "Tags/0". */
export function propertyPath(path: string): string {
  return path.replace(/^\/?Properties[./]/, '').replace(/^\//, '') || path;
}

/** The distinct top-level property names a change touches, in first-seen order. */
export function topProperties(c: ResourceChange): string[] {
  return [...new Set(c.properties.map((p) => propertyPath(p.path).split(/[./]/)[0] ?? p.path))];
}

function listOf(items: string[], max: number): string {
  if (items.length === 0) return '—';
  return items.length <= max
    ? items.join(', ')
    : `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
}

/**
 * The last resort when even the table's first row does not fit (e.g. a huge failure message): keep whole lines
 * that fit, close any collapsed block left open, and say where the rest is.
 */
function hardCut(full: string, fits: (t: string) => boolean, fullReport: string): string {
  const lines = full.split('\n');
  const note = `\n\n**…cut here to fit the size limit: see ${fullReport}.**\n`;
  const build = (k: number): string => {
    const kept = lines.slice(0, k).join('\n');
    const open = (kept.match(/<details/g) ?? []).length - (kept.match(/<\/details>/g) ?? []).length;
    return kept + '\n\n</details>'.repeat(Math.max(open, 0)) + note;
  };
  let lo = 0;
  let hi = lines.length;
  let best = -1;
  while (lo <= hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (fits(build(mid))) {
      best = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  if (best >= 0) return build(best);
  // A limit smaller than the note itself: return as much of the note as fits.
  let cut = note.trim();
  while (cut && !fits(cut)) cut = cut.slice(0, -1);
  return cut;
}
