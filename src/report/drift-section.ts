import { code, details, table, text } from './md.js';
import type { ChangedBy, DeployReport, DriftedResource, DriftFinding } from './model.js';
import type { SectionContext } from './section.js';

/** "2026-11-30 14:02 UTC" */
export function utcMinute(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/** "by assumed-role/Admin/alice at 2026-11-30 14:02 UTC (ModifyLoadBalancerAttributes)", or "by unknown". */
export function byWhom(changedBy: ChangedBy | undefined): string {
  if (!changedBy) return 'by unknown';
  return `by ${changedBy.principal} at ${utcMinute(changedBy.at)} (${changedBy.event})`;
}

/** One resource in a sentence: "Web (AWS::EC2::SecurityGroup) changed outside CloudFormation by …". */
export function driftLine(r: DriftedResource): string {
  const what = r.status === 'DELETED' ? 'deleted' : 'changed';
  return `${r.logicalId} (${r.type}) ${what} outside CloudFormation ${byWhom(r.changedBy)}`;
}

/**
 * The Drift section: what drift detection found before the change set ran, who made each change (CloudTrail),
 * expected and actual values per property (masked where secret), what a REVERT_DRIFT change set puts back, and
 * what detection could not check. Empty when drift was not part of the run. Pure.
 */
export function driftSection(report: DeployReport, ctx: SectionContext): string[] | undefined {
  const d = report.drift;
  if (!d) return undefined;
  const when = d.checkedAt ? ` (detected ${utcMinute(d.checkedAt)})` : '';
  const out: string[] = [];
  if (d.status === 'unknown' && d.resources.length === 0) {
    out.push(`**Drift:** not known — ${text(d.problem ?? 'drift detection did not run')}`, '');
  } else if (d.status === 'in-sync') {
    out.push(
      `**Drift:** ✅ no drift${when}: every resource drift detection checked matches the template.`,
      '',
    );
  } else {
    const n = d.resources.length;
    out.push(
      `**Drift:** ⚠️ ${n} ${n === 1 ? 'resource' : 'resources'} changed outside CloudFormation${when}:`,
      '',
    );
    const shown = d.resources.slice(0, ctx.maxRows);
    for (const r of shown) out.push(`- ${resourceLine(r)}`);
    if (shown.length < n) out.push(`- …and ${n - shown.length} more: see ${ctx.fullReport}.`);
    out.push('', ...adviceFor(d), '');
    if (d.problem) out.push(`<sub>${text(d.problem)}</sub>`, '');
  }
  out.push(...propertyTable(d, ctx), ...revertLines(d), ...notChecked(d));
  if (d.attributionNote) out.push(`<sub>${text(d.attributionNote)}</sub>`, '');
  return out;
}

function resourceLine(r: DriftedResource): string {
  const id = r.physicalId ? `, ${code(r.physicalId)}` : '';
  const what = r.status === 'DELETED' ? '**deleted**' : 'changed';
  const props = r.properties.length
    ? ` — ${[...new Set(r.properties.map((p) => topLevel(p.path)))].map((p) => code(p)).join(', ')}`
    : '';
  return `${code(r.logicalId)} (${code(r.type)}${id}) ${what} outside CloudFormation ${text(byWhom(r.changedBy))}${props}`;
}

function adviceFor(d: DriftFinding): string[] {
  if (d.mode === 'revert')
    return [
      'This run’s change set is drift-aware (REVERT_DRIFT): executing it restores the template’s values.',
    ];
  const deploy =
    'A deploy overwrites these changes with the template’s values: revert them with `drift: revert`, or accept them by writing the actual values into the template.';
  return [d.mode === 'fail' ? `${deploy} \`drift: fail\` refuses to deploy until then.` : deploy];
}

function propertyTable(d: DriftFinding, ctx: SectionContext): string[] {
  const rows = d.resources.flatMap((r) =>
    r.properties.map((p) => [
      code(r.logicalId),
      code(p.path),
      p.expected === undefined ? '—' : code(ctx.mask.value(p.path, p.expected), 500),
      p.actual === undefined ? '—' : code(ctx.mask.value(p.path, p.actual), 500),
      p.difference === 'NOT_EQUAL' ? 'changed' : p.difference === 'ADD' ? 'added' : 'removed',
    ]),
  );
  if (rows.length === 0) return [];
  if (!ctx.details)
    return [
      `<sub>Drifted property values are left out to fit the size limit: see ${ctx.fullReport}.</sub>`,
      '',
    ];
  return details(
    `Drifted properties (expected → actual) of ${d.resources.filter((r) => r.properties.length).length} resource(s)`,
    table(['Resource', 'Property', 'Expected (template)', 'Actual', 'Difference'], rows),
  );
}

function revertLines(d: DriftFinding): string[] {
  if (d.reverts.length === 0) return [];
  const who = new Map(d.resources.map((r) => [r.logicalId, r.changedBy]));
  const lines = d.reverts.map((r) => {
    const props = r.properties.length ? ` (${r.properties.map((p) => code(topLevel(p))).join(', ')})` : '';
    return r.syncOnly
      ? `- ${code(r.logicalId)}${props}: the template already matches its actual state; only its drift status is reset`
      : `- ${code(r.logicalId)}${props}: reverts a change ${text(byWhom(who.get(r.logicalId)))}`;
  });
  return ['**The change set puts drifted resources back to the template:**', '', ...lines, ''];
}

function notChecked(d: DriftFinding): string[] {
  if (d.notChecked.length === 0) return [];
  const list = d.notChecked.map((r) => `${code(r.logicalId)} (${code(r.type)})`).join(', ');
  return [
    `<sub>Not checked for drift (the type does not support drift detection, or detection failed for it): ${list}.</sub>`,
    '',
  ];
}

/** "/SecurityGroupIngress/0/CidrIp" → "SecurityGroupIngress". */
function topLevel(path: string): string {
  return path.replace(/^\/?(Properties[./])?/, '').split(/[./]/)[0] || path;
}
