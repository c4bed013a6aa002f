// The counting proxy of the earlier tests and benchmarks, now the fidelity layer with an empty scenario
// (one proxy, not two): it records each AWS operation passing through; AWS_ENDPOINT_URL points at it.
import { operationOf, startFidelity } from './fidelity/index.mjs';

export { operationOf };

/** Starts the proxy on a free 127.0.0.1 port. Resolves to { url, operations, timestamps, count(op?), reset(), close(), fidelity }. */
export async function startCountingProxy(upstream, scenario = {}) {
  const fidelity = await startFidelity({ upstream, scenario });
  return {
    url: fidelity.url,
    fidelity,
    get operations() {
      return fidelity.requests.map((r) => r.operation);
    },
    get timestamps() {
      return fidelity.requests.map((r) => r.t);
    },
    count: (operation) => (operation ? fidelity.calls(operation).length : fidelity.requests.length),
    reset: () => fidelity.reset(),
    close: () => fidelity.close(),
  };
}
