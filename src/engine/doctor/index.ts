/**
 * The doctor: will this GitHub job be able to assume this role? Reads the role's trust policy and the account's
 * GitHub OIDC provider with the caller's credentials, evaluates the trust policy against the claims the job's
 * token will carry (trust.ts), and names the exact condition to change when it would fail.
 */
import {
  GetOpenIDConnectProviderCommand,
  GetRoleCommand,
  ListOpenIDConnectProvidersCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import { UserError, awsErrorName, errorMessage } from '../../errors.js';
import { parsePolicyDocument } from '../permissions/index.js';
import { GITHUB_ISSUER, requestKeys, subjectOf, type Job } from './claims.js';
import { evaluateTrust, type FailedCondition } from './trust.js';

export { GITHUB_ISSUER, fullRef, parseRepo, subjectOf, type Job, type Trigger } from './claims.js';

export interface Check {
  ok: boolean;
  /** What was checked and what was found. */
  message: string;
  /** What to change, exactly (a condition, a command). */
  fix?: string;
}

export interface TrustDiagnosis {
  roleArn: string;
  subject: string;
  audience: string;
  /** AssumeRoleWithWebIdentity will succeed for this job. */
  ok: boolean;
  checks: Check[];
  warnings: string[];
}

/** The account's GitHub OIDC provider: its ARN and audiences, or undefined when there is none. */
export async function findGithubProvider(
  iam: IAMClient,
): Promise<{ arn: string; clientIds: string[] } | undefined> {
  const list = await iam.send(new ListOpenIDConnectProvidersCommand({}));
  const arn = (list.OpenIDConnectProviderList ?? [])
    .map((p) => p.Arn ?? '')
    .find((a) => a.endsWith(`:oidc-provider/${GITHUB_ISSUER}`));
  if (!arn) return undefined;
  const provider = await iam.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn }));
  return { arn, clientIds: provider.ClientIDList ?? [] };
}

export async function diagnoseTrust(
  iam: IAMClient,
  request: { roleArn: string; job: Job; audience: string },
): Promise<TrustDiagnosis> {
  const { roleArn, job, audience } = request;
  const subject = subjectOf(job);
  const account = roleArn.split(':')[4] ?? '';
  const partition = roleArn.split(':')[1] ?? 'aws';
  const roleName = roleArn.split('/').pop() ?? roleArn;
  const checks: Check[] = [];
  const result = (warnings: string[] = []): TrustDiagnosis => ({
    roleArn,
    subject,
    audience,
    ok: checks.every((c) => c.ok),
    checks,
    warnings,
  });

  const provider = await readOrExplain(() => findGithubProvider(iam), 'iam:ListOpenIDConnectProviders');
  const expectedArn = `arn:${partition}:iam::${account}:oidc-provider/${GITHUB_ISSUER}`;
  if (!provider) {
    checks.push({
      ok: false,
      message: `Account ${account} has no OIDC provider for ${GITHUB_ISSUER}: STS cannot verify GitHub's token.`,
      fix: `Run multi-account-deploy bootstrap in this account (it creates the provider), or: aws iam create-open-id-connect-provider --url https://${GITHUB_ISSUER} --client-id-list ${audience}`,
    });
  } else if (!provider.clientIds.includes(audience)) {
    checks.push({
      ok: false,
      message: `The OIDC provider ${provider.arn} accepts the audiences ${provider.clientIds.join(', ') || '(none)'}, not "${audience}".`,
      fix: `aws iam add-client-id-to-open-id-connect-provider --open-id-connect-provider-arn ${provider.arn} --client-id ${audience} (or set the action's audience to one of them).`,
    });
  } else {
    checks.push({ ok: true, message: `OIDC provider ${provider.arn} accepts the audience ${audience}.` });
  }

  const role = await readOrExplain(
    () => iam.send(new GetRoleCommand({ RoleName: roleName })),
    'iam:GetRole',
    `Role ${roleArn} does not exist in account ${account}.`,
  );
  const document = parsePolicyDocument(role?.Role?.AssumeRolePolicyDocument ?? '{"Statement":[]}');
  const verdict = evaluateTrust(document, provider?.arn ?? expectedArn, requestKeys(job, audience));
  switch (verdict.kind) {
    case 'allowed':
      checks.push({ ok: true, message: `The trust policy allows sub ${subject} (${verdict.statement}).` });
      break;
    case 'denied':
      checks.push({
        ok: false,
        message: `The trust policy denies this job explicitly (${verdict.statement}).`,
        fix: `Remove or narrow the Deny ${verdict.statement} of ${roleName}'s trust policy.`,
      });
      break;
    case 'no-statement':
      checks.push({
        ok: false,
        message: `No statement of ${roleName}'s trust policy allows ${'sts:AssumeRoleWithWebIdentity'} for the principal ${provider?.arn ?? expectedArn}.`,
        fix: `Add a statement with "Principal": {"Federated": "${provider?.arn ?? expectedArn}"}, "Action": "sts:AssumeRoleWithWebIdentity" and a StringEquals condition on ${GITHUB_ISSUER}:aud = ${audience} and ${GITHUB_ISSUER}:sub = ${subject}.`,
      });
      break;
    case 'conditions':
      for (const f of verdict.failed) checks.push(explain(f, subject));
  }
  return result(verdict.warnings);
}

