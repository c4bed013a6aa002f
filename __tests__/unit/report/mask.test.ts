import { MASK, isSecretName, maskedReport, masker, secretValues } from '../../../src/report/mask.js';
import { report as reportWith } from './fixtures.js';

describe('masking', () => {
  it('recognises secret-looking names, not ordinary ones', () => {
    for (const name of [
      'Password',
      'DbPassword',
      '/Properties/MasterUserPassword',
      'ClientSecret',
      'ApiToken',
      'PrivateKey',
      'private_key',
      'ApiKey',
      'Passphrase',
    ])
      expect(isSecretName(name)).toBe(true);
    for (const name of ['BucketName', 'KeyName', 'Environment', 'Description', 'MemorySize'])
      expect(isSecretName(name)).toBe(false);
  });

  it('collects the values of NoEcho and secret-looking parameters', () => {
    const settings = {
      template: {
        path: 't.yaml',
        body: '',
        outputs: [],
        parameters: [
          { key: 'Hidden', noEcho: true, hasDefault: false },
          { key: 'DbPassword', noEcho: false, hasDefault: false },
          { key: 'Env', noEcho: false, hasDefault: true },
        ],
      },
      parameters: [
        { key: 'Hidden', value: 'hidden-value' },
        { key: 'DbPassword', value: 'pw-value' },
        { key: 'Env', value: 'dev' },
      ],
    };
    expect(secretValues(settings)).toEqual(['hidden-value', 'pw-value']);
    expect(secretValues({ ...settings, parameters: [{ key: 'Hidden', usePreviousValue: true }] })).toEqual(
      [],
    );
  });

  it('masks whole values by name, by value and for PEM keys, and scrubs secrets out of text', () => {
    const m = masker(['hunter22', 'ab']);
    expect(m.value('Password', 'anything')).toBe(MASK);
    expect(m.value('Description', 'hunter22')).toBe(MASK);
    expect(m.value('Description', 'ab')).toBe(MASK);
    expect(m.value('UserData', '-----BEGIN RSA PRIVATE KEY-----\nMIIE')).toBe(MASK);
    expect(m.value('Tags', 'a hunter22 b')).toBe(`a ${MASK} b`);
    // Too short to scrub inside text without mangling it; masked only as a whole value.
    expect(m.scrub('table abc')).toBe('table abc');
    expect(m.scrub('x hunter22hunter22 y')).toBe(`x ${MASK}${MASK} y`);
  });
});

describe('maskedReport', () => {
  it('masks secret-looking properties, NoEcho values and secrets inside any text of the report', () => {
    const report = reportWith({
      changes: [
        {
          logicalId: 'Db',
          type: 'AWS::RDS::DBInstance',
          action: 'modify',
          destructive: false,
          stateful: true,
          iam: false,
          securityGroup: false,
          properties: [{ path: 'MasterUserPassword', before: 'old-pass-1', after: 'new-pass-2' }],
        },
      ],
      outputs: [{ key: 'ApiToken', value: 'tok-123456' }],
      failure: { message: 'failed with s3cr3t-value inside' },
    });
    const text = JSON.stringify(maskedReport(report, ['s3cr3t-value']));
    for (const secret of ['old-pass-1', 'new-pass-2', 'tok-123456', 's3cr3t-value'])
      expect(text).not.toContain(secret);
    expect(text).toContain('failed with **** inside');
  });
});
