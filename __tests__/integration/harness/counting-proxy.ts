import { request } from 'node:http';
import { listen, type LoopbackServer } from './http.js';

export interface CountingProxy extends LoopbackServer {
  /** Every AWS operation that passed, e.g. "CreateChangeSet", in order. */
  operations: string[];
  count(operation?: string): number;
  reset(): void;
}

/** The AWS operation of a request: the query protocol's Action, or the JSON protocol's X-Amz-Target. */
export function operationOf(
  headers: Record<string, string | string[] | undefined>,
  body: string,
  path: string,
): string {
  const target = headers['x-amz-target'];
  if (typeof target === 'string') return target.split('.').pop() ?? target;
  const action = /(?:^|&)Action=([A-Za-z]+)/.exec(body)?.[1];
  if (action) return action;
  return `${headers[':method'] ?? ''}${path}`;
}

/** A loopback proxy in front of moto that counts the AWS requests a process makes. */
export async function startCountingProxy(upstream: string): Promise<CountingProxy> {
  const operations: string[] = [];
  const target = new URL(upstream);
  const proxy = await listen(
    (req, res, body) =>
      new Promise<void>((resolve) => {
        operations.push(operationOf(req.headers, body, req.url ?? ''));
        const forward = request(
          {
            host: target.hostname,
            port: target.port,
            method: req.method,
            path: req.url,
            headers: req.headers,
          },
          (upstreamRes) => {
            res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
            upstreamRes.pipe(res);
            upstreamRes.on('end', resolve);
          },
        );
        forward.on('error', (error) => {
          res.statusCode = 502;
          res.end(String(error));
          resolve();
        });
        forward.end(body);
      }),
  );
  return Object.assign(proxy, {
    operations,
    count: (operation?: string) =>
      operation ? operations.filter((o) => o === operation).length : operations.length,
    reset: () => {
      operations.length = 0;
    },
  });
}
