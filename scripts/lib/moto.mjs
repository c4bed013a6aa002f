// Starts and stops the preinstalled moto server on a free loopback port. Shared by the integration
// tests' global setup, the demo and the benchmarks.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';

/** A free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Starts moto and waits (at most 30 s) until it answers. Returns { endpoint, stop() }. */
export async function startMoto() {
  const port = await freePort();
  const child = spawn('python3', ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
    // AWS managed policies (AdministratorAccess...) exist only when loaded: the permissions tests attach them.
    env: { ...process.env, MOTO_IAM_LOAD_MANAGED_POLICIES: 'true' },
  });
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(
        `moto exited (${child.exitCode}); check that python3 -c 'import moto' works.\n${stderr}`,
      );
    }
    try {
      const res = await fetch(`${endpoint}/moto-api/`);
      if (res.status < 500) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`moto did not answer on ${endpoint} within 30 s.\n${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    endpoint,
    pid: child.pid,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 3_000).unref();
      }),
  };
}

/** Clears all of moto's state. */
export async function resetMoto(endpoint) {
  const res = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
  if (!res.ok) throw new Error(`moto reset failed: HTTP ${res.status}`);
}

/** One call of an AWS API on the emulator, in the given account (moto routes by the x-moto-account-id header). */
async function motoCall(endpoint, account, service, headers, body) {
  const res = await fetch(endpoint, {
    method: 'POST',
    headers: {
      'x-moto-account-id': account,
      authorization: `AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260101/eu-west-1/${service}/aws4_request, SignedHeaders=host, Signature=0`,
      ...headers,
    },
    body,
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${service} call failed: HTTP ${res.status} ${text}`);
  return text;
}

/** Creates ECR repositories in an account of the emulator. */
export async function createRepositories(endpoint, account, names) {
  for (const name of names) {
    await motoCall(
      endpoint,
      account,
      'ecr',
      {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'AmazonEC2ContainerRegistry_V20150921.CreateRepository',
      },
      JSON.stringify({ repositoryName: name }),
    );
  }
}

/** Creates an IAM role in an account of the emulator, trusting GitHub's OIDC provider, optionally with a boundary. */
export async function createRole(endpoint, account, name, { boundary = false } = {}) {
  const iam = (params) =>
    motoCall(
      endpoint,
      account,
      'iam',
      { 'content-type': 'application/x-www-form-urlencoded' },
      new URLSearchParams({ Version: '2010-05-08', ...params }).toString(),
    );
  let boundaryArn;
  if (boundary) {
    const document = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
    const xml = await iam({
      Action: 'CreatePolicy',
      PolicyName: `${name}-boundary`,
      PolicyDocument: JSON.stringify(document),
    });
    boundaryArn = /<Arn>([^<]+)<\/Arn>/.exec(xml)?.[1];
  }
  const trust = {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Federated: `arn:aws:iam::${account}:oidc-provider/token.actions.githubusercontent.com` },
        Action: 'sts:AssumeRoleWithWebIdentity',
      },
    ],
  };
  await iam({
    Action: 'CreateRole',
    RoleName: name,
    AssumeRolePolicyDocument: JSON.stringify(trust),
    ...(boundaryArn ? { PermissionsBoundary: boundaryArn } : {}),
  });
}

/**
 * Creates GitHub's OIDC provider in an account of the emulator, as an account that already has one (moto's
 * CloudFormation does not create AWS::IAM::OIDCProvider resources, so the bootstrap reuses this one).
 */
export async function createGithubOidcProvider(endpoint, account, audience = 'sts.amazonaws.com') {
  await motoCall(
    endpoint,
    account,
    'iam',
    { 'content-type': 'application/x-www-form-urlencoded' },
    new URLSearchParams({
      Version: '2010-05-08',
      Action: 'CreateOpenIDConnectProvider',
      Url: 'https://token.actions.githubusercontent.com',
      'ClientIDList.member.1': audience,
      'ThumbprintList.member.1': '6938fd4d98bab03faadb97b34396831e3780aea1',
    }).toString(),
  );
}
