// Loopback stand-ins for what a GitHub runner talks to: the OIDC token endpoint and the REST API's issue
// comments. Used by the integration tests and the demo; every server listens on 127.0.0.1 only.
import { createServer } from 'node:http';

/** An HTTP server on a free 127.0.0.1 port; the handler gets the whole body. */
export async function listen(handler) {
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      Promise.resolve(handler(req, res, Buffer.concat(chunks).toString('utf8'))).catch((error) => {
        res.statusCode = 500;
        res.end(String(error));
      });
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    server,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const b64url = (value) =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

/** A GitHub-like ID token (unsigned: the emulator accepts any web identity token). */
export function fakeJwt(claims) {
  return `${b64url({ alg: 'RS256', typ: 'JWT', kid: 'test' })}.${b64url(claims)}.${b64url(`signature-${Math.random()}`)}`;
}

/** The token endpoint core.getIDToken calls (ACTIONS_ID_TOKEN_REQUEST_URL), counting requests. */
export async function startOidc(claims = {}) {
  const requests = [];
  const tokens = [];
  const server = await listen((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const audience = url.searchParams.get('audience');
    requests.push({ audience, authorization: req.headers.authorization });
    if (req.headers.authorization !== 'Bearer request-token') {
      res.statusCode = 401;
      res.end('{"message":"bad request token"}');
      return;
    }
    const now = Math.floor(Date.now() / 1000);
    const token = fakeJwt({
      iss: 'https://token.actions.githubusercontent.com',
      sub: 'repo:acme/app:ref:refs/heads/main',
      aud: audience ?? 'sts.amazonaws.com',
      repository: 'acme/app',
      ref: 'refs/heads/main',
      job_workflow_ref: 'acme/app/.github/workflows/deploy.yml@refs/heads/main',
      iat: now,
      exp: now + 300,
      ...claims,
    });
    tokens.push(token);
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ value: token }));
  });
  return Object.assign(server, { requests, tokens });
}

/**
 * The REST API's issue comments (GITHUB_API_URL): list (paginated with Link headers), create, update.
 * Records every request; `forbid = true` answers 403 "Resource not accessible by integration".
 */
export async function startGithubApi() {
  const comments = new Map();
  const requests = [];
  let nextId = 1000;
  const api = Object.assign(
    await listen((req, res, body) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      requests.push({ method: req.method ?? 'GET', path: url.pathname, body });
      res.setHeader('content-type', 'application/json');
      if (api.forbid) {
        res.statusCode = 403;
        res.end(
          JSON.stringify({
            message: 'Resource not accessible by integration',
            documentation_url: 'https://docs.github.com/rest',
          }),
        );
        return;
      }
      const list = /^\/repos\/[^/]+\/[^/]+\/issues\/(\d+)\/comments$/.exec(url.pathname);
      const one = /^\/repos\/[^/]+\/[^/]+\/issues\/comments\/(\d+)$/.exec(url.pathname);
      if (list && req.method === 'GET') {
        const all = comments.get(Number(list[1])) ?? [];
        const perPage = Number(url.searchParams.get('per_page') ?? 30);
        const page = Number(url.searchParams.get('page') ?? 1);
        if (page * perPage < all.length) {
          const next = new URL(url.href);
          next.searchParams.set('page', String(page + 1));
          res.setHeader('link', `<${api.url}${next.pathname}${next.search}>; rel="next"`);
        }
        res.end(JSON.stringify(all.slice((page - 1) * perPage, page * perPage)));
        return;
      }
      if (list && req.method === 'POST') {
        const comment = {
          id: nextId++,
          body: JSON.parse(body).body,
          user: { login: 'github-actions[bot]', type: 'Bot' },
        };
        comments.set(Number(list[1]), [...(comments.get(Number(list[1])) ?? []), comment]);
        res.statusCode = 201;
        res.end(JSON.stringify(comment));
        return;
      }
      if (one && req.method === 'PATCH') {
        for (const thread of comments.values()) {
          const found = thread.find((c) => c.id === Number(one[1]));
          if (found) {
            found.body = JSON.parse(body).body;
            res.end(JSON.stringify(found));
            return;
          }
        }
      }
      res.statusCode = 404;
      res.end(JSON.stringify({ message: 'Not Found' }));
    }),
    { comments, requests, forbid: false },
  );
  return api;
}
