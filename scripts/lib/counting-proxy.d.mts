import type { Fidelity, Scenario } from './fidelity/index.mjs';

export interface CountingProxy {
  url: string;
  /** The fidelity layer underneath (its request log, scenario and fault counts). */
  fidelity: Fidelity;
  /** Every AWS operation that passed, e.g. "CreateChangeSet", in order. */
  readonly operations: string[];
  /** performance.now() of each request's arrival, parallel to operations. */
  readonly timestamps: number[];
  count(operation?: string): number;
  reset(): void;
  close(): Promise<void>;
}
export { operationOf } from './fidelity/index.mjs';
export function startCountingProxy(upstream: string, scenario?: Scenario): Promise<CountingProxy>;
