import { COMMENT_LIMIT, SUMMARY_LIMIT, commentMarker, renderMarkdown } from '../../../src/report/markdown.js';
import type { ResourceChange } from '../../../src/report/model.js';
import { change, planned, report } from './fixtures.js';

const RUN = 'https://github.com/acme/app/actions/runs/42/attempts/1';

/** Table rows of the change table (they start with an action label). */
const rows = (md: string) => md.split('\n').filter((l) => /^\| (➕|✏️|♻️|🗑️|📥|❔)/.test(l));

/** A realistic Lambda-heavy change: long IDs, several properties with values. */
function lambda(i: number): ResourceChange {
  return change(`OrdersServiceHandlerFunction${String(i).padStart(3, '0')}A1B2C3D4`, {
    type: 'AWS::Lambda::Function',
    action: 'modify',
    properties: [
      {
        path: '/Properties/Code',
        before: `s3://artifacts/orders/${i}/old.zip`,
        after: `s3://artifacts/orders/${i}/new.zip`,
      },
      {
        path: '/Properties/Environment',
        before: '{"Variables":{"LOG_LEVEL":"info"}}',
        after: '{"Variables":{"LOG_LEVEL":"debug"}}',
      },
      { path: '/Properties/MemorySize', before: '256', after: '512' },
      { path: '/Properties/Timeout', before: '10', after: '30' },
      { path: '/Properties/Runtime', before: 'nodejs20.x', after: 'nodejs22.x' },
      { path: '/Properties/Architectures', before: '["x86_64"]', after: '["arm64"]' },
      {
        path: '/Properties/Layers',
        before: '[]',
        after: '["arn:aws:lambda:eu-west-1:111111111111:layer:otel:3"]',
      },
    ],
  });
}