/** One failed condition, with why (case, the subject's form) and the exact change. */
function explain(f: FailedCondition, subject: string): Check {
  const claim = f.key.split(':').pop() ?? f.key;
  const expected = f.expected.map((v) => `"${v}"`).join(', ');
  const message = `${f.statement}: ${f.operator} ${f.key} expects ${expected}, but the token's ${claim} is ${f.actual === undefined ? 'absent (IAM receives only aud and sub from GitHub)' : `"${f.actual}"`}.`;
  const why: string[] = [];
  if (f.actual !== undefined && f.expected.some((v) => v.toLowerCase() === f.actual?.toLowerCase()))
    why.push(
      `${f.operator} compares case-sensitively and GitHub spells the owner and repository as they are on GitHub: only the case differs.`,
    );
  if (claim === 'sub' && f.actual !== undefined) {
    const form = (s: string): string => s.split(':').slice(2).join(':').split(':')[0] ?? '';
    const ours = form(f.actual);
    const theirs = f.expected.map(form);
    if (!theirs.includes(ours))
      why.push(
        ours === 'environment'
          ? 'A job with `environment:` gets an environment subject instead of its branch (ref) subject.'
          : `This job's subject is of the ${ours} form, the policy expects ${[...new Set(theirs)].join(' or ')}: ${theirs.includes('environment') ? 'give the job its `environment:`' : 'check the job`s trigger'}.`,
      );
  }
  const value = f.actual ?? subject;
  return {
    ok: false,
    message: [message, ...why].join(' '),
    fix:
      f.actual === undefined
        ? `Remove the condition on ${f.key} from ${f.statement} (IAM only sees ${GITHUB_ISSUER}:aud and :sub).`
        : `In ${f.statement}, set "${f.operator}": {"${f.key}": "${value}"}${f.expected.length ? ` (or add "${value}" to its list)` : ''}.`,
  };
}

async function readOrExplain<T>(
  read: () => Promise<T>,
  action: string,
  missing?: string,
): Promise<T | undefined> {
  try {
    return await read();
  } catch (error) {
    const name = awsErrorName(error);
    if ((name === 'NoSuchEntity' || name === 'NoSuchEntityException') && missing)
      throw new UserError(
        missing,
        'Check --role-arn (the account and the role name), or run bootstrap first.',
      );
    if (name === 'AccessDenied' || name === 'AccessDeniedException')
      throw new UserError(
        `Your credentials may not call ${action}: ${errorMessage(error)}`,
        'Run the doctor with credentials of the account that may read IAM (e.g. its admin profile).',
      );
    throw error;
  }
}
