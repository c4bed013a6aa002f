// The fidelity layer: one loopback HTTP proxy in front of moto that answers as AWS documents where moto does not,
// driven by scenario data (tests and benchmarks give it; absent = pure pass-through). Every request is logged,
// decoded. Each behaviour is a module under behaviours/ that cites the AWS API reference it follows; they run as
// a chain (each may answer itself, or call next() to go on towards moto and rewrite what comes back).
import { createServer, request as httpRequest } from 'node:http';
import { accountBook } from './accounts.mjs';
import { BEHAVIOURS } from './behaviours/index.mjs';
import {
  answer,
  decodeRequest,
  encodeQuery,
  errorFor,
  jsonResult,
  queryResult,
  queryResultOf,
} from './wire.mjs';

const QUERY_VERSIONS = { cloudformation: '2010-05-15', iam: '2010-05-08', sts: '2011-06-15' };

/**
 * Starts the proxy on 127.0.0.1:0. Options: upstream (moto's endpoint), scenario (data, see README.md).
 * Resolves to { url, requests, calls(op), scenario(patch, {replace}), injected, reset(), close() }.
 */
export async function startFidelity({ upstream, scenario = {} }) {
  const target = new URL(upstream);
  const accounts = accountBook(upstream);
  const requests = [];
  const store = new Map();
  const injected = { total: 0, byKind: {}, byOperation: {} };
  let current = globalThis.structuredClone(scenario);

  const forward = (req, body) =>
    new Promise((resolve, reject) => {
      const up = httpRequest(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
        (res) => {
          const chunks = [];
          res.on('data', (c) => chunks.push(c));
          res.on('end', () => resolve(answer(res.statusCode ?? 502, res.headers, Buffer.concat(chunks))));
          res.on('error', reject);
        },
      );
      up.on('error', reject);
      up.end(body);
    });

  async function handle(req, res, body) {
    const arrived = { at: Date.now(), t: performance.now() };
    const text = body.toString('utf8');
    const decoded = decodeRequest(req.method ?? 'GET', req.url ?? '/', req.headers, text);
    const request = { ...decoded, method: req.method, path: req.url, headers: req.headers, body: text };
    request.contentType = String(req.headers['content-type'] ?? 'application/x-amz-json-1.1');
    const account = await accounts.of(req.headers, request.accessKey);
    const entry = {
      service: request.service,
      operation: request.operation,
      params: request.params,
      account,
      region: request.region,
      ...arrived,
      status: undefined,
      injected: undefined,
    };
    requests.push(entry);
    const ctx = makeContext({ request, account, entry, body });
    let response;
    try {
      response = await run(ctx, 0);
    } catch (error) {
      response = answer(502, { 'content-type': 'text/plain' }, `fidelity proxy: ${error?.stack ?? error}`);
    }
    if (response.drop) {
      entry.status = 'dropped';
      req.socket.destroy();
      return;
    }
    entry.status = response.status;
    const headers = { ...response.headers };
    delete headers['transfer-encoding'];
    headers['content-length'] = String(response.body.length);
    res.writeHead(response.status, headers);
    res.end(response.body);
  }

  /** Runs behaviour i, whose next() is behaviour i+1; past the last one, moto answers. */
  async function run(ctx, i) {
    const behaviour = BEHAVIOURS[i];
    if (!behaviour) {
      const response = await forward(ctx.raw, ctx.rawBody);
      accounts.learn(ctx.request, response);
      return response;
    }
    return behaviour.handle(ctx, () => run(ctx, i + 1));
  }

  function makeContext({ request, account, entry, body }) {
    const region = request.region || 'us-east-1';
    return {
      request,
      params: request.params,
      operation: request.operation,
      service: request.service,
      account,
      region,
      raw: { method: request.method, url: request.path, headers: request.headers },
      rawBody: body, // the bytes as sent (an S3 upload need not be text)
      get scenario() {
        return current;
      },
      /** State of one behaviour in this account and region (created empty on first use). */
      state(name, init = () => ({})) {
        const key = `${account}/${region}/${name}`;
        if (!store.has(key)) store.set(key, init());
        return store.get(key);
      },
      /** State shared by all accounts and regions (e.g. the fault injector's random sequence). */
      global(name, init = () => ({})) {
        const key = `*/${name}`;
        if (!store.has(key)) store.set(key, init());
        return store.get(key);
      },
      /** Forwards these query-protocol parameters instead of the client's (e.g. a change set's ARN for its name). */
      rewriteParams(params) {
        const body = Buffer.from(encodeQuery(request.operation, params, QUERY_VERSIONS[request.service]));
        this.rawBody = body;
        this.raw = { ...this.raw, headers: { ...this.raw.headers, 'content-length': String(body.length) } };
      },
      /** A successful answer in this request's protocol. */
      result(data) {
        return request.protocol === 'json'
          ? jsonResult(data, request.contentType)
          : queryResult(request.service, request.operation, data);
      },
      error(status, code, message) {
        return errorFor(request, status, code, message);
      },
      /** Records a fault this behaviour injected (for assertions: fid.injected). */
      inject(kind) {
        entry.injected = kind;
        injected.total++;
        injected.byKind[kind] = (injected.byKind[kind] ?? 0) + 1;
        const op = (injected.byOperation[request.operation] ??= {});
        op[kind] = (op[kind] ?? 0) + 1;
      },
      /** Calls moto itself with this request's credentials (query protocol): { status, body, result }. */
      async upstream(operation, params, service = request.service) {
        const body = encodeQuery(operation, params, QUERY_VERSIONS[service]);
        const headers = {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: withService(String(request.headers.authorization ?? ''), service),
          ...(request.headers['x-moto-account-id']
            ? { 'x-moto-account-id': request.headers['x-moto-account-id'] }
            : {}),
        };
        const response = await forward({ method: 'POST', url: '/', headers }, body);
        return { ...response, result: response.status < 300 ? queryResultOf(response.body) : {} };
      },
      /** GETs a path of moto itself (e.g. an S3 object) with this request's credentials. */
      async upstreamGet(path, service = 's3') {
        const headers = { authorization: withService(String(request.headers.authorization ?? ''), service) };
        return forward({ method: 'GET', url: path, headers }, Buffer.alloc(0));
      },
    };
  }

  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => void handle(req, res, Buffer.concat(chunks)));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    calls: (operation) => requests.filter((r) => r.operation === operation),
    get injected() {
      return injected;
    },
    /** Merges a patch into the scenario (top-level keys), or replaces it with { replace: true }. */
    scenario(patch, { replace = false } = {}) {
      current = replace
        ? globalThis.structuredClone(patch)
        : { ...current, ...globalThis.structuredClone(patch) };
      return current;
    },
    /** Forgets the log, the injected counts and all scripted state (moto's own reset is resetMoto). */
    reset() {
      requests.length = 0;
      store.clear();
      injected.total = 0;
      injected.byKind = {};
      injected.byOperation = {};
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The Authorization header with another service in its credential scope (moto routes requests by it). */
function withService(authorization, service) {
  return authorization.replace(/(Credential=[^/]+\/\d{8}\/[^/]+\/)[^/]+\//, `$1${service}/`);
}

/** The AWS operation of a request: the JSON protocol's X-Amz-Target, the query protocol's Action, else METHOD path. */
export function operationOf(method, headers, body, path) {
  return decodeRequest(method, path, headers, body).operation;
}
