/** An error the user can fix: the message says what is wrong, the hint what to do about it. */
export class UserError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'UserError';
  }
}

/** A bad input value, caught before any AWS call. Names the input, quotes the value, says what is expected. */
export class InputError extends UserError {
  constructor(
    readonly input: string,
    value: string,
    expected: string,
    hint?: string,
  ) {
    super(`Input '${input}' is ${value === '' ? 'empty' : quoted(value)}: expected ${expected}.`, hint);
    this.name = 'InputError';
  }
}

/** Names whose values are secrets by convention (the report's masker uses the same idea for output). */
const SECRET_KEY = /pass(word|wd|phrase)|secret|token|private.?key|credential|api.?key|access.?key/i;
/** Values that look like credentials whatever their name: AWS access keys, JWTs, PEM keys, long random strings. */
const SECRET_VALUE =
  /(?:A3T[A-Z0-9]|AKIA|ASIA)[A-Z0-9]{16}|eyJ[\w-]{10,}\.[\w-]{10,}|-----BEGIN|ghp_\w{20,}|^(?=.*\d)(?=.*[a-z])(?=.*[A-Z])[\w+/=-]{32,}$/;

/** A value quoted for an error message, unless it looks like a secret (then only its length is told). */
export function quoted(value: string): string {
  // "DbPassword=…", "DbPassword …", "token: …": a secret's name followed by something, maybe its value.
  const [name = '', ...rest] = value.split(/[=\s:]+/);
  const secret = SECRET_VALUE.test(value) || (SECRET_KEY.test(name) && rest.join('') !== '');
  return secret ? `a value of ${value.length} characters that looks like a secret (not shown)` : `"${value}"`;
}

/** The AWS error name (SDK v3 sets `name`; some paths only set `Code`). */
export function awsErrorName(error: unknown): string {
  if (typeof error !== 'object' || error === null) return '';
  const e = error as { name?: unknown; Code?: unknown; code?: unknown };
  return String(e.name ?? e.Code ?? e.code ?? '');
}

/** The names AWS services use for "slow down". */
const THROTTLING = new Set([
  'Throttling',
  'ThrottlingException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
]);

export function isThrottling(error: unknown): boolean {
  return THROTTLING.has(awsErrorName(error));
}

/** CloudFormation's answer for a change set that does not exist (the SDK names it either way). */
export function isChangeSetNotFound(error: unknown): boolean {
  const name = awsErrorName(error);
  return name === 'ChangeSetNotFoundException' || name === 'ChangeSetNotFound';
}

/**
 * The text of any error. A transient failure that outlived the retries names its operation and attempts; an
 * endpoint that answers with something other than an AWS error (an HTML 500 page, a proxy) makes the SDK report
 * a parse error, and the status says more than the parser's complaint.
 */
export function errorMessage(error: unknown): string {
  return transientMessage(error) ?? rawMessage(error);
}

/** The text a user sees for any failure: message, then the hint on its own line. */
export function describeError(error: unknown): string {
  const { message, hint } = failureOf(error);
  return hint ? `${message}\n${hint}` : message;
}

/** The run was cancelled (the runner's SIGINT/SIGTERM, or Ctrl-C). What is true about the stack is said by the engine. */
export class CancelledError extends UserError {
  constructor(
    readonly signal: string,
    message = `Cancelled (${signal}) before any change.`,
    hint?: string,
  ) {
    super(message, hint);
    this.name = 'CancelledError';
  }
}

/** The AWS call a failure came from, recorded by the clients (src/aws/clients.ts) after the SDK's retries. */
export interface OperationTrace {
  service: string;
  operation: string;
  /** Requests sent, retries included (the SDK's $metadata.attempts, or the caller's own loop). */
  attempts?: number;
  elapsedMs: number;
}

const TRACE = Symbol.for('multi-account-deploy.operation');

/** Marks an error with the call it came from; the innermost mark (the first) wins, attempts may be added later. */
export function recordOperation(error: unknown, trace: OperationTrace): void {
  if (typeof error !== 'object' || error === null) return;
  const e = error as { [TRACE]?: OperationTrace; $metadata?: { attempts?: number } };
  const attempts = trace.attempts ?? e.$metadata?.attempts ?? e[TRACE]?.attempts;
  e[TRACE] = { ...e[TRACE], ...trace, attempts };
}

export function operationOf(error: unknown): OperationTrace | undefined {
  return typeof error === 'object' && error !== null
    ? (error as { [TRACE]?: OperationTrace })[TRACE]
    : undefined;
}

const NETWORK = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND']);
const TRANSIENT_NAMES = new Set([
  'InternalFailure',
  'InternalError',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'ServerException',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'IDPCommunicationError',
]);

/** What kind of transient failure this is (worth a re-run, not a fix), or undefined. */
export function transientKind(error: unknown): 'throttled' | 'server' | 'network' | undefined {
  if (error instanceof UserError || typeof error !== 'object' || error === null) return undefined;
  if (isThrottling(error)) return 'throttled';
  const e = error as { code?: unknown; $metadata?: { httpStatusCode?: number } };
  const name = awsErrorName(error);
  if (NETWORK.has(name) || (typeof e.code === 'string' && NETWORK.has(e.code))) return 'network';
  if (/socket hang up|ECONNRESET/.test(errorText(error))) return 'network';
  const status = e.$metadata?.httpStatusCode;
  if (TRANSIENT_NAMES.has(name) || (typeof status === 'number' && status >= 500)) return 'server';
  return undefined;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/**
 * The one translation of a call that failed for a transient reason after every retry: which operation, how
 * often, over how long, and AWS's own words — "STS AssumeRoleWithWebIdentity was throttled 6 times over 9.6 s:
 * Rate exceeded; re-run the job".
 */
function transientMessage(error: unknown): string | undefined {
  const kind = transientKind(error);
  const trace = operationOf(error);
  // Only a call the SDK (or our own loop) retried: a single best-effort attempt keeps AWS's own words.
  if (!kind || !trace || (trace.attempts ?? 0) < 2) return undefined;
  const call = `${trace.service} ${trace.operation}`;
  const times = trace.attempts ? `${trace.attempts} time${trace.attempts === 1 ? '' : 's'}` : 'repeatedly';
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  const cause = rawMessage(error) || awsErrorName(error) || 'no message';
  const what =
    kind === 'throttled'
      ? `was throttled ${times}`
      : kind === 'server'
        ? `failed ${times} with ${status ? `HTTP ${status} ` : ''}${/^(Error|Unknown)?$/.test(awsErrorName(error)) ? 'a server error' : awsErrorName(error)}`
        : `lost its connection ${times}`;
  return `${call} ${what} over ${seconds(trace.elapsedMs)}: ${cause}; re-run the job`;
}

function rawMessage(error: unknown): string {
  const message = errorText(error);
  if (/Deserialization error|XML parse error|Unexpected token/.test(message)) {
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    return `the endpoint answered${status ? ` HTTP ${status}` : ''} without an AWS error message`;
  }
  return message;
}

/** What a failed run reports: the message and what to do. */
export function failureOf(error: unknown): { message: string; hint?: string } {
  const transient = transientMessage(error);
  if (transient) {
    return {
      message: transient,
      hint: 'AWS did not answer in time after every retry; nothing is wrong with the inputs. Re-run the job: a run waits for anything the last one left in progress.',
    };
  }
  return { message: errorMessage(error), hint: error instanceof UserError ? error.hint : undefined };
}
