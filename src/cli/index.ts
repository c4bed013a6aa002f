#!/usr/bin/env node
/**
 * The CLI entry: `multi-account-deploy COMMAND [flags]` from an application repository, with the AWS
 * credentials of the environment or a profile. Commands live in main.ts.
 */
import { main } from './main.js';

/** The action inputs that mean something here (role-arn, github-token and comment belong to GitHub). */
export const CLI_INPUTS = [
  'region',
  'audience',
  'role-session-name',
  'role-duration-seconds',
  'stack-name',
  'template',
  'parameters',
  'parameter-overrides',
  'tags',
  'capabilities',
  'execution-role-arn',
  'template-bucket',
  'mode',
  'change-set-name',
  'keep-change-set',
  'allow-destructive',
  'allow-broadening',
  'on-create-failure',
  'termination-protection',
  'timeout-minutes',
  'environment',
  'ecr-repositories',
  'ecr-lifecycle-policy',
  'permissions',
  'deploy-role',
  'export-credentials',
  'drift',
];

process.exitCode = await main(process.argv.slice(2), CLI_INPUTS, {
  env: process.env,
  cwd: process.cwd(),
  stdout: process.stdout,
  stderr: process.stderr,
});
