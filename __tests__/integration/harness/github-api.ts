import { listen, type LoopbackServer } from './http.js';

export interface FakeComment {
  id: number;
  body: string;
  user: { login: string; type: string };
}

export interface GithubApi extends LoopbackServer {
  /** Comments per issue number. */
  comments: Map<number, FakeComment[]>;
  requests: { method: string; path: string; body: string }[];
  /** Answer every request with 403 "Resource not accessible by integration". */
  forbid: boolean;
}

/**
 * A loopback GitHub REST API (GITHUB_API_URL) for issue comments: list (paginated, with Link headers),
 * create and update. Enough for the sticky comment; it records every request.
 */
export async function startGithubApi(): Promise<GithubApi> {
  const comments = new Map<number, FakeComment[]>();
  const requests: GithubApi['requests'] = [];
  let nextId = 1000;
  const api: GithubApi = Object.assign(
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
        const slice = all.slice((page - 1) * perPage, page * perPage);
        if (page * perPage < all.length) {
          const next = new URL(url.href);
          next.searchParams.set('page', String(page + 1));
          res.setHeader('link', `<${api.url}${next.pathname}${next.search}>; rel="next"`);
        }
        res.end(JSON.stringify(slice));
        return;
      }
      if (list && req.method === 'POST') {
        const comment = {
          id: nextId++,
          body: (JSON.parse(body) as { body: string }).body,
          user: { login: 'github-actions[bot]', type: 'Bot' },
        };
        comments.set(Number(list[1]), [...(comments.get(Number(list[1])) ?? []), comment]);
        res.statusCode = 201;
        res.end(JSON.stringify(comment));
        return;
      }
      if (one && req.method === 'PATCH') {
        const id = Number(one[1]);
        for (const thread of comments.values()) {
          const found = thread.find((c) => c.id === id);
          if (found) {
            found.body = (JSON.parse(body) as { body: string }).body;
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
