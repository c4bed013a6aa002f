import type { SectionContext } from './section.js';
import type { DeployReport, PermissionIssue, PermissionsFinding } from './model.js';

/** Excess lines shown per access level before "…and N more". */
const PER_LEVEL = 15;

/**
 * The permissions finding as markdown: verdict, missing permissions, broad grants, excess by access level, and
 * the generated policies (collapsed) so the account owner sees exactly what is asked. Pure.
 */
export function renderPermissions(finding: PermissionsFinding | undefined, withPolicies = true): string[] {
  if (!finding) return [];
  const out: string[] = [];
  const who = finding.roleArn ? `\`${cell(finding.roleArn)}\`` : 'the role';
  if (finding.skipped) {
    out.push(`**Permissions:** not checked — ${cell(finding.skipped)}`, '');
  } else {
    const verdict = finding.missing.length
      ? `❌ ${finding.missing.length} missing`
      : finding.excess.length || finding.broad.length
        ? `⚠️ more than needed`
        : '✅ least privilege';
    const how =
      finding.method === 'simulated' ? 'confirmed with the IAM policy simulator' : 'structural check';
    out.push(
      `**Permissions** (${finding.mode}${finding.applied ? ', policy applied' : ''}) of ${who} against the ${finding.checkedAgainst} policy: ${verdict} (${how})`,
      '',
    );
  }
  if (finding.missing.length) {
    out.push('| Missing action | Resource | Why |', '|---|---|---|');
    for (const m of finding.missing)
      out.push(`| \`${cell(m.action)}\` | \`${cell(m.resource)}\` | ${cell(m.note ?? '')} |`);
    out.push('');
  }
  const notes = [...finding.broad, ...finding.warnings, ...(finding.methodNote ? [finding.methodNote] : [])];
  for (const n of notes) out.push(`- ${cell(n)}`);
  if (notes.length) out.push('');
  if (finding.excess.length) {
    out.push(
      `<details><summary>Beyond the need: ${finding.excess.length} grants, by access level</summary>`,
      '',
    );
    for (const [level, issues] of byLevel(finding.excess)) {
      out.push(`**${cell(level)}**`, '');
      for (const e of issues.slice(0, PER_LEVEL))
        out.push(`- \`${cell(e.action)}\` on \`${cell(e.resource)}\`${e.note ? ` — ${cell(e.note)}` : ''}`);
      if (issues.length > PER_LEVEL) out.push(`- …and ${issues.length - PER_LEVEL} more`);
      out.push('');
    }
    out.push('</details>', '');
  }
  for (const [label, policy] of withPolicies
    ? ([
        ['deploy role', finding.deployPolicy],
        ['plan role', finding.planPolicy],
      ] as const)
    : []) {
    out.push(
      `<details><summary>Least-privilege policy for the ${label}</summary>`,
      '',
      '```json',
      JSON.stringify(policy, null, 2),
      '```',
      '',
      '</details>',
      '',
    );
  }
  return out;
}

function byLevel(issues: PermissionIssue[]): Map<string, PermissionIssue[]> {
  const groups = new Map<string, PermissionIssue[]>();
  for (const i of issues) {
    const level = i.accessLevel ?? 'Unknown';
    groups.set(level, [...(groups.get(level) ?? []), i]);
  }
  return groups;
}

/** Keeps table cells and inline code intact. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/`/g, "'").replace(/\r?\n/g, ' ');
}

/** The report section: the policies themselves only when there is room for details. */
export function permissionsSection(report: DeployReport, ctx: Pick<SectionContext, 'details'>): string[] {
  return renderPermissions(report.permissions, ctx.details);
}
