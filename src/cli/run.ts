/** plan, deploy, execute: the action's engine from a terminal, the action's inputs as flags. */
import { resolve } from 'node:path';
import { clientFactory } from '../aws/clients.js';
import { cancellationSignal } from '../cancel.js';
import { parseSettings } from '../config/index.js';
import { provenanceFrom } from '../config/provenance.js';
import type { Mode, Settings } from '../config/settings.js';
import { deploy } from '../engine/deploy.js';
import { deployPolicy, planPolicy } from '../engine/permissions/index.js';
import { secretValues } from '../report/mask.js';
import { UsageError, flag } from './args.js';
import { callerIdentity, printReport, requireRegion, type CommandContext } from './context.js';
import { describeForTerminal } from './errors.js';

/** The workspace: --workspace, else the current directory (never this tool's own checkout). */
export function workspaceOf(ctx: CommandContext): string {
  return resolve(ctx.io.cwd, flag(ctx.args, 'workspace') || '.');
}

/** The action's Settings from the flags (every input by its own name), validated before any AWS call. */
export function settingsFrom(ctx: CommandContext, mode: Mode, region: string): Settings {
  if (ctx.args.values.has('role-arn'))
    throw new UsageError(
      '--role-arn is for GitHub OIDC; on a terminal the credentials come from --profile (a profile that assumes the role) or the environment.',
      ctx.usage,
    );
  return parseSettings(
    (name) => (name === 'mode' ? mode : name === 'region' ? region : flag(ctx.args, name)),
    { workspace: workspaceOf(ctx), defaultRegion: region, provenance: provenanceFrom(ctx.io.env) },
  );
}

export async function runEngine(ctx: CommandContext, mode: Mode): Promise<number> {
  const region = requireRegion(ctx);
  const settings = settingsFrom(ctx, mode, region);
  await callerIdentity(ctx, region);
  const { report } = await deploy(settings, {
    clients: clientFactory(settings.region, settings.environment),
    logger: ctx.logger,
    signal: cancellationSignal(),
  });
  if (report.failure)
    report.failure = {
      message: describeForTerminal(report.failure.message, ctx.inputs, workspaceOf(ctx)),
      hint: report.failure.hint && describeForTerminal(report.failure.hint, ctx.inputs, workspaceOf(ctx)),
    };
  printReport(ctx, report, secretValues(settings));
  return report.result === 'failed' ? 1 : 0;
}

/** `policy`: the deploy and plan policies this configuration needs, as JSON (the account from --account-id or STS). */
export async function printPolicies(ctx: CommandContext): Promise<number> {
  const region = requireRegion(ctx);
  const settings = settingsFrom(ctx, 'deploy', region);
  const accountId = flag(ctx.args, 'account-id') || (await callerIdentity(ctx, region)).accountId;
  if (!/^\d{12}$/.test(accountId))
    throw new UsageError(`--account-id is "${accountId}": expected 12 digits.`, ctx.usage);
  const target = { accountId, region };
  ctx.io.stdout.write(
    `${JSON.stringify({ deploy: deployPolicy(settings, target), plan: planPolicy(settings, target) }, null, 2)}\n`,
  );
  return 0;
}
