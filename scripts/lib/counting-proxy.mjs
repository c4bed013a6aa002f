// A loopback HTTP proxy in front of an AWS endpoint (moto) that records each AWS operation passing through.
// Tests and benchmarks point AWS_ENDPOINT_URL at it to count requests.
import { createServer, request } from 'node:http';

/** The AWS operation of a request: the JSON protocol's X-Amz-Target, or the query protocol's Action. */
export function operationOf(method, headers, body, path) {
  const target = headers['x-amz-target'];
  if (typeof target === 'string') return target.split('.').pop() ?? target;
  const action =
    /(?:^|&)Action=([A-Za-z0-9]+)/.exec(body)?.[1] ?? /[?&]Action=([A-Za-z0-9]+)/.exec(path)?.[1];
  return action ?? `${method} ${path.split('?')[0]}`;
}

/** Starts the proxy on a free 127.0.0.1 port. Resolves to { url, operations, timestamps, count(op?), reset(), close() }. */
export async function startCountingProxy(upstream) {
  const target = new URL(upstream);
  const operations = [];
  const timestamps = [];
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      operations.push(operationOf(req.method, req.headers, body.toString('utf8'), req.url ?? ''));
      timestamps.push(performance.now());
      const forward = request(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      forward.on('error', (error) => {
        res.statusCode = 502;
        res.end(String(error));
      });
      forward.end(body);
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    operations,
    timestamps,
    count: (operation) => (operation ? operations.filter((o) => o === operation).length : operations.length),
    reset: () => {
      operations.length = 0;
      timestamps.length = 0;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
