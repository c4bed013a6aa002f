/** What every command shares: its streams and environment, the profile and region checks, the caller's identity. */
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { createClients } from '../aws/clients.js';
import type { Logger } from '../logger.js';
import { renderJson } from '../report/json.js';
import { renderMarkdown } from '../report/markdown.js';
import type { DeployReport } from '../report/model.js';
import { renderText } from '../report/text.js';
import { flag, outputFormat, type Args, type OutputFormat } from './args.js';
import { checkProfile, checkRegion, credentialsProblem } from './errors.js';
import { terminalLogger } from './terminal.js';

export interface Io {
  env: NodeJS.ProcessEnv;
  cwd: string;
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
}

export interface CommandContext {
  io: Io;
  args: Args;
  /** The action inputs the CLI takes as flags. */
  inputs: readonly string[];
  usage: string;
  profile?: string;
  /** Resolved from --region, AWS_REGION or AWS_DEFAULT_REGION; '' when none. */
  region: string;
  format: OutputFormat;
  verbose: boolean;
  color: boolean;
  logger: Logger;
}

export function commandContext(io: Io, args: Args, inputs: readonly string[], usage: string): CommandContext {
  const profile = flag(args, 'profile') || undefined;
  if (profile) {
    checkProfile(profile, io.env);
    // The SDK's credential chain reads the profile from here.
    io.env.AWS_PROFILE = profile;
  }
  const color = !args.switches.has('no-color') && !io.env.NO_COLOR && Boolean(io.stderr.isTTY);
  const verbose = args.switches.has('verbose');
  return {
    io,
    args,
    inputs,
    usage,
    profile: profile ?? (io.env.AWS_PROFILE || undefined),
    region: flag(args, 'region') || io.env.AWS_REGION || io.env.AWS_DEFAULT_REGION || '',
    format: outputFormat(args, usage),
    verbose,
    color,
    logger: terminalLogger({ stream: io.stderr, verbose, color }),
  };
}

/** The region, checked against the known regions before any AWS call. */
export function requireRegion(ctx: CommandContext): string {
  return checkRegion(ctx.region, ctx.args.values.has('region') ? 'region' : 'AWS_REGION');
}

/** Who the caller is (STS), with expired or missing credentials explained in terms of the profile. */
export async function callerIdentity(
  ctx: CommandContext,
  region: string,
): Promise<{ accountId: string; arn: string }> {
  try {
    const out = await createClients({ region, maxAttempts: 2 }).sts.send(new GetCallerIdentityCommand({}));
    return { accountId: out.Account ?? '', arn: out.Arn ?? '' };
  } catch (error) {
    throw credentialsProblem(error, ctx.profile) ?? error;
  }
}

/** The report in the chosen format on stdout (colour only on a terminal that wants it). */
export function printReport(ctx: CommandContext, report: DeployReport, secrets: readonly string[]): void {
  const out =
    ctx.format === 'json'
      ? renderJson(report, { secrets })
      : ctx.format === 'markdown'
        ? renderMarkdown(report, { secrets })
        : renderText(report, {
            secrets,
            verbose: ctx.verbose,
            color: ctx.color && Boolean(ctx.io.stdout.isTTY),
          });
  ctx.io.stdout.write(out);
}
