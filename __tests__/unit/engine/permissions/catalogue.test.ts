import { loadCatalogue } from '../../../../src/engine/permissions/catalogue.js';

describe('the IAM action catalogue', () => {
  it('knows access levels and expands wildcards', async () => {
    const c = await loadCatalogue();
    expect(c.level('iam:PutRolePolicy')).toBe('Permissions management');
    expect(c.level('IAM:getrole')).toBe('Read');
    expect(c.level('cloudformation:TagResource')).toBe('Tagging');
    expect(c.level('ecr:PutLifecyclePolicy')).toBe('Write');
    expect(c.level('nope:Nothing')).toBeUndefined();
    expect(c.expand('ecr:*LifecyclePolicy')).toEqual(
      expect.arrayContaining([
        'ecr:GetLifecyclePolicy',
        'ecr:PutLifecyclePolicy',
        'ecr:DeleteLifecyclePolicy',
      ]),
    );
    expect(c.expand('*').length).toBeGreaterThan(10_000);
    expect(c.source).toMatch(/iam-data .*MIT/);
  });
});
