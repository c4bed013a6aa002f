import { renderMarkdown } from '../../../src/report/markdown.js';
import { maskedReport } from '../../../src/report/mask.js';
import type { DriftFinding } from '../../../src/report/model.js';
import { change, report } from './fixtures.js';

const finding = (extra: Partial<DriftFinding> = {}): DriftFinding => ({
  mode: 'report',
  status: 'drifted',
  checkedAt: '2026-12-01T10:00:00.000Z',
  resources: [
    {
      logicalId: 'Db',
      type: 'AWS::RDS::DBInstance',
      physicalId: 'db-1',
      status: 'MODIFIED',
      properties: [
        {
          path: '/MasterUserPassword',
          expected: 'template-pass',
          actual: 'typed-by-hand',
          difference: 'NOT_EQUAL',
        },
        { path: '/AllocatedStorage', expected: '20', actual: 'hunter2-secret', difference: 'NOT_EQUAL' },
      ],
      changedBy: {
        principal: 'assumed-role/Admin/alice',
        at: '2026-11-30T14:02:33.000Z',
        event: 'ModifyDBInstance',
      },
    },
    { logicalId: 'Queue', type: 'AWS::SQS::Queue', status: 'DELETED', properties: [] },
  ],
  notChecked: [{ logicalId: 'Handle', type: 'AWS::CloudFormation::WaitConditionHandle' }],
  reverts: [],
  ...extra,
});

describe('the Drift section', () => {
  it('comes first, says who changed what and when, and masks secret values', () => {
    const md = renderMarkdown(report({ drift: finding(), changes: [change('Topic')] }), {
      secrets: ['hunter2-secret'],
    });
    expect(md.indexOf('**Drift:**')).toBeLessThan(md.indexOf('| Action |'));
    expect(md).toContain(
      '`Db` (`AWS::RDS::DBInstance`, `db-1`) changed outside CloudFormation by assumed-role/Admin/alice at 2026-11-30 14:02 UTC (ModifyDBInstance)',
    );
    expect(md).toContain('`Queue` (`AWS::SQS::Queue`) **deleted** outside CloudFormation by unknown');
    expect(md).not.toMatch(/template-pass|typed-by-hand|hunter2-secret/);
    expect(md).toContain('| `Db` | `/AllocatedStorage` | `20` | `****` | changed |');
    expect(md.match(/`Handle`/g)).toHaveLength(1);
  });

  it('says "no drift" for an undrifted stack and why drift is not known otherwise', () => {
    const none = finding({ status: 'in-sync', resources: [], notChecked: [] });
    expect(renderMarkdown(report({ drift: none }))).toContain(
      '**Drift:** ✅ no drift (detected 2026-12-01 10:00 UTC)',
    );
    const unknown = finding({ status: 'unknown', resources: [], problem: 'DetectStackDrift failed: denied' });
    expect(renderMarkdown(report({ drift: unknown }))).toContain(
      '**Drift:** not known — DetectStackDrift failed: denied',
    );
    expect(renderMarkdown(report())).not.toContain('Drift');
  });

  it('shows what a REVERT_DRIFT change set puts back, and whose change it reverts', () => {
    const md = renderMarkdown(
      report({
        drift: finding({
          mode: 'revert',
          reverts: [
            {
              logicalId: 'Db',
              type: 'AWS::RDS::DBInstance',
              properties: ['/Properties/AllocatedStorage'],
              syncOnly: false,
            },
            { logicalId: 'Kept', type: 'AWS::SQS::Queue', properties: [], syncOnly: true },
          ],
        }),
      }),
    );
    expect(md).toContain(
      '- `Db` (`AllocatedStorage`): reverts a change by assumed-role/Admin/alice at 2026-11-30 14:02 UTC (ModifyDBInstance)',
    );
    expect(md).toContain(
      '- `Kept`: the template already matches its actual state; only its drift status is reset',
    );
  });

  it('masks drift values in the JSON report as in the markdown', () => {
    const masked = maskedReport(report({ drift: finding() }), ['hunter2-secret']);
    const props = masked.drift?.resources[0]?.properties ?? [];
    expect(props.map((p) => [p.expected, p.actual])).toEqual([
      ['****', '****'],
      ['20', '****'],
    ]);
  });
});
