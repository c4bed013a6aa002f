#!/usr/bin/env node
// The ONE place the reusable workflow's change-set names are made. IAM tells the roles apart by these prefixes
// (condition key cloudformation:ChangeSetName in templates/bootstrap.yaml): the pull-request plan role may create
// and delete only `mad-pr-*` change sets, the release planner only `mad-release-*`, and the deploy role executes
// only `mad-release-*`. Change them here and there together.
//
//   change-set-names.mjs --run RUN_ID --attempt N [--pull-request NUMBER]
//       → outputs `pull-request` (mad-pr-<number>-<run>-<attempt>, on a pull request) and
//         `release` (mad-release-<run>-<attempt>)
import { appendFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

export const PULL_REQUEST_PREFIX = 'mad-pr-';
export const RELEASE_PREFIX = 'mad-release-';

const NUMBER = /^[1-9][0-9]{0,19}$/;

function number(what, value) {
  if (!NUMBER.test(String(value ?? '')))
    throw new Error(`${what} is "${value ?? ''}": expected a positive whole number.`);
  return String(value);
}

/** The name of a pull request's plan change sets (deleted after the plan). */
export function pullRequestName(pullRequest, run, attempt) {
  return `${PULL_REQUEST_PREFIX}${number('pull request', pullRequest)}-${number('run id', run)}-${number('run attempt', attempt)}`;
}

/** The name of the release change set kept in every prod region for approval. */
export function releaseName(run, attempt) {
  return `${RELEASE_PREFIX}${number('run id', run)}-${number('run attempt', attempt)}`;
}

/** Which of the two kinds a change-set name or ARN is (an ARN carries the name after `changeSet/`). */
export function kindOf(nameOrArn) {
  const name = /:changeSet\/([^/]+)\//.exec(nameOrArn ?? '')?.[1] ?? nameOrArn ?? '';
  if (name.startsWith(RELEASE_PREFIX)) return 'release';
  if (name.startsWith(PULL_REQUEST_PREFIX)) return 'pull-request';
  return 'other';
}

function main(argv) {
  const options = {};
  for (let i = 0; i < argv.length; i += 2) options[argv[i].replace(/^--/, '')] = argv[i + 1];
  const lines = [`release=${releaseName(options.run, options.attempt)}`];
  if (options['pull-request'])
    lines.push(`pull-request=${pullRequestName(options['pull-request'], options.run, options.attempt)}`);
  const text = `${lines.join('\n')}\n`;
  process.stdout.write(text);
  if (process.env.GITHUB_OUTPUT) appendFileSync(process.env.GITHUB_OUTPUT, text);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  try {
    main(process.argv.slice(2));
  } catch (error) {
    console.log(`::error title=Change-set name::${error.message}`);
    process.exit(1);
  }
}
