import { renderMarkdown } from '../../../src/report/markdown.js';
import type { DeployReport, PermissionsFinding } from '../../../src/report/model.js';
import { renderPermissions } from '../../../src/report/permissions-section.js';

const policy = {
  Version: '2012-10-17' as const,
  Statement: [{ Sid: 'S', Effect: 'Allow' as const, Action: 'x:Y', Resource: 'arn:r' }],
};
const finding: PermissionsFinding = {
  mode: 'verify',
  checkedAgainst: 'deploy',
  roleName: 'deploy',
  roleArn: 'arn:aws:iam::111111111111:role/deploy',
  method: 'structural',
  methodNote:
    'iam:SimulatePrincipalPolicy was not available (AccessDenied); the policies were compared structurally.',
  applied: false,
  missing: [
    {
      action: 'cloudformation:ExecuteChangeSet',
      resource: 'arn:aws:cloudformation:eu-west-1:1:stack/app/*',
      note: 'no statement allows it',
    },
  ],
  excess: [
    { action: 'iam:PutRolePolicy', resource: '*', accessLevel: 'Permissions management' },
    { action: 'ecr:PutLifecyclePolicy', resource: '*', accessLevel: 'Write' },
  ],
  broad: ['AdministratorAccess is attached: every action on every resource.'],
  warnings: ['deploy has no permissions boundary: nothing caps what its policies may grow to.'],
  deployPolicy: policy,
  planPolicy: policy,
};

describe('the permissions section', () => {
  it('shows the verdict, each missing action with its resource, broad grants, excess by level, and both policies collapsed', () => {
    const text = renderPermissions(finding).join('\n');
    expect(text).toContain(
      '**Permissions** (verify) of `arn:aws:iam::111111111111:role/deploy` against the deploy policy: ❌ 1 missing (structural check)',
    );
    expect(text).toContain(
      '| `cloudformation:ExecuteChangeSet` | `arn:aws:cloudformation:eu-west-1:1:stack/app/*` | no statement allows it |',
    );
    expect(text).toContain('- AdministratorAccess is attached: every action on every resource.');
    expect(text).toContain('- deploy has no permissions boundary');
    expect(text).toMatch(
      /\*\*Permissions management\*\*\n\n- `iam:PutRolePolicy` on `\*`\n\n\*\*Write\*\*\n\n- `ecr:PutLifecyclePolicy` on `\*`/,
    );
    expect(text).toContain('<details><summary>Least-privilege policy for the deploy role</summary>');
    expect(text).toContain('<details><summary>Least-privilege policy for the plan role</summary>');
    expect(text).toContain('"Action": "x:Y"');
  });

  it('says when nothing was checked, and renders nothing without a finding', () => {
    expect(
      renderPermissions({
        ...finding,
        skipped: "the credentials are not a role's",
        missing: [],
        excess: [],
        broad: [],
      })[0],
    ).toBe("**Permissions:** not checked — the credentials are not a role's");
    expect(renderPermissions(undefined)).toEqual([]);
  });

  it('is part of the report', () => {
    const report: DeployReport = {
      region: 'eu-west-1',
      stackName: 'app',
      mode: 'deploy',
      result: 'failed',
      changes: [],
      destructive: [],
      parameters: [],
      outputs: [],
      events: [],
      ecr: [],
      timings: [],
      notes: [],
      permissions: {
        ...finding,
        missing: [],
        excess: [],
        broad: [],
        warnings: [],
        method: 'simulated',
        methodNote: undefined,
      },
    };
    expect(renderMarkdown(report)).toContain(
      'against the deploy policy: ✅ least privilege (confirmed with the IAM policy simulator)',
    );
  });
});
