/**
 * DeployReport → plain text for a terminal: a verdict line, a table of changes with their risk marks, parameters
 * before → after, outputs. The same model as the markdown (markdown.ts), without any markup or HTML; colour only
 * when asked (a TTY). Secrets are masked by the same rules.
 */
import { masker, type Masker } from './mask.js';
import { duration } from './md.js';
import { propertyPath, title, topProperties, verdict } from './markdown.js';
import type { ChangeAction, DeployReport, PermissionsFinding, ResourceChange } from './model.js';

export interface TextOptions {
  /** ANSI colour (a terminal that wants it). */
  color?: boolean;
  /** Raw values to keep out of the text (NoEcho parameter values). */
  secrets?: readonly string[];
  /** Show the generated policies and the events of a successful run too. */
  verbose?: boolean;
}

interface TextContext {
  mask: Masker;
  paint: Paint;
  verbose: boolean;
}

type TextSection = (report: DeployReport, ctx: TextContext) => string[] | undefined;

const SECTIONS: TextSection[] = [
  heading,
  failure,
  changeTable,
  propertyValues,
  failedEvents,
  permissions,
  ecr,
  parameters,
  outputs,
  notes,
  footer,
];

export function renderText(report: DeployReport, options: TextOptions = {}): string {
  const ctx: TextContext = {
    mask: masker(options.secrets),
    paint: painter(options.color ?? false),
    verbose: options.verbose ?? false,
  };
  const blocks = SECTIONS.map((s) => s(report, ctx)).filter((b): b is string[] => !!b && b.length > 0);
  return `${ctx.mask.scrub(blocks.map((b) => b.join('\n')).join('\n\n'))}\n`;
}

/** ANSI styles, or nothing. */
export interface Paint {
  bold(s: string): string;
  dim(s: string): string;
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
}

export function painter(color: boolean): Paint {
  const style =
    (open: number, close: number) =>
    (s: string): string =>
      color && s ? `\x1b[${open}m${s}\x1b[${close}m` : s;
  return {
    bold: style(1, 22),
    dim: style(2, 22),
    red: style(31, 39),
    green: style(32, 39),
    yellow: style(33, 39),
  };
}

/** The symbol and word of each action, e.g. "+ add". */
const ACTION: Record<ChangeAction, string> = {
  add: '+ add',
  modify: '~ modify',
  replace: '± replace',
  'may-replace': '± may replace',
  remove: '- remove',
  import: '> import',
  dynamic: '? dynamic',
};

function actionColor(c: ResourceChange, p: Paint): (s: string) => string {
  if (c.destructive || c.action === 'remove') return p.red;
  if (c.action === 'add' || c.action === 'import') return p.green;
  return p.yellow;
}

function heading(report: DeployReport, { paint }: TextContext): string[] {
  const mark =
    report.result === 'failed'
      ? paint.red('✗')
      : report.result !== 'no-changes' && report.destructive.length
        ? paint.yellow('!')
        : paint.green('✓');
  const mode = report.mode === 'plan' ? 'Plan' : report.mode === 'deploy' ? 'Deploy' : 'Execute';
  const cs = report.changeSet;
  const facts = [
    `${mode}${report.commit ? ` of ${report.commit.slice(0, 7)}` : ''}`,
    cs ? `change set ${cs.name}${cs.type ? ` (${cs.type})` : ''}${cs.kept ? ', kept for review' : ''}` : '',
    report.stackStatus && report.result !== 'planned' ? `stack ${report.stackStatus}` : '',
  ].filter(Boolean);
  const lines = [
    `${mark} ${paint.bold(`${title(report)}: ${verdict(report)}`)}`,
    `  ${paint.dim(facts.join(' · '))}`,
  ];
  if (report.result === 'no-changes')
    lines.push('  Nothing to change: the stack already matches this template and these parameters.');
  if (cs?.kept) lines.push(`  Execute it later: multi-account-deploy execute --change-set-name ${cs.name} …`);
  return lines;
}

