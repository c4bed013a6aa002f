// Access denial by operation, to play a principal without some right: `deny: ['cloudtrail:LookupEvents',
// 'cloudformation:*ChangeSet', { action: 'cloudformation:DeleteChangeSet', account: '222222222222',
// params: { ChangeSetName: 'release-*' } }]`. Answered in the protocol's own error shape:
// - query (CloudFormation, IAM, STS): HTTP 403, Code AccessDenied (IAM User Guide, "Troubleshoot access denied
//   error messages": docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html, and each API
//   reference's Common Errors: AccessDeniedException / AccessDenied, HTTP 400/403).
// - JSON (ECR, CloudTrail): HTTP 400, __type AccessDeniedException.
// The message is AWS's: "User: <arn> is not authorized to perform: <action> on resource: <arn> because no
// identity-based policy allows the <action> action".

/** A glob with * as the only wildcard, case-insensitive (as IAM matches action names). */
export function globMatch(pattern, value) {
  const re = new RegExp(`^${String(pattern).split('*').map(escapeRe).join('.*')}$`, 'i');
  return re.test(String(value ?? ''));
}
const escapeRe = (s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&');

function denies(rule, ctx) {
  const r = typeof rule === 'string' ? { action: rule } : rule;
  if (!globMatch(r.action, `${ctx.service}:${ctx.operation}`)) return false;
  if (r.account && r.account !== ctx.account) return false;
  return Object.entries(r.params ?? {}).every(([k, v]) => globMatch(v, ctx.params[k]));
}

function resourceOf(ctx) {
  const p = ctx.params;
  const base = `arn:aws:${ctx.service}:${ctx.region}:${ctx.account}`;
  if (ctx.service === 'cloudformation' && p.StackName) {
    return String(p.StackName).startsWith('arn:') ? p.StackName : `${base}:stack/${p.StackName}/*`;
  }
  if (ctx.service === 'ecr' && p.repositoryName) return `${base}:repository/${p.repositoryName}`;
  if (ctx.service === 'iam' && p.RoleName) return `arn:aws:iam::${ctx.account}:role/${p.RoleName}`;
  return '*';
}

export default {
  name: 'access-denied',
  reference: 'docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html',
  async handle(ctx, next) {
    const rules = ctx.scenario.deny ?? [];
    if (!rules.some((rule) => denies(rule, ctx))) return next();
    const caller = await ctx.upstream('GetCallerIdentity', {}, 'sts');
    const arn = caller.result.Arn ?? `arn:aws:iam::${ctx.account}:user/unknown`;
    const action = `${ctx.service}:${ctx.operation}`;
    const message = `User: ${arn} is not authorized to perform: ${action} on resource: ${resourceOf(ctx)} because no identity-based policy allows the ${action} action`;
    return ctx.request.protocol === 'json'
      ? ctx.error(400, 'AccessDeniedException', message)
      : ctx.error(403, 'AccessDenied', message);
  },
};
