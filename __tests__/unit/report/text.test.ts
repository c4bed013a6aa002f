import { renderText, riskMarks } from '../../../src/report/text.js';
import { change, planned, report } from './fixtures.js';

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[/;
const MARKUP = /<\/?[a-z]+[ >]|\*\*|^\s*\||^> \[!|```|^#+ /m;

describe('renderText', () => {
  it('leads with the verdict, then a table with risk marks, without markdown or HTML', () => {
    const text = renderText(
      planned([
        change('Table', {
          action: 'replace',
          destructive: true,
          stateful: true,
          type: 'AWS::DynamoDB::Table',
        }),
        change('Role', { action: 'modify', iam: true, type: 'AWS::IAM::Role' }),
        change('Queue', { action: 'add', type: 'AWS::SQS::Queue' }),
      ]),
    );
    const lines = text.split('\n');
    expect(lines[0]).toMatch(
      /^! dev · 111111111111 · eu-west-1 · my-app: 1 to add, 1 to change, 1 to replace ⚠ — planned$/,
    );
    expect(text).toMatch(/ {2}! ± replace {2}Table {2}AWS::DynamoDB::Table {2}replaced, holds data/);
    expect(text).toMatch(/ {2}⚑ ~ modify {3}Role {3}AWS::IAM::Role {8}permissions/);
    expect(text).toContain(
      '! destructive (blocked in deploy unless allowed)   ⚑ changes who can do or reach what',
    );
    expect(text).not.toMatch(MARKUP);
    expect(text).not.toMatch(ANSI);
  });

  it('colours only when asked', () => {
    const r = planned([change('Queue', { action: 'add' })]);
    expect(renderText(r, { color: true })).toMatch(ANSI);
    expect(renderText(r)).not.toMatch(ANSI);
  });

  it('shows parameters before → after, masking secrets and NoEcho values', () => {
    const text = renderText(
      report({
        result: 'deployed',
        mode: 'deploy',
        parameters: [
          { key: 'Size', value: '5' },
          { key: 'DbPassword', value: 'hunter2-secret' },
          { key: 'Same', value: 'x' },
        ],
        previousParameters: [
          { key: 'Size', value: '3' },
          { key: 'DbPassword', value: '****' },
          { key: 'Same', value: 'x' },
        ],
        outputs: [{ key: 'Url', value: 'https://example.com' }],
      }),
      { secrets: ['hunter2-secret'] },
    );
    expect(text).toContain('  Size        3 → 5\n');
    expect(text).toContain('  DbPassword  ****\n');
    expect(text).toContain('  Same        x\n');
    expect(text).toContain('Outputs:\n  Url  https://example.com');
    expect(text).not.toContain('hunter2');
  });

  it('keeps the generated policies out unless verbose', () => {
    const policy = {
      Version: '2012-10-17' as const,
      Statement: [{ Effect: 'Allow' as const, Action: 'x:Y', Resource: '*' }],
    };
    const r = report({
      permissions: {
        mode: 'verify',
        checkedAgainst: 'deploy',
        roleName: 'deploy',
        method: 'structural',
        applied: false,
        missing: [],
        excess: [{ action: 'iam:PassRole', resource: '*', accessLevel: 'Write' }],
        broad: [],
        warnings: [],
        deployPolicy: policy,
        planPolicy: policy,
      },
    });
    expect(renderText(r)).toContain(
      'Permissions of deploy against the deploy policy: more than needed (structural)',
    );
    expect(renderText(r)).not.toContain('"Statement"');
    expect(renderText(r, { verbose: true })).toContain('"Statement"');
  });

  it('names the failure, its root cause and the hint', () => {
    const text = renderText(
      report({
        result: 'failed',
        mode: 'deploy',
        failure: { message: 'Stack my-app ended in ROLLBACK_COMPLETE.', hint: 'Fix the cause.' },
        rootCause: {
          id: '1',
          timestamp: '2026-01-01T10:00:00.000Z',
          status: 'CREATE_FAILED',
          type: 'AWS::S3::Bucket',
          logicalId: 'Bucket',
          reason: 'already exists',
        },
      }),
    );
    expect(text).toMatch(/^✗ /);
    expect(text).toContain('Failed: Stack my-app ended in ROLLBACK_COMPLETE.');
    expect(text).toContain(
      'Root cause: Bucket (AWS::S3::Bucket) CREATE_FAILED at 10:00:00 UTC: already exists',
    );
    expect(text).toContain('  Fix the cause.');
  });

  it('marks why a change is risky', () => {
    expect(riskMarks(change('T', { action: 'remove', destructive: true, stateful: true }))).toEqual([
      'removed',
      'holds data',
    ]);
    expect(riskMarks(change('G', { action: 'modify', securityGroup: true }))).toEqual(['network access']);
  });
});
