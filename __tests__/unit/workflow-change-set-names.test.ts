import {
  PULL_REQUEST_PREFIX,
  RELEASE_PREFIX,
  kindOf,
  pullRequestName,
  releaseName,
} from '../../scripts/workflow/change-set-names.mjs';

// The prefixes IAM tells the roles apart by (cloudformation:ChangeSetName): pull-request plans can never make or
// delete a name the release planner or the deploy role would take for a release.
describe('change-set names of the reusable workflow', () => {
  it('name pull-request plans mad-pr-<number>-<run>-<attempt> and releases mad-release-<run>-<attempt>', () => {
    expect(PULL_REQUEST_PREFIX).toBe('mad-pr-');
    expect(RELEASE_PREFIX).toBe('mad-release-');
    expect(pullRequestName(7, '9001', '2')).toBe('mad-pr-7-9001-2');
    expect(releaseName('9001', '2')).toBe('mad-release-9001-2');
  });

  it('never give a pull request a name with the release prefix, whatever its number', () => {
    for (const n of ['1', '42', '99999999'])
      expect(kindOf(pullRequestName(n, '1', '1'))).toBe('pull-request');
    expect(() => pullRequestName('release-1', '1', '1')).toThrow('pull request is "release-1"');
    expect(() => releaseName('', '1')).toThrow('run id is ""');
  });

  it('tell a name or an ARN apart by its prefix', () => {
    const arn = (name: string) =>
      `arn:aws:cloudformation:eu-west-1:333333333333:changeSet/${name}/7c2e9b4a-1d3f-4e5a-8b6c-0d1e2f3a4b5c`;
    expect(kindOf(arn('mad-release-1-1'))).toBe('release');
    expect(kindOf(arn('mad-pr-1-1-1'))).toBe('pull-request');
    expect(kindOf('multi-account-deploy-1-1')).toBe('other');
  });
});
