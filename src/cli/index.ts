#!/usr/bin/env node
/**
 * The CLI: the same engine from a laptop, with the AWS credentials of the environment or profile.
 * Flags are the action's inputs: --stack-name my-app --template stack.yaml --mode plan ...
 */
import { clientFactory } from '../aws/clients.js';
import { cancellationSignal } from '../cancel.js';
import { parseSettings } from '../config/index.js';
import { deploy } from '../engine/deploy.js';
import { describeError } from '../errors.js';
import { consoleLogger } from '../logger.js';
import { provenanceFrom } from '../config/provenance.js';
import { renderMarkdown } from '../report/markdown.js';
import { maskedReport, secretValues } from '../report/mask.js';
import { VERSION } from '../version.js';

const USAGE = `multi-account-deploy ${VERSION}

Usage: multi-account-deploy --stack-name NAME --template FILE [--mode plan|deploy|execute] [options]

Every input of the action is a flag of the same name (e.g. --parameter-overrides 'Env=dev',
repeat a flag for several lines). role-arn is not used here: the credentials come from the
environment or --profile (AWS_PROFILE). Prints the report as markdown on stdout.
  --profile NAME   the AWS profile to use
  --json           print the report as JSON instead of markdown
  --verbose        print debug lines`;

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

export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const flags = new Map<string, string[]>();
  const switches = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--help' || arg === '-h') {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    if (arg === '--json' || arg === '--verbose') {
      switches.add(arg.slice(2));
      continue;
    }
    const m = /^--([a-z][a-z0-9-]*)(?:=(.*))?$/.exec(arg);
    if (!m?.[1] || (m[1] !== 'profile' && m[1] !== 'role-arn' && !CLI_INPUTS.includes(m[1]))) {
      process.stderr.write(`Unknown argument "${arg}".\n\n${USAGE}\n`);
      return 2;
    }
    const value = m[2] ?? argv[++i];
    if (value === undefined) {
      process.stderr.write(`Flag --${m[1]} needs a value.\n`);
      return 2;
    }
    flags.set(m[1], [...(flags.get(m[1]) ?? []), value]);
  }
  if (flags.has('profile')) env.AWS_PROFILE = flags.get('profile')?.[0];
  if (flags.has('role-arn')) {
    process.stderr.write(
      '--role-arn is for GitHub OIDC; use --profile with a profile that assumes the role.\n',
    );
    return 2;
  }
  const logger = consoleLogger({ verbose: switches.has('verbose') });
  try {
    const settings = parseSettings((name) => (flags.get(name) ?? []).join('\n'), {
      workspace: process.cwd(),
      defaultRegion: env.AWS_REGION || env.AWS_DEFAULT_REGION,
      provenance: provenanceFrom(env),
    });
    const signal = cancellationSignal();
    const { report } = await deploy(settings, {
      clients: clientFactory(settings.region, settings.environment, signal),
      logger,
      signal,
    });
    const secrets = secretValues(settings);
    process.stdout.write(
      switches.has('json')
        ? `${JSON.stringify(maskedReport(report, secrets), null, 2)}\n`
        : renderMarkdown(report, { secrets }),
    );
    if (report.result === 'failed') {
      logger.error([report.failure?.message, report.failure?.hint].filter(Boolean).join('\n'));
      return 1;
    }
    return 0;
  } catch (error) {
    logger.error(describeError(error));
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
