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
    super(`Input '${input}' is ${value === '' ? 'empty' : `"${value}"`}: expected ${expected}.`, hint);
    this.name = 'InputError';
  }
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

export function errorMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  // An endpoint that answers with something other than an AWS error (an HTML 500 page, a proxy) makes the
  // SDK report a parse error; the status says more than the parser's complaint.
  if (/Deserialization error|XML parse error|Unexpected token/.test(message)) {
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    return `the endpoint answered${status ? ` HTTP ${status}` : ''} without an AWS error message`;
  }
  return message;
}

/** The text a user sees for any failure: message, then the hint on its own line. */
export function describeError(error: unknown): string {
  const message = errorMessage(error);
  return error instanceof UserError && error.hint ? `${message}\n${error.hint}` : message;
}
