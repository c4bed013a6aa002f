// What issue 12 adds to the report: broadening under the warnings, the PolicyAction next to a replacement,
// nested changes under their parent, and an empty secret shown as empty.
import { renderMarkdown } from '../../../src/report/markdown.js';
import { masker } from '../../../src/report/mask.js';
import { change, report } from './fixtures.js';

describe('the report of issue 12', () => {
  const md = renderMarkdown(
    report({
      result: 'failed',
      mode: 'deploy',
      changes: [
        change('Web', {
          type: 'AWS::EC2::SecurityGroup',
          action: 'modify',
          securityGroup: true,
          broadening: ['opens ingress from 0.0.0.0/0 (tcp 22)'],
        }),
        change('Database', { type: 'AWS::CloudFormation::Stack', action: 'modify' }),
        change('Database/Table', {
          type: 'AWS::DynamoDB::Table',
          action: 'replace',
          destructive: true,
          stateful: true,
          policyAction: 'ReplaceAndSnapshot',
        }),
      ],
      destructive: ['Database/Table'],
    }),
  );

  it('shows broadening under the warnings, with what it opens', () => {
    const warning = md.slice(md.indexOf('[!WARNING]'), md.indexOf('| Action'));
    expect(warning).toContain(
      '`Web` (`AWS::EC2::SecurityGroup`): **broadens access**: opens ingress from 0.0.0.0/0 (tcp 22)',
    );
  });

  it('shows the PolicyAction, in the table and in the warning, and the nested change under its parent', () => {
    expect(md).toContain(
      '| ♻️ Replace | `Database/Table` | `AWS::DynamoDB::Table` | **Yes** (`ReplaceAndSnapshot`) |',
    );
    expect(md).toContain(
      'on execution: the old resource is snapshotted, then deleted, after the replacement',
    );
    const rows = md.split('\n').filter((l) => l.startsWith('| '));
    expect(rows.findIndex((r) => r.includes('`Database/Table`'))).toBe(
      rows.findIndex((r) => r.includes('`Database`')) + 1,
    );
  });

  it('shows an empty secret-named value as empty, and masks a set one', () => {
    const m = masker(['hunter2-secret']);
    expect(m.value('DbPassword', '')).toBe('');
    expect(m.value('DbPassword', 'x')).toBe('****');
    const params = renderMarkdown(
      report({
        parameters: [
          { key: 'ApiToken', value: '' },
          { key: 'DbPassword', value: 'hunter2-secret' },
        ],
      }),
      { secrets: ['hunter2-secret'] },
    );
    expect(params).toContain('| `ApiToken` | `""` |');
    expect(params).toContain('| `DbPassword` | `****` |');
  });
});
