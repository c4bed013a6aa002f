import { listen, type LoopbackServer } from './http.js';

export interface OidcServer extends LoopbackServer {
  /** Requests received, with the audience asked for. */
  requests: { audience: string | null; authorization: string | undefined }[];
  /** The last token handed out. */
  tokens: string[];
}

const b64url = (value: object | string): string =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

/** A GitHub-like ID token (unsigned: moto accepts any web identity token). */
export function fakeJwt(claims: Record<string, unknown>): string {
  return `${b64url({ alg: 'RS256', typ: 'JWT', kid: 'test' })}.${b64url(claims)}.${b64url(`signature-${Math.random()}`)}`;
}

/** The loopback token endpoint core.getIDToken calls (ACTIONS_ID_TOKEN_REQUEST_URL). */
export async function startOidc(claims: Record<string, unknown> = {}): Promise<OidcServer> {
  const requests: OidcServer['requests'] = [];
  const tokens: string[] = [];
  const server = await listen((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const audience = url.searchParams.get('audience');
    requests.push({ audience, authorization: req.headers.authorization });
    if (req.headers.authorization !== 'Bearer request-token') {
      res.statusCode = 401;
      res.end('{"message":"bad request token"}');
      return;
    }
    const token = fakeJwt({
      iss: 'https://token.actions.githubusercontent.com',
      sub: 'repo:acme/app:ref:refs/heads/main',
      aud: audience ?? 'sts.amazonaws.com',
      repository: 'acme/app',
      ref: 'refs/heads/main',
      job_workflow_ref: 'acme/app/.github/workflows/deploy.yml@refs/heads/main',
      iat: Math.floor(Date.now() / 1000),
      exp: Math.floor(Date.now() / 1000) + 300,
      ...claims,
    });
    tokens.push(token);
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ value: token }));
  });
  return Object.assign(server, { requests, tokens });
}
