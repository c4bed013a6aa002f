/** `doctor`: will this workflow job be able to assume this role, and does the role have the permissions it needs? */
import { clientFactory, createClients } from '../aws/clients.js';
import { ROLE_ARN, parseSettings } from '../config/index.js';
import { provenanceFrom } from '../config/provenance.js';
import { UserError, errorMessage } from '../errors.js';
import { diagnoseTrust, parseRepo, type Check, type Trigger } from '../engine/doctor/index.js';
import { checkPermissions } from '../engine/permissions/index.js';
import type { PermissionsFinding } from '../report/model.js';
import { painter } from '../report/text.js';
import { UsageError, flag } from './args.js';
import { callerIdentity, requireRegion, type CommandContext } from './context.js';
import { workspaceOf } from './run.js';

export async function doctor(ctx: CommandContext): Promise<number> {
  const roleArn = flag(ctx.args, 'role-arn');
  if (!ROLE_ARN.test(roleArn))
    throw new UsageError(
      `--role-arn is ${roleArn ? `"${roleArn}"` : 'missing'}: expected a role ARN such as arn:aws:iam::111111111111:role/deploy.`,
      ctx.usage,
    );
  const repo = parseRepo(flag(ctx.args, 'repo'));
  const job = {
    repo,
    trigger: trigger(ctx),
    ownerId: flag(ctx.args, 'owner-id') || undefined,
    repositoryId: flag(ctx.args, 'repository-id') || undefined,
  };
  const audience = flag(ctx.args, 'audience') || 'sts.amazonaws.com';
  const region = requireRegion(ctx);
  const caller = await callerIdentity(ctx, region);
  const clients = createClients({ region });
  const trust = await diagnoseTrust(await clients.iam(), { roleArn, job, audience });
  const checks = [...trust.checks];
  let permissions: PermissionsFinding | undefined;
  if (ctx.args.values.has('stack-name')) {
    try {
      permissions = await rolePermissions(ctx, roleArn, job.trigger, region, caller);
      checks.push(permissionsCheck(permissions));
    } catch (error) {
      if (error instanceof UserError) throw error;
      checks.push({ ok: false, message: `Could not check the role's permissions: ${errorMessage(error)}` });
    }
  }
  const ok = checks.every((c) => c.ok);
  if (ctx.format === 'json') {
    ctx.io.stdout.write(`${JSON.stringify({ ...trust, checks, ok, permissions }, null, 2)}\n`);
    return ok ? 0 : 1;
  }
  const paint = painter(ctx.color && Boolean(ctx.io.stdout.isTTY));
  const lines = [
    paint.bold(`Can a job with sub ${trust.subject} (aud ${audience}) assume ${roleArn}?`),
    ...checks.flatMap((c) => [
      `  ${c.ok ? paint.green('✓') : paint.red('✗')} ${c.message}`,
      ...(c.fix ? [`    fix: ${c.fix}`] : []),
    ]),
    ...trust.warnings.map((w) => `  ${paint.yellow('!')} ${w}`),
    trust.ok
      ? paint.green(`✓ AssumeRoleWithWebIdentity will succeed for this job.`)
      : paint.red(`✗ AssumeRoleWithWebIdentity will be refused (AccessDenied): change what "fix" says.`),
  ];
  if (trust.ok && !ok) lines.push(paint.red('✗ The role lacks permissions this configuration needs.'));
  ctx.io.stdout.write(`${lines.join('\n')}\n`);
  return ok ? 0 : 1;
}

function trigger(ctx: CommandContext): Trigger {
  const environment = flag(ctx.args, 'environment');
  const ref = flag(ctx.args, 'ref');
  const pr = ctx.args.switches.has('pull-request');
  const given = [environment && '--environment', ref && '--ref', pr && '--pull-request'].filter(Boolean);
  if (given.length !== 1)
    throw new UsageError(
      given.length === 0
        ? 'Say which job assumes the role: --environment ENV, --ref BRANCH or --pull-request.'
        : `${given.join(' and ')} describe different jobs: give one (a job with an environment gets the environment's subject, whatever its branch).`,
      ctx.usage,
    );
  if (environment) return { kind: 'environment', name: environment };
  if (ref) return { kind: 'ref', ref };
  return { kind: 'pull_request' };
}

/** The role held to the policy of its job: the plan policy for a pull request, the deploy policy otherwise. */
async function rolePermissions(
  ctx: CommandContext,
  roleArn: string,
  t: Trigger,
  region: string,
  caller: { accountId: string; arn: string },
): Promise<PermissionsFinding> {
  const settings = parseSettings(
    (name) =>
      name === 'mode'
        ? t.kind === 'pull_request'
          ? 'plan'
          : 'deploy'
        : name === 'region'
          ? region
          : name === 'role-arn'
            ? roleArn
            : name === 'permissions'
              ? 'verify'
              : flag(ctx.args, name),
    { workspace: workspaceOf(ctx), defaultRegion: region, provenance: provenanceFrom(ctx.io.env) },
  );
  const factory = clientFactory(region);
  if (caller.accountId !== roleArn.split(':')[4])
    throw new UserError(
      `Your credentials are in account ${caller.accountId}, the role in ${roleArn.split(':')[4]}: the permissions check reads the role in its own account.`,
      'Use a profile of the role’s account (or drop --stack-name to check the trust policy only).',
    );
  return checkPermissions(
    settings,
    { accountId: caller.accountId, callerArn: caller.arn },
    { clients: factory(), bestEffort: factory(undefined, { maxAttempts: 1 }), logger: ctx.logger },
  );
}

function permissionsCheck(f: PermissionsFinding): Check {
  if (f.skipped) return { ok: true, message: `Permissions not checked: ${f.skipped}` };
  if (f.missing.length === 0)
    return {
      ok: true,
      message: `The role has every permission of the ${f.checkedAgainst} policy (${f.method} check)${f.excess.length ? `, and ${f.excess.length} grants beyond it` : ''}.`,
    };
  return {
    ok: false,
    message: `The role lacks ${f.missing.length} permissions of the ${f.checkedAgainst} policy: ${f.missing
      .slice(0, 5)
      .map((m) => `${m.action} on ${m.resource}`)
      .join('; ')}${f.missing.length > 5 ? '; …' : ''}.`,
    fix: `Print the policy with multi-account-deploy policy (same flags) and attach it, or redeploy the bootstrap.`,
  };
}