function failure(report: DeployReport, { paint }: TextContext): string[] | undefined {
  if (!report.failure) return undefined;
  const lines = [`${paint.red('Failed:')} ${report.failure.message}`];
  const e = report.rootCause;
  if (e)
    lines.push(
      `Root cause: ${e.logicalId} (${e.type}) ${e.status} at ${e.timestamp.slice(11, 19)} UTC: ${e.reason ?? 'no reason given'}`,
    );
  if (report.failure.hint) lines.push(...report.failure.hint.split('\n').map((l) => `  ${l}`));
  return lines;
}

/** Why a change needs a careful look, in a few words: the marks of the table. */
export function riskMarks(c: ResourceChange): string[] {
  const marks: string[] = [];
  if (c.action === 'replace') marks.push('replaced');
  if (c.action === 'may-replace') marks.push('may be replaced');
  if (c.action === 'remove') marks.push('removed');
  if (c.destructive && c.stateful) marks.push('holds data');
  if (c.iam) marks.push('permissions');
  if (c.securityGroup) marks.push('network access');
  return marks;
}

function changeTable(report: DeployReport, { paint }: TextContext): string[] | undefined {
  if (report.changes.length === 0) return undefined;
  const rows = report.changes.map((c) => {
    const marks = riskMarks(c);
    const props = topProperties(c);
    return {
      change: c,
      cells: [
        c.destructive ? '!' : c.iam || c.securityGroup ? '⚑' : ' ',
        ACTION[c.action],
        c.logicalId,
        c.type,
        [marks.length ? marks.join(', ') : '', props.length ? `(${props.slice(0, 6).join(', ')})` : '']
          .filter(Boolean)
          .join(' '),
      ],
    };
  });
  const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => (r.cells[i] ?? '').length)));
  const lines = rows.map(({ change, cells }) => {
    const color = actionColor(change, paint);
    const padded = cells.map((cell, i) => (i < 4 ? cell.padEnd(widths[i] ?? 0) : cell));
    const [mark = '', action = '', ...rest] = padded;
    return `  ${color(mark)} ${color(action)}  ${rest.join('  ')}`.trimEnd();
  });
  const legend = [
    rows.some((r) => r.change.destructive) ? '! destructive (blocked in deploy unless allowed)' : '',
    rows.some((r) => !r.change.destructive && (r.change.iam || r.change.securityGroup))
      ? '⚑ changes who can do or reach what'
      : '',
  ].filter(Boolean);
  return [
    `Changes (${report.changes.length}):`,
    ...lines,
    ...(legend.length ? [paint.dim(`  ${legend.join('   ')}`)] : []),
  ];
}

function propertyValues(report: DeployReport, { mask, verbose }: TextContext): string[] | undefined {
  const lines: string[] = [];
  for (const c of report.changes) {
    const valued = c.properties.filter((p) => p.before !== undefined || p.after !== undefined);
    if (valued.length === 0) continue;
    lines.push(`  ${c.logicalId}:`);
    for (const p of valued.slice(0, verbose ? Infinity : 10)) {
      const show = (v: string | undefined) => (v === undefined ? '—' : clip(mask.value(p.path, v)));
      lines.push(`    ${propertyPath(p.path)}: ${show(p.before)} → ${show(p.after)}`);
    }
    if (!verbose && valued.length > 10) lines.push(`    …and ${valued.length - 10} more (--verbose)`);
  }
  return lines.length ? ['Property changes (before → after):', ...lines] : undefined;
}

function failedEvents(report: DeployReport, { verbose }: TextContext): string[] | undefined {
  if (report.events.length === 0 || (report.result !== 'failed' && !verbose)) return undefined;
  return [
    `Stack events (${report.events.length}):`,
    ...report.events.map(
      (e) =>
        `  ${e.timestamp.slice(11, 19)} ${e.status.padEnd(22)} ${e.logicalId}${e.reason ? ` — ${e.reason}` : ''}`,
    ),
  ];
}