describe('renderMarkdown', () => {
  it('says plainly that nothing changes', () => {
    const md = renderMarkdown(report());
    expect(md).toContain('### ✅ dev · 111111111111 · eu-west-1 · my-app: no changes\n');
    expect(md).toContain('Nothing to change');
    expect(md).toContain(`[workflow run](${RUN})`);
    expect(rows(md)).toHaveLength(0);
    expect(md).not.toContain('[!WARNING]');
  });

  it('renders three changes: verdict, table rows in report order, values in a collapsed block', () => {
    const md = renderMarkdown(
      planned([
        change('Api', { type: 'AWS::ApiGateway::RestApi' }),
        change('Handler', {
          type: 'AWS::Lambda::Function',
          action: 'modify',
          properties: [{ path: '/Properties/MemorySize', before: '128', after: '256' }],
        }),
        change('Queue'),
      ]),
    );
    expect(md).toContain('### ✅ dev · 111111111111 · eu-west-1 · my-app: 2 to add, 1 to change — planned');
    expect(md).toContain('**Plan** of commit `0123456` · change set `mad-0123456-42-1` (UPDATE)');
    expect(md).toContain('| Action | Logical ID | Type | Replacement | Changed properties |');
    expect(rows(md)).toEqual([
      '| ➕ Add | `Api` | `AWS::ApiGateway::RestApi` | — | — |',
      '| ✏️ Modify | `Handler` | `AWS::Lambda::Function` | No | `MemorySize` |',
      '| ➕ Add | `Queue` | `AWS::SQS::Queue` | — | — |',
    ]);
    const block = md.slice(md.indexOf('<details><summary>Property changes'));
    expect(block).toContain('| `MemorySize` | `128` | `256` |  |');
    expect(md.indexOf('<details><summary>Property changes')).toBeGreaterThan(
      md.indexOf('| ➕ Add | `Queue`'),
    );
  });

  it('is deterministic', () => {
    const r = planned([lambda(1), change('Queue')], { parameters: [{ key: 'Env', value: 'dev' }] });
    expect(renderMarkdown(r)).toBe(renderMarkdown(structuredClone(r)));
  });

  it('puts the replacement of a table first, under a warning, before the change table', () => {
    const md = renderMarkdown(
      planned([
        change('OrdersTable', {
          type: 'AWS::DynamoDB::Table',
          action: 'replace',
          destructive: true,
          stateful: true,
          properties: [
            {
              path: '/Properties/KeySchema',
              requiresRecreation: 'Always',
              before: '[{"AttributeName":"id","KeyType":"HASH"}]',
              after: '[{"AttributeName":"orderId","KeyType":"HASH"}]',
            },
          ],
        }),
        change('Queue'),
      ]),
    );
    expect(md).toContain('my-app: 1 to add, 1 to replace ⚠ — planned');
    expect(md.startsWith('### ⚠️ ')).toBe(true);
    const warning = md.indexOf('> [!WARNING]');
    expect(warning).toBeGreaterThan(0);
    expect(warning).toBeLessThan(md.indexOf('| Action |'));
    expect(md).toContain(
      '> - ♻️ Replace `OrdersTable` (`AWS::DynamoDB::Table`): replaced — **it holds data**',
    );
    expect(rows(md)[0]).toBe(
      '| ♻️ Replace | `OrdersTable` | `AWS::DynamoDB::Table` | **Yes** | `KeySchema` |',
    );
    expect(md).toContain('**replacement**');
  });

  it('lists IAM and security-group changes under the warning with what they change', () => {
    const md = renderMarkdown(
      planned([
        change('Role', {
          type: 'AWS::IAM::Role',
          action: 'modify',
          iam: true,
          properties: [{ path: '/Properties/Policies' }],
        }),
        change('WebSg', {
          type: 'AWS::EC2::SecurityGroup',
          action: 'modify',
          securityGroup: true,
          properties: [{ path: '/Properties/SecurityGroupIngress' }],
        }),
      ]),
    );
    expect(md).toContain('> **2 changes need a careful look:**');
    expect(md).toContain('> - ✏️ Modify `Role` (`AWS::IAM::Role`): changes permissions (`Policies`)');
    expect(md).toContain(
      '> - ✏️ Modify `WebSg` (`AWS::EC2::SecurityGroup`): changes network access (`SecurityGroupIngress`)',
    );
  });

  it('never shows a NoEcho value or a secret-looking property value', () => {
    const secret = 'Tr0ub4dor&3-horse';
    const md = renderMarkdown(
      planned(
        [
          change('Db', {
            type: 'AWS::RDS::DBInstance',
            action: 'modify',
            properties: [
              { path: '/Properties/MasterUserPassword', before: 'old-password-1', after: secret },
              { path: '/Properties/Description', before: 'x', after: secret },
              { path: '/Properties/Tags', before: '[]', after: `[{"Key":"pw","Value":"${secret}"}]` },
              { path: '/Properties/ApiToken', before: 'tok-123', after: 'tok-456' },
            ],
          }),
        ],
        {
          parameters: [
            { key: 'DbPassword', value: '****' },
            { key: 'Env', value: 'dev' },
          ],
          notes: [`Parameter value ${secret} was accepted.`],
        },
      ),
      { secrets: [secret] },
    );
    expect(md).not.toContain(secret);
    expect(md).not.toContain('old-password-1');
    expect(md).not.toContain('tok-123');
    expect(md).toContain('| `DbPassword` | `****` |');
    expect(md).toContain('| `Env` | `dev` |');
    expect(md).toContain('| `MasterUserPassword` | `****` | `****` |  |');
    expect(md).toContain('`[{"Key":"pw","Value":"****"}]`');
  });

  it('shows the root-cause event of a failure, and the events in a collapsed block', () => {
    const events = [
      {
        id: '1',
        timestamp: '2026-01-02T10:00:00.000Z',
        status: 'UPDATE_IN_PROGRESS',
        type: 'AWS::CloudFormation::Stack',
        logicalId: 'my-app',
      },
      {
        id: '2',
        timestamp: '2026-01-02T10:00:04.000Z',
        status: 'CREATE_FAILED',
        type: 'AWS::S3::Bucket',
        logicalId: 'Assets',
        reason: 'assets-bucket already exists',
      },
      {
        id: '3',
        timestamp: '2026-01-02T10:00:05.000Z',
        status: 'CREATE_FAILED',
        type: 'AWS::SQS::Queue',
        logicalId: 'Queue',
        reason: 'Resource creation cancelled',
      },
      {
        id: '4',
        timestamp: '2026-01-02T10:00:30.000Z',
        status: 'UPDATE_ROLLBACK_COMPLETE',
        type: 'AWS::CloudFormation::Stack',
        logicalId: 'my-app',
      },
    ];
    const md = renderMarkdown(
      planned([change('Assets', { type: 'AWS::S3::Bucket' }), change('Queue')], {
        mode: 'deploy',
        result: 'failed',
        stackStatus: 'UPDATE_ROLLBACK_COMPLETE',
        events,
        rootCause: events[1],
        failure: {
          message:
            'Stack my-app ended in UPDATE_ROLLBACK_COMPLETE: Assets (AWS::S3::Bucket) CREATE_FAILED: assets-bucket already exists.',
          hint: 'CloudFormation rolled the stack back; fix the cause above and deploy again.',
        },
      }),
    );
    expect(md.startsWith('### ❌ dev · 111111111111 · eu-west-1 · my-app: 2 to add — failed')).toBe(true);
    expect(md).toContain('> [!CAUTION]');
    expect(md).toContain(
      '> **Root cause:** `Assets` (`AWS::S3::Bucket`) CREATE_FAILED at 10:00:04 UTC: assets-bucket already exists',
    );
    expect(md.indexOf('[!CAUTION]')).toBeLessThan(md.indexOf('| Action |'));
    expect(md).toContain('<details><summary>Stack events (4)</summary>');
    expect(md).toContain(
      '| 10:00:05 | **CREATE_FAILED** | `AWS::SQS::Queue` | `Queue` | Resource creation cancelled |',
    );
  });

  it('keeps table cells intact whatever the values contain', () => {
    const md = renderMarkdown(
      planned([
        change('Fn', {
          action: 'modify',
          properties: [{ path: '/Properties/Code', before: 'a | b', after: 'x `y` <script>\nz' }],
        }),
      ]),
    );
    const row = md.split('\n').find((l) => l.startsWith('| `Code`')) ?? '';
    expect(row.split(/(?<!\\)\|/).length).toBe(6);
    expect(row).toContain('``x `y` <script> z``');
  });

  it('starts with a marker per stack, environment and region when asked', () => {
    const md = renderMarkdown(report(), { marker: true });
    expect(md.startsWith(`${commentMarker(report())}\n### `)).toBe(true);
    const markers = [
      report(),
      report({ environment: 'prod' }),
      report({ region: 'us-east-1' }),
      report({ stackName: 'other' }),
    ].map(commentMarker);
    expect(new Set(markers).size).toBe(4);
    expect(commentMarker(report({ accountId: '222222222222', runUrl: undefined }))).toBe(markers[0]);
    expect(markers[0]).toMatch(/^<!-- .* -->$/);
    expect(renderMarkdown(report())).not.toContain('<!--');
  });

  describe('with a size limit', () => {
    const huge = planned(Array.from({ length: 400 }, (_, i) => lambda(i)));

    it('renders 400 changes in full for the job summary', () => {
      const md = renderMarkdown(huge, { maxBytes: SUMMARY_LIMIT, fullReport: 'the job log' });
      expect(md.length).toBeGreaterThan(COMMENT_LIMIT);
      expect(Buffer.byteLength(md)).toBeLessThanOrEqual(SUMMARY_LIMIT);
      expect(rows(md)).toHaveLength(400);
      expect(md).toContain('<details><summary>Property changes (before → after) of 400 resources</summary>');
    });

    it('truncates 400 changes to the comment limit, with a note pointing to the job summary', () => {
      const md = renderMarkdown(huge, { maxChars: COMMENT_LIMIT, marker: true });
      expect(md.length).toBeLessThanOrEqual(COMMENT_LIMIT);
      expect(md.startsWith(commentMarker(huge))).toBe(true);
      expect(md).not.toContain('<details><summary>Property changes');
      expect(md).toContain(
        `Property values are left out to fit the size limit: see [the job summary](${RUN}).`,
      );
      const shown = rows(md).length;
      expect(shown).toBeGreaterThan(100);
      expect(shown).toBeLessThan(400);
      expect(md).toContain(
        `…and ${400 - shown} more changes, left out to fit the size limit: see [the job summary](${RUN}).`,
      );
      // The rows kept are the first ones, so the most important (destructive first) stay.
      expect(rows(md)[0]).toContain('OrdersServiceHandlerFunction000');
      // As many rows as fit: one more would not.
      expect(md.length + rows(md)[0]!.length + 1).toBeGreaterThan(COMMENT_LIMIT);
    });

    it('drops the property values first, before any row', () => {
      const some = planned(Array.from({ length: 60 }, (_, i) => lambda(i)));
      const full = renderMarkdown(some);
      const md = renderMarkdown(some, { maxChars: full.length - 1 });
      expect(rows(md)).toHaveLength(60);
      expect(md).toContain('Property values are left out');
      expect(md).not.toContain('more changes, left out');
    });

    it('truncates the warning list too when every change is destructive', () => {
      const all = planned(
        Array.from({ length: 400 }, (_, i) =>
          change(`Table${String(i).padStart(3, '0')}WithAVeryLongLogicalIdForTesting`, {
            type: 'AWS::DynamoDB::Table',
            action: 'replace',
            destructive: true,
            stateful: true,
          }),
        ),
      );
      const md = renderMarkdown(all, { maxChars: COMMENT_LIMIT });
      expect(md.length).toBeLessThanOrEqual(COMMENT_LIMIT);
      expect(md).toMatch(/> - …and \d+ more: see \[the job summary\]/);
    });

    it('honours a byte limit with multi-byte text', () => {
      const md = renderMarkdown(huge, { maxBytes: 20_000 });
      expect(Buffer.byteLength(md)).toBeLessThanOrEqual(20_000);
      expect(rows(md).length).toBeGreaterThan(10);
    });

    it('cuts a report that cannot fit even without rows, and closes what it opened', () => {
      const md = renderMarkdown(
        report({
          result: 'failed',
          failure: { message: 'x'.repeat(200_000) },
          parameters: [{ key: 'A', value: 'b' }],
        }),
        { maxChars: COMMENT_LIMIT },
      );
      expect(md.length).toBeLessThanOrEqual(COMMENT_LIMIT);
      expect(md).toContain('**…cut here to fit the size limit: see [the job summary]');
      expect((md.match(/<details/g) ?? []).length).toBe((md.match(/<\/details>/g) ?? []).length);
    });
  });
});
