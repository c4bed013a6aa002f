/**
 * Broadening by value: what a change's property values open up, whatever the resource type is called.
 * Each detector compares the properties after the change with those before and names what is new:
 * ingress from anywhere, `*` in an IAM statement, a new principal in a trust policy, a public bucket.
 * An added resource has no "before": all it grants is new (trust policies: only anyone-principals count).
 */
import { isRecord } from '../../config/template.js';
import { parseJson, type Props, type PropertyValues } from './values.js';

type Detector = (before: Props, after: Props, added: boolean) => string[];

/** Resource types whose properties hold IAM documents, and where. */
const POLICY_DOCUMENTS: Record<string, (p: Props) => unknown[]> = {
  'AWS::IAM::Policy': (p) => [p.PolicyDocument],
  'AWS::IAM::ManagedPolicy': (p) => [p.PolicyDocument],
  'AWS::IAM::RolePolicy': (p) => [p.PolicyDocument],
  'AWS::IAM::UserPolicy': (p) => [p.PolicyDocument],
  'AWS::IAM::GroupPolicy': (p) => [p.PolicyDocument],
  'AWS::IAM::Role': inlinePolicies,
  'AWS::IAM::User': inlinePolicies,
  'AWS::IAM::Group': inlinePolicies,
};

const DETECTORS: Record<string, Detector[]> = {
  'AWS::EC2::SecurityGroup': [
    (b, a) => newItems(openIngress(b.SecurityGroupIngress), openIngress(a.SecurityGroupIngress)),
  ],
  'AWS::EC2::SecurityGroupIngress': [(b, a) => newItems(openIngress([b]), openIngress([a]))],
  'AWS::IAM::Role': [iamWildcards('AWS::IAM::Role'), trust, adminPolicies],
  'AWS::IAM::User': [iamWildcards('AWS::IAM::User'), adminPolicies],
  'AWS::IAM::Group': [iamWildcards('AWS::IAM::Group'), adminPolicies],
  'AWS::IAM::Policy': [iamWildcards('AWS::IAM::Policy')],
  'AWS::IAM::ManagedPolicy': [iamWildcards('AWS::IAM::ManagedPolicy')],
  'AWS::IAM::RolePolicy': [iamWildcards('AWS::IAM::RolePolicy')],
  'AWS::IAM::UserPolicy': [iamWildcards('AWS::IAM::UserPolicy')],
  'AWS::IAM::GroupPolicy': [iamWildcards('AWS::IAM::GroupPolicy')],
  'AWS::S3::BucketPolicy': [publicBucketPolicy],
  'AWS::S3::Bucket': [publicAcl, publicAccessBlock],
};

/** What the change newly opens, one line each; empty when nothing (or nothing known) is broadened. */
export function broadening(type: string, values: PropertyValues, added: boolean): string[] {
  const detectors = DETECTORS[type];
  if (!detectors || !values.after) return [];
  const before = values.before ?? {};
  return [...new Set(detectors.flatMap((d) => d(before, values.after ?? {}, added)))];
}

function newItems(before: string[], after: string[]): string[] {
  const had = new Set(before);
  return after.filter((x) => !had.has(x));
}

// ---- security groups ----

const ANYWHERE = new Set(['0.0.0.0/0', '::/0']);

function openIngress(rules: unknown): string[] {
  return list(rules).flatMap((rule) => {
    if (!isRecord(rule)) return [];
    const cidr = [rule.CidrIp, rule.CidrIpv6].find((c) => typeof c === 'string' && ANYWHERE.has(c));
    if (typeof cidr !== 'string') return [];
    const protocol = String(rule.IpProtocol ?? 'all');
    const ports =
      protocol === '-1' || protocol === 'all'
        ? 'all traffic'
        : `${protocol} ${rule.FromPort === rule.ToPort ? String(rule.FromPort) : `${String(rule.FromPort)}-${String(rule.ToPort)}`}`;
    return [`opens ingress from ${cidr} (${ports})`];
  });
}

// ---- IAM ----

interface Statement {
  Effect?: unknown;
  Action?: unknown;
  NotAction?: unknown;
  Resource?: unknown;
  NotResource?: unknown;
  Principal?: unknown;
  NotPrincipal?: unknown;
  Condition?: unknown;
}

function inlinePolicies(p: Props): unknown[] {
  return list(p.Policies).flatMap((policy) => (isRecord(policy) ? [policy.PolicyDocument] : []));
}

function statements(document: unknown): Statement[] {
  const doc = typeof document === 'string' ? parseJson(document) : document;
  if (!isRecord(doc)) return [];
  return list(doc.Statement).filter(isRecord) as Statement[];
}

