// Seeded faults, globally or per operation (issue 15's fault suite):
//   faults: { seed: 7, throttle: 0.3, serverError: 0.2, reset: 0.1, lost: 0.05, slow: 0.1, slowMs: 1500,
//             limit: 50, operations: { ExecuteChangeSet: { lost: 1, limit: 1 } } }
// Per request one draw of the seeded sequence picks at most one fault (rates add up; their sum ≤ 1):
// - throttle: HTTP 400 Throttling "Rate exceeded" (query) / ThrottlingException (JSON) — the SDK retries it.
//   AWS: each API reference's Common Errors, "ThrottlingException: The request was denied due to request
//   throttling." (docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/CommonErrors.html).
// - serverError: HTTP 500 InternalFailure or 503 ServiceUnavailable (same page), alternating by the draw.
// - reset: the connection is destroyed before anything is forwarded (AWS did nothing).
// - lost: forwarded, moto acts, then the connection is destroyed without an answer (AWS acted, the client
//   cannot know) — "Retry behavior", docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html.
// - slow: the answer is held for slowMs (default 2000) before it is sent.
// `limit` caps the injections (overall, or of one operation). fid.injected counts them by kind and operation.
import { sleep } from './latency.mjs';

/** mulberry32: a small seeded generator, so a failing fault run can be replayed with its seed. */
function generator(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const KINDS = ['throttle', 'serverError', 'reset', 'lost', 'slow'];

function pick(ctx, faults) {
  // A new faults entry (each fid.scenario() call makes one) restarts the sequence and the limits.
  const state = ctx.global('faults', () => ({ faults: undefined }));
  if (state.faults !== faults) {
    Object.assign(state, { faults, next: generator(Number(faults.seed ?? 1)), total: 0, byOp: {} });
  }
  const own = faults.operations?.[ctx.operation];
  // An operation's own entry replaces the global rates (an entry { lost: 1 } means: only lost answers).
  const rates = own ? { ...Object.fromEntries(KINDS.map((k) => [k, 0])), ...own } : faults;
  const used = state.byOp[ctx.operation] ?? 0;
  if (faults.limit !== undefined && state.total >= faults.limit) return undefined;
  if (own?.limit !== undefined && used >= own.limit) return undefined;
  const draw = state.next();
  let edge = 0;
  for (const kind of KINDS) {
    edge += Number(rates[kind] ?? 0);
    if (draw < edge) {
      state.total++;
      state.byOp[ctx.operation] = used + 1;
      return { kind, draw, slowMs: Number(rates.slowMs ?? faults.slowMs ?? 2000) };
    }
  }
  return undefined;
}

export default {
  name: 'faults',
  reference: 'docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/CommonErrors.html',
  async handle(ctx, next) {
    const faults = ctx.scenario.faults;
    if (!faults || ctx.request.protocol === 'rest') return next();
    const fault = pick(ctx, faults);
    if (!fault) return next();
    ctx.inject(fault.kind);
    const json = ctx.request.protocol === 'json';
    switch (fault.kind) {
      case 'throttle':
        return ctx.error(400, json ? 'ThrottlingException' : 'Throttling', 'Rate exceeded');
      case 'serverError':
        return Math.floor(fault.draw * 1e6) % 2 === 0
          ? ctx.error(
              500,
              json ? 'ServerException' : 'InternalFailure',
              'We encountered an internal error. Please try again.',
            )
          : ctx.error(503, 'ServiceUnavailable', 'Service is unavailable. Please try again later.');
      case 'reset':
        return { drop: true };
      case 'lost':
        await next();
        return { drop: true };
      case 'slow': {
        const response = await next();
        await sleep(fault.slowMs);
        return response;
      }
      default:
        return next();
    }
  },
};