/** The permissions verdict in a line or a few; the policies themselves only with --verbose. */
function permissions(report: DeployReport, { paint, verbose }: TextContext): string[] | undefined {
  const f: PermissionsFinding | undefined = report.permissions;
  if (!f) return undefined;
  if (f.skipped) return [`Permissions: not checked — ${f.skipped}`];
  const who = f.roleName ?? f.roleArn ?? 'the role';
  const status = f.missing.length
    ? paint.red(`${f.missing.length} missing`)
    : f.excess.length || f.broad.length
      ? paint.yellow('more than needed')
      : paint.green('least privilege');
  const lines = [
    `Permissions of ${who} against the ${f.checkedAgainst} policy: ${status} (${f.method}${f.applied ? ', policy applied' : ''})`,
    ...f.missing.map((m) => `  missing ${m.action} on ${m.resource}${m.note ? ` — ${m.note}` : ''}`),
    ...f.broad.map((b) => `  broad: ${b}`),
    ...f.warnings.map((w) => `  ${w}`),
  ];
  if (f.excess.length)
    lines.push(`  ${f.excess.length} grants beyond the need (--verbose or --output markdown)`);
  if (verbose) {
    lines.push(...f.excess.map((e) => `  excess (${e.accessLevel ?? '?'}): ${e.action} on ${e.resource}`));
    lines.push('Deploy policy:', JSON.stringify(f.deployPolicy, null, 2));
    lines.push('Plan policy:', JSON.stringify(f.planPolicy, null, 2));
  }
  return lines;
}

function ecr(report: DeployReport): string[] | undefined {
  if (report.ecr.length === 0) return undefined;
  const counts = new Map<string, number>();
  for (const f of report.ecr) counts.set(f.status, (counts.get(f.status) ?? 0) + 1);
  return [
    `ECR lifecycle policies: ${report.ecr.length} repositories — ${[...counts].map(([s, n]) => `${n} ${s}`).join(', ')}`,
  ];
}

/** This run's values; where the stack had another value before, before → after. */
function parameters(report: DeployReport, { mask }: TextContext): string[] | undefined {
  if (report.parameters.length === 0) return undefined;
  const before = new Map((report.previousParameters ?? []).map((p) => [p.key, p.value]));
  const width = Math.max(...report.parameters.map((p) => p.key.length));
  return [
    'Parameters:',
    ...report.parameters.map((p) => {
      const now = clip(mask.value(p.key, p.value));
      const was = before.get(p.key);
      const earlier = was === undefined ? undefined : clip(mask.value(p.key, was));
      // Masked values cannot be compared: a secret shows **** whether or not it changed.
      const shown =
        earlier !== undefined && earlier !== now && p.value !== '(previous value)'
          ? `${earlier} → ${now}`
          : now;
      return `  ${p.key.padEnd(width)}  ${shown}`;
    }),
  ];
}

function outputs(report: DeployReport, { mask }: TextContext): string[] | undefined {
  if (report.outputs.length === 0) return undefined;
  const width = Math.max(...report.outputs.map((o) => o.key.length));
  return [
    'Outputs:',
    ...report.outputs.map((o) => `  ${o.key.padEnd(width)}  ${clip(mask.value(o.key, o.value))}`),
  ];
}

function notes(report: DeployReport): string[] | undefined {
  return report.notes.length ? report.notes.map((n) => `• ${n}`) : undefined;
}

function footer(report: DeployReport, { paint }: TextContext): string[] | undefined {
  const total = report.timings.find((t) => t.phase === 'Total');
  return total ? [paint.dim(`took ${duration(total.ms)}`)] : undefined;
}

/** One line, at most 160 characters. */
function clip(value: string): string {
  const flat = value.replace(/\r?\n\s*/g, ' ');
  return flat.length <= 160 ? flat : `${flat.slice(0, 160)}… (${flat.length - 160} more characters)`;
}
