import { loadCatalogue } from '../../../../src/engine/permissions/catalogue.js';
import { statementsOf } from '../../../../src/engine/permissions/evaluate.js';
import {
  deployPolicy,
  grantsFor,
  partitionOf,
  planPolicy,
  sampleArn,
} from '../../../../src/engine/permissions/policy.js';
import type { Settings } from '../../../../src/config/settings.js';
import { ACCOUNT, EXEC_ROLE, FULL, REGION, ROLE_ARN, settingsWith } from './fixtures.js';

const target = { accountId: ACCOUNT, region: REGION, roleArn: ROLE_ARN };

const CONFIGURATIONS: [string, Partial<Settings>][] = [
  ['a bare stack', {}],
  ['with ECR', { ecrRepositories: ['app/*'] }],
  ['with an execution role', { executionRoleArn: EXEC_ROLE }],
  ['with a template bucket', { templateBucket: { bucket: 'b-1', prefix: '' } }],
  ['with everything', FULL],
  ['with drift detection', { drift: 'report' }],
];

describe('the generated policies', () => {
  it.each(CONFIGURATIONS)(
    'are minimal %s: no `*` action, no `*` resource for a write',
    async (_name, extra) => {
      const catalogue = await loadCatalogue();
      for (const policy of [
        deployPolicy(settingsWith(extra), target),
        planPolicy(settingsWith(extra), target),
      ]) {
        for (const s of statementsOf(policy)) {
          expect(s.effect).toBe('Allow');
          expect(s.notActions).toBeUndefined();
          expect(s.notResources).toBeUndefined();
          for (const a of s.actions ?? []) {
            expect(a).not.toMatch(/\*/);
            expect(catalogue.level(a)).toBeDefined();
            if ((s.resources ?? []).includes('*')) expect(['Read', 'List']).toContain(catalogue.level(a));
          }
        }
      }
    },
  );

  it('scopes stack actions to the stack and the account, and change sets to release names', () => {
    const grants = grantsFor('deploy', settingsWith(), target);
    const stack = `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/app/*`;
    for (const g of grants.filter((g) => g.sid.startsWith('Stack') || g.sid.endsWith('ChangeSets')))
      expect(g.resources).toEqual([stack]);
    const actions = grants.flatMap((g) => g.actions);
    expect(actions).toEqual(
      expect.arrayContaining([
        'cloudformation:CreateChangeSet',
        'cloudformation:ExecuteChangeSet',
        'cloudformation:DescribeStackEvents',
        'cloudformation:GetTemplate',
        'cloudformation:UpdateTerminationProtection',
      ]),
    );
    expect(grants.find((g) => g.actions.includes('cloudformation:ExecuteChangeSet'))?.condition).toEqual({
      StringLike: {
        'cloudformation:ChangeSetName': [
          'mad-release-*',
          `arn:aws:cloudformation:${REGION}:${ACCOUNT}:changeSet/mad-release-*`,
        ],
      },
    });
  });

  it('keys the pull-request plan role on mad-pr-* and gives it no PassRole and no stack delete', () => {
    const grants = grantsFor('plan', settingsWith({ executionRoleArn: EXEC_ROLE }), target);
    const changeSets = grants.find((g) => g.actions.includes('cloudformation:CreateChangeSet'));
    expect(changeSets?.condition).toEqual({
      StringLike: {
        'cloudformation:ChangeSetName': [
          'mad-pr-*',
          `arn:aws:cloudformation:${REGION}:${ACCOUNT}:changeSet/mad-pr-*`,
        ],
      },
    });
    const actions = grants.flatMap((g) => g.actions);
    expect(actions).not.toContain('iam:PassRole');
    expect(actions).not.toContain('cloudformation:DeleteStack');
    const release = grantsFor('release', settingsWith({ executionRoleArn: EXEC_ROLE }), target);
    expect(release.flatMap((g) => g.actions)).toEqual(expect.arrayContaining(['iam:PassRole']));
    expect(release.flatMap((g) => g.actions)).not.toContain('cloudformation:ExecuteChangeSet');
  });

  it('grant exactly the drift and CloudTrail actions to both roles, only when drift is not off', () => {
    const driftActions = (kind: 'deploy' | 'plan', drift: Settings['drift']) =>
      grantsFor(kind, settingsWith({ drift }), target)
        .flatMap((g) => g.actions.map((a) => `${a} ${g.resources.join(',')}`))
        .filter((a) => /Drift|LookupEvents|ListStackResources/.test(a))
        .sort();
    const stack = `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/app/*`;
    for (const kind of ['deploy', 'plan'] as const) {
      expect(driftActions(kind, 'off')).toEqual([]);
      for (const mode of ['report', 'fail', 'revert'] as const) {
        expect(driftActions(kind, mode)).toEqual([
          'cloudformation:DescribeStackDriftDetectionStatus *',
          `cloudformation:DescribeStackResourceDrifts ${stack}`,
          `cloudformation:DetectStackDrift ${stack}`,
          `cloudformation:ListStackResources ${stack}`,
          'cloudtrail:LookupEvents *',
        ]);
      }
    }
  });

  it('passes only the execution role, only to CloudFormation', () => {
    const pass = grantsFor('deploy', settingsWith({ executionRoleArn: EXEC_ROLE }), target).find((g) =>
      g.actions.includes('iam:PassRole'),
    );
    expect(pass?.resources).toEqual([EXEC_ROLE]);
    expect(pass?.condition).toEqual({
      StringEquals: { 'iam:PassedToService': 'cloudformation.amazonaws.com' },
    });
    expect(grantsFor('deploy', settingsWith(), target).some((g) => g.actions.includes('iam:PassRole'))).toBe(
      false,
    );
  });

  it('turns ECR globs into ARN wildcards and scopes template objects to the stack', () => {
    const grants = grantsFor('deploy', settingsWith(FULL), target);
    expect(grants.find((g) => g.sid === 'RepositoryLifecyclePolicies')?.resources).toEqual([
      `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/app/*`,
      `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/tools`,
    ]);
    expect(grants.find((g) => g.sid === 'TemplateObjects')?.resources).toEqual([
      'arn:aws:s3:::templates-bucket/cfn/app/*',
    ]);
    expect(grants.find((g) => g.sid === 'ReadOwnRole')?.resources).toEqual([ROLE_ARN]);
  });

  it('gives the plan role no execute and no writes but its own change sets', async () => {
    const catalogue = await loadCatalogue();
    const actions = statementsOf(planPolicy(settingsWith(FULL), target)).flatMap((s) => s.actions ?? []);
    expect(actions).not.toContain('cloudformation:ExecuteChangeSet');
    expect(actions).not.toContain('ecr:PutLifecyclePolicy');
    expect(actions).not.toContain('cloudformation:UpdateTerminationProtection');
    const writes = actions.filter((a) => !['Read', 'List'].includes(catalogue.level(a) ?? ''));
    expect(writes.sort()).toEqual([
      'cloudformation:CreateChangeSet',
      'cloudformation:DeleteChangeSet',
      's3:PutObject',
    ]);
  });

  it('knows the partition of a region and samples patterns', () => {
    expect(partitionOf('cn-north-1')).toBe('aws-cn');
    expect(partitionOf('us-gov-west-1')).toBe('aws-us-gov');
    expect(partitionOf('eu-west-1')).toBe('aws');
    expect(
      deployPolicy(settingsWith({ region: 'cn-north-1' }), { ...target, region: 'cn-north-1' }).Statement,
    ).toEqual(
      expect.arrayContaining([expect.objectContaining({ Resource: expect.stringMatching(/^arn:aws-cn:/) })]),
    );
    expect(sampleArn('arn:aws:ecr:r:1:repository/app/*')).toBe('arn:aws:ecr:r:1:repository/app/example');
  });
});
