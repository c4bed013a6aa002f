/**
 * Errors in the terms of someone at a terminal: flags instead of action inputs, profiles, how to refresh
 * credentials. The engine's messages speak of inputs (`'template'`, `mode: execute`); here they become flags.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { InputError, UserError, awsErrorName, describeError, errorMessage } from '../errors.js';
import { REGIONS, closestRegion } from './regions.js';

/** Rewrites input names into flags: `Input 'mode' is` → `--mode is`, `'template'` → `--template`, `mode: execute` → `--mode execute`. */
export function inCallerTerms(text: string, inputs: readonly string[], workspace: string): string {
  const names = [...inputs, 'role-arn', 'github-token'].sort((a, b) => b.length - a.length).join('|');
  return text
    .replace(new RegExp(`Input '(${names})' is`, 'g'), '--$1 is')
    .replace(new RegExp(`\`(${names}): ([^\`]+)\``, 'g'), '--$1 $2')
    .replace(new RegExp(`\\b(with|and|set|use) (${names}): (\\S+?)([.,;)]?)(?=\\s|$)`, 'g'), '$1 --$2 $3$4')
    .replace(new RegExp(`'(${names})'`, 'g'), '--$1')
    .replace(new RegExp(`\\b([Ss]et|[Uu]se) (${names}) to\\b`, 'g'), '$1 --$2 to')
    .replace(
      /Check the path and that the repository is checked out \(actions\/checkout\) before this step\./,
      `Paths are relative to the workspace ${workspace} (the current directory, or --workspace).`,
    );
}

/** The text of any error for the terminal. */
export function describeForTerminal(error: unknown, inputs: readonly string[], workspace: string): string {
  return inCallerTerms(describeError(error), inputs, workspace);
}

/** --region or AWS_REGION: a known region, refused before any AWS call otherwise. */
export function checkRegion(region: string, source: string): string {
  if (!region)
    throw new UserError(
      'The region is missing: pass --region (e.g. --region eu-west-1) or set AWS_REGION.',
      'The region is where the stack lives; nothing was called.',
    );
  if (REGIONS.includes(region)) return region;
  const near = closestRegion(region);
  throw new InputError(
    source,
    region,
    'an AWS region such as eu-west-1',
    near ? `Did you mean ${near}? Nothing was called.` : 'Nothing was called.',
  );
}

/** --profile NAME must exist in the AWS config or credentials file before the SDK tries it. */
export function checkProfile(profile: string, env: NodeJS.ProcessEnv): void {
  const home = env.HOME || homedir();
  const config = env.AWS_CONFIG_FILE || join(home, '.aws', 'config');
  const credentials = env.AWS_SHARED_CREDENTIALS_FILE || join(home, '.aws', 'credentials');
  const has = (file: string, header: RegExp): boolean =>
    existsSync(file) && header.test(readFileSync(file, 'utf8'));
  const escaped = profile.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  if (
    has(config, new RegExp(`^\\s*\\[\\s*(profile\\s+)?${escaped}\\s*\\]`, 'm')) ||
    has(credentials, new RegExp(`^\\s*\\[\\s*${escaped}\\s*\\]`, 'm'))
  )
    return;
  throw new UserError(
    `--profile ${profile}: no such profile in ${tilde(config, home)}${existsSync(credentials) ? ` or ${tilde(credentials, home)}` : ''}.`,
    `Create it with: aws configure sso --profile ${profile} (or aws configure --profile ${profile}), or pass the name of an existing profile.`,
  );
}

function tilde(path: string, home: string): string {
  return path.startsWith(home) ? `~${path.slice(home.length)}` : path;
}

const EXPIRED = new Set(['ExpiredToken', 'ExpiredTokenException', 'RequestExpired', 'TokenRefreshRequired']);
const INVALID = new Set(['InvalidClientTokenId', 'UnrecognizedClientException', 'SignatureDoesNotMatch']);

/** Turns a credentials failure of the caller's own identity into how to refresh it; undefined for any other error. */
export function credentialsProblem(error: unknown, profile: string | undefined): UserError | undefined {
  const name = awsErrorName(error);
  const message = errorMessage(error);
  const refresh = profile
    ? `Refresh them: aws sso login --profile ${profile} (or, for access keys, aws configure --profile ${profile}), then run again.`
    : 'Refresh them (aws sso login --profile NAME and pass --profile NAME, or export fresh AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN), then run again.';
  const whose = profile ? `of profile ${profile}` : 'in the environment';
  if (EXPIRED.has(name) || /expired|sso session/i.test(message))
    return new UserError(`The AWS credentials ${whose} have expired (${message}).`, refresh);
  if (INVALID.has(name))
    return new UserError(`The AWS credentials ${whose} are not valid (${name}: ${message}).`, refresh);
  if (name === 'CredentialsProviderError' || /could not load credentials|credential/i.test(message))
    return new UserError(
      `No AWS credentials ${whose}: ${message}`,
      profile
        ? refresh
        : 'Pass --profile NAME (a profile in ~/.aws/config), or export AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY.',
    );
  return undefined;
}
