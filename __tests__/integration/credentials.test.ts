import { startOidc, type OidcServer } from './harness/oidc.js';
import { resetMoto } from './harness/moto.js';
import { EXAMPLE, runAction, type RunResult } from './harness/run-action.js';

let oidc: OidcServer;

beforeAll(async () => {
  oidc = await startOidc({ sub: 'repo:acme/app:environment:dev', environment: 'dev' });
});
afterAll(() => oidc.close());
beforeEach(async () => {
  await resetMoto();
  oidc.requests.length = 0;
  oidc.tokens.length = 0;
});

/** Everything a person or a later step can read, except GITHUB_ENV (which carries the credentials on purpose). */
const visible = (run: RunResult) =>
  [run.stdout, run.stderr, run.summary, JSON.stringify(run.outputs)].join('\n');

describe('credentials through GitHub OIDC', () => {
  it.each(['111111111111', '222222222222'])(
    'assumes the role of account %s and deploys there',
    async (account) => {
      const run = await runAction({
        ...EXAMPLE,
        oidcUrl: oidc.url,
        inputs: { ...EXAMPLE.inputs, 'role-arn': `arn:aws:iam::${account}:role/deploy`, environment: 'dev' },
        // The environment's keys must not be what deploys.
        env: { AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined },
      });
      expect(run.code).toBe(0);
      expect(run.outputs['account-id']).toBe(account);
      expect(run.outputs['stack-id']).toContain(`:${account}:stack/example/`);
      expect(run.stdout).toContain(`Deploying as arn:aws:sts::${account}:assumed-role/deploy/mad-app-`);
      expect(oidc.requests).toHaveLength(1);
      expect(oidc.requests[0]?.audience).toBe('sts.amazonaws.com');

      // Later steps get the standard variables...
      expect(run.exported.AWS_REGION).toBe('eu-west-1');
      const {
        AWS_ACCESS_KEY_ID: keyId,
        AWS_SECRET_ACCESS_KEY: secret,
        AWS_SESSION_TOKEN: session,
      } = run.exported;
      expect(keyId && secret && session).toBeTruthy();
      // ...masked before they were written, and never printed anywhere else.
      const token = oidc.tokens[0] ?? '';
      for (const value of [keyId, secret, session, token]) {
        expect(run.stdout).toContain(`::add-mask::${value}`);
        const withoutMaskCommands = visible(run).replace(/::add-mask::.*\n/g, '');
        expect(withoutMaskCommands).not.toContain(value);
      }
    },
  );

  it('fails fast with the id-token: write fix when the job cannot request a token', async () => {
    const run = await runAction({
      ...EXAMPLE,
      inputs: { ...EXAMPLE.inputs, 'role-arn': 'arn:aws:iam::111111111111:role/deploy' },
    });
    expect(run.code).not.toBe(0);
    expect(run.durationMs).toBeLessThan(2_000);
    expect(run.stdout).toContain('No GitHub OIDC token is available to this job');
    expect(run.stdout).toContain('id-token: write');
    expect(run.outputs.result).toBe('failed');
  });

  it('rejects a role ARN of the wrong shape before any call', async () => {
    const run = await runAction({
      ...EXAMPLE,
      oidcUrl: oidc.url,
      inputs: { ...EXAMPLE.inputs, 'role-arn': 'arn:aws:iam::1111:role/deploy' },
    });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      `Input 'role-arn' is "arn:aws:iam::1111:role/deploy": expected an IAM role ARN`,
    );
    expect(oidc.requests).toHaveLength(0);
  });

  it('uses the credentials of the environment without role-arn', async () => {
    const run = await runAction({ ...EXAMPLE, oidcUrl: oidc.url });
    expect(run.code).toBe(0);
    expect(run.outputs['account-id']).toBe('123456789012');
    expect(oidc.requests).toHaveLength(0);
    expect(run.exported.AWS_ACCESS_KEY_ID).toBeUndefined();
  });
});
