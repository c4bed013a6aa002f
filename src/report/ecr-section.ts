import type { SectionContext } from './section.js';
import { ECR_PHASE, type DeployReport, type EcrStatus } from './model.js';

const LABEL: Record<EcrStatus, string> = {
  created: 'created',
  updated: 'updated',
  unchanged: 'unchanged',
  'would-create': 'would be created',
  'would-update': 'would be updated',
  'created-by-stack': 'created by this stack (ensured after the deploy)',
};
/** Changes first, so a capped table still shows what matters. */
const ORDER: EcrStatus[] = [
  'would-create',
  'would-update',
  'created-by-stack',
  'created',
  'updated',
  'unchanged',
];

/**
 * The "ECR lifecycle policies" section: counts per status and a collapsed per-repository table (at most
 * `maxRows` rows, changes first). Empty when the run had no ECR phase. Pure.
 */
export function ecrSection(report: DeployReport, ctx: Pick<SectionContext, 'maxRows'>): string[] {
  const maxRows = Math.min(ctx.maxRows, 100);
  if (report.ecr.length === 0) return [];
  const counts = ORDER.map((s) => [s, report.ecr.filter((f) => f.status === s).length] as const).filter(
    ([, n]) => n > 0,
  );
  const ms = report.timings.find((t) => t.phase === ECR_PHASE)?.ms;
  const took = ms === undefined ? '' : ` in ${(ms / 1000).toFixed(1)} s`;
  const out = [
    `**ECR lifecycle policies:** ${report.ecr.length} repositor${report.ecr.length === 1 ? 'y' : 'ies'}${took} — ${counts.map(([s, n]) => `${n} ${LABEL[s]}`).join(', ')}`,
    '',
    '<details><summary>Repositories</summary>',
    '',
    '| Repository | Lifecycle policy |',
    '|---|---|',
  ];
  const rows = [...report.ecr].sort(
    (a, b) => ORDER.indexOf(a.status) - ORDER.indexOf(b.status) || a.repository.localeCompare(b.repository),
  );
  for (const f of rows.slice(0, maxRows)) out.push(`| \`${f.repository}\` | ${LABEL[f.status]} |`);
  if (rows.length > maxRows) out.push('', `…and ${rows.length - maxRows} more repositories.`);
  out.push('', '</details>', '');
  return out;
}
