// The value parsers of config: each names the input it reads and says what it expected (InputError).
import { InputError } from '../errors.js';
import type {
  Capability,
  CommentMode,
  DriftMode,
  Mode,
  OnCreateFailure,
  PermissionsMode,
} from './settings.js';

export const MODES: readonly Mode[] = ['plan', 'deploy', 'execute'];
export const PERMISSIONS: readonly PermissionsMode[] = ['verify', 'enforce', 'apply', 'off'];
export const COMMENT: readonly CommentMode[] = ['auto', 'always', 'never'];
export const ON_CREATE_FAILURE: readonly OnCreateFailure[] = ['delete', 'rollback', 'do-nothing'];
export const DRIFT: readonly DriftMode[] = ['report', 'fail', 'revert', 'off'];
export const CAPABILITIES: readonly Capability[] = [
  'CAPABILITY_IAM',
  'CAPABILITY_NAMED_IAM',
  'CAPABILITY_AUTO_EXPAND',
];

export const ROLE_ARN = /^arn:aws(-[a-z]+)*:iam::\d{12}:role\/([\w+=,.@-]+\/)*[\w+=,.@-]{1,64}$/;
export const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
export const REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$/;
export const STACK_NAME = /^[A-Za-z][A-Za-z0-9-]{0,127}$/;
export const CHANGE_SET_NAME = /^[A-Za-z][A-Za-z0-9-]{0,127}$/;
export const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;
/** A logical ID, or the path of one inside nested stacks (Parent/Child/LogicalId). */
export const LOGICAL_ID = /^[A-Za-z0-9]{1,255}(\/[A-Za-z0-9]{1,255}){0,20}$/;
export const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
export const ECR_PATTERN = /^[a-z0-9*?][a-z0-9._/*?-]{0,255}$/;
export const ENVIRONMENT = /^[\w.-]{1,64}$/;

export function keyValueLines(name: string, raw: string): [string, string][] {
  return lines(raw).map((line) => {
    const at = line.indexOf('=');
    const key = at > 0 ? line.slice(0, at).trim() : '';
    if (!key) throw new InputError(name, line, 'lines of Key=Value', 'Write one Key=Value per line.');
    return [key, line.slice(at + 1).trim()];
  });
}

export function lines(raw: string): string[] {
  return raw
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}

export function capabilities(raw: string): Capability[] {
  return raw
    .split(/[\s,]+/)
    .filter(Boolean)
    .map((c) => oneOf('capabilities', c, CAPABILITIES));
}

export function templateBucket(raw: string): { bucket: string; prefix: string } {
  const [bucket = '', ...rest] = raw.replace(/^s3:\/\//, '').split('/');
  matching('template-bucket', raw, BUCKET, 'an S3 bucket name, optionally followed by /key-prefix', bucket);
  const prefix = rest.filter(Boolean).join('/');
  return { bucket, prefix: prefix ? `${prefix}/` : '' };
}

/** `allow-destructive` / `allow-broadening`: true, false, or logical IDs (one per line or comma-separated). */
export function allowList(name: string, raw: string): boolean | string[] {
  const value = raw.trim();
  if (value === '' || /^false$/i.test(value)) return false;
  if (/^true$/i.test(value)) return true;
  // A logical ID may be any word, but these are a boolean meant otherwise: say so rather than guess.
  if (/^(yes|no|on|off|y|n|1|0)$/i.test(value)) {
    throw new InputError(
      name,
      value,
      'true, false, or logical IDs of resources (one per line)',
      `Write true or false; "${value}" would otherwise be read as the logical ID of a resource.`,
    );
  }
  return lines(raw)
    .flatMap((l) => l.split(/[\s,]+/).filter(Boolean))
    .map((id) => matching(name, id, LOGICAL_ID, 'true, false, or logical IDs of resources (one per line)'));
}

export function region(value: string): string {
  if (!value) {
    throw new InputError(
      'region',
      '',
      'an AWS region such as eu-west-1',
      "Set the 'region' input or AWS_REGION.",
    );
  }
  return matching('region', value, REGION, 'an AWS region such as eu-west-1 or us-gov-west-1');
}

export function roleArn(name: string, value: string): string {
  return matching(name, value, ROLE_ARN, 'an IAM role ARN such as arn:aws:iam::111111111111:role/deploy');
}

export function matching(
  name: string,
  value: string,
  pattern: RegExp,
  expected: string,
  tested = value,
): string {
  if (!pattern.test(tested)) throw new InputError(name, value, expected);
  return value;
}

export function oneOf<T extends string>(name: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw new InputError(name, value, `one of ${allowed.join(', ')}`);
  }
  return value as T;
}

export function boolean(name: string, value: string): boolean {
  if (/^true$/i.test(value)) return true;
  if (/^false$/i.test(value)) return false;
  throw new InputError(name, value, 'true or false');
}

export function integer(name: string, value: string, min: number, max: number): number {
  const n = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new InputError(name, value, `a whole number from ${min} to ${max}`);
  }
  return n;
}

export function optional<T>(value: string, parse: (value: string) => T): T | undefined {
  return value === '' ? undefined : parse(value);
}
