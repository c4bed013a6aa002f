export interface CountingProxy {
  url: string;
  /** Every AWS operation that passed, e.g. "CreateChangeSet", in order. */
  operations: string[];
  /** performance.now() of each request's arrival, parallel to operations. */
  timestamps: number[];
  count(operation?: string): number;
  reset(): void;
  close(): Promise<void>;
}
export function operationOf(
  method: string,
  headers: Record<string, string | string[] | undefined>,
  body: string,
  path: string,
): string;
export function startCountingProxy(upstream: string): Promise<CountingProxy>;