const allows = (s: Statement) => s.Effect === 'Allow';

function iamWildcards(type: string): Detector {
  const documents = POLICY_DOCUMENTS[type] ?? (() => []);
  const grants = (p: Props) =>
    documents(p)
      .flatMap(statements)
      .filter(allows)
      .flatMap((s) => [
        ...strings(s.Action)
          .filter((a) => a.includes('*'))
          .map((a) => `allows ${a === '*' ? 'every action (*)' : `the wildcard action ${a}`}`),
        ...(s.NotAction !== undefined
          ? [`allows every action except ${strings(s.NotAction).join(', ')}`]
          : []),
        ...(strings(s.Resource).includes('*')
          ? [
              `allows ${strings(s.Action ?? s.NotAction).join(', ') || 'actions'} on every resource (Resource *)`,
            ]
          : []),
        ...(s.NotResource !== undefined
          ? ['allows actions on every resource except some (NotResource)']
          : []),
      ]);
  return (before, after) => newItems(grants(before), grants(after));
}

function principals(value: unknown): string[] {
  if (value === '*') return ['*'];
  if (!isRecord(value)) return [];
  return Object.entries(value).flatMap(([kind, v]) =>
    list(v).map((p) => (p === '*' ? '*' : `${kind} ${typeof p === 'string' ? p : JSON.stringify(p)}`)),
  );
}

function trust(before: Props, after: Props, added: boolean): string[] {
  const admitted = (p: Props) =>
    statements(p.AssumeRolePolicyDocument)
      .filter(allows)
      .flatMap((s) => principals(s.Principal));
  const fresh = newItems(admitted(before), admitted(after));
  return (added ? fresh.filter((p) => p === '*') : fresh).map((p) =>
    p === '*' ? 'trust policy admits any principal (*)' : `trust policy admits a new principal: ${p}`,
  );
}

function adminPolicies(before: Props, after: Props): string[] {
  const admin = (p: Props) =>
    strings(p.ManagedPolicyArns).filter((arn) =>
      /:policy\/(AdministratorAccess|PowerUserAccess|IAMFullAccess)$/.test(arn),
    );
  return newItems(admin(before), admin(after)).map((arn) => `attaches ${arn.split('/').pop() ?? arn}`);
}

// ---- S3 ----

function publicBucketPolicy(before: Props, after: Props): string[] {
  const open = (p: Props) =>
    statements(p.PolicyDocument)
      .filter((s) => allows(s) && s.Condition === undefined && principals(s.Principal).some((x) => x === '*'))
      .map((s) => `bucket policy allows anyone (Principal *) to ${strings(s.Action).join(', ') || 'act'}`);
  return newItems(open(before), open(after));
}

const PUBLIC_ACLS = new Set(['PublicRead', 'PublicReadWrite', 'AuthenticatedRead']);

function publicAcl(before: Props, after: Props): string[] {
  const acl = after.AccessControl;
  if (typeof acl !== 'string' || !PUBLIC_ACLS.has(acl) || before.AccessControl === acl) return [];
  return [`bucket ACL ${acl} makes its objects readable by others`];
}

const BLOCKS = ['BlockPublicAcls', 'BlockPublicPolicy', 'IgnorePublicAcls', 'RestrictPublicBuckets'];

function publicAccessBlock(before: Props, after: Props, added: boolean): string[] {
  const b = isRecord(before.PublicAccessBlockConfiguration)
    ? before.PublicAccessBlockConfiguration
    : undefined;
  const a = isRecord(after.PublicAccessBlockConfiguration) ? after.PublicAccessBlockConfiguration : undefined;
  const on = (c: Props | undefined, k: string) => c?.[k] === true || c?.[k] === 'true';
  const off = (c: Props | undefined, k: string) => c?.[k] === false || c?.[k] === 'false';
  if (!added && b && !a && BLOCKS.some((k) => on(b, k))) return ['removes the bucket public access block'];
  return BLOCKS.filter((k) => off(a, k) && !off(b, k)).map((k) => `turns off ${k}`);
}

// ---- helpers ----

function list(value: unknown): unknown[] {
  const parsed = typeof value === 'string' && /^\s*[[{]/.test(value) ? (parseJson(value) ?? value) : value;
  if (Array.isArray(parsed)) return parsed;
  return parsed === undefined || parsed === null ? [] : [parsed];
}

function strings(value: unknown): string[] {
  return list(value).map((v) => (typeof v === 'string' ? v : JSON.stringify(v)));
}
