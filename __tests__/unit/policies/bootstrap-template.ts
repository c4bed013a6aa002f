import { spawnSync } from 'node:child_process';

/**
 * templates/bootstrap.yaml with its intrinsics resolved for given parameters, as CloudFormation would: the
 * template is decoded by cfn-lint's YAML loader (which the test suite needs anyway), then Ref, Fn::Sub,
 * Fn::GetAtt, Fn::If/Equals/Not and AWS::NoValue are resolved here.
 */
export const ACCOUNT = '111111111111';
export const REGION = 'eu-west-1';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Template = {
  Parameters: Record<string, { Default?: string; Type: string }>;
  Conditions: Record<string, Json>;
  Resources: Record<string, { Type: string; Condition?: string; Properties: Record<string, Json> }>;
  Outputs: Record<string, Json>;
};

const NO_VALUE = Symbol('NoValue');

const decoded = new Map<string, Template>();

/** Decoded once per path (a Python process each time is slow). */
export function decodeTemplate(path = 'templates/bootstrap.yaml'): Template {
  const known = decoded.get(path);
  if (known) return known;
  const out = spawnSync(
    'python3',
    [
      '-c',
      'import json,sys; from cfnlint.decode import cfn_yaml; print(json.dumps(cfn_yaml.load(sys.argv[1])))',
      path,
    ],
    { encoding: 'utf8' },
  );
  if (out.status !== 0) throw new Error(`cannot decode ${path}: ${out.stderr}`);
  const template = JSON.parse(out.stdout) as Template;
  decoded.set(path, template);
  return template;
}

export function resolveTemplate(
  params: Record<string, string>,
  template = decodeTemplate(),
  region = REGION,
) {
  const values: Record<string, string | string[]> = {};
  for (const [name, p] of Object.entries(template.Parameters)) {
    const raw = params[name] ?? p.Default;
    if (raw === undefined) throw new Error(`parameter ${name} needs a value`);
    values[name] = p.Type === 'CommaDelimitedList' ? raw.split(',').filter(Boolean) : raw;
  }
  const arn = (service: string, rest: string) => `arn:aws:${service}::${ACCOUNT}:${rest}`;
  const refs: Record<string, string | string[]> = {
    ...values,
    'AWS::AccountId': ACCOUNT,
    'AWS::Region': region,
    'AWS::Partition': 'aws',
    GitHubOidcProvider: arn('iam', 'oidc-provider/token.actions.githubusercontent.com'),
    PermissionsBoundary: arn('iam', `policy/${String(values.BoundaryPolicyName)}-${region}`),
  };
  const attributes: Record<string, string> = {
    'PlanRole.Arn': arn('iam', `role/${String(values.PlanRoleName)}-${region}`),
    'ReleasePlanRole.Arn': arn('iam', `role/${String(values.ReleasePlanRoleName)}-${region}`),
    'DeployRole.Arn': arn('iam', `role/${String(values.DeployRoleName)}-${region}`),
    'ExecutionRole.Arn': arn('iam', `role/${String(values.ExecutionRoleName)}-${region}`),
  };
  const conditions: Record<string, boolean> = {};
  const resolve = (node: Json): unknown => {
    if (Array.isArray(node)) return node.map(resolve).filter((v) => v !== NO_VALUE);
    if (node === null || typeof node !== 'object') return node;
    const [key, arg] = Object.entries(node)[0] ?? [];
    if (Object.keys(node).length === 1 && key !== undefined && arg !== undefined) {
      if (key === 'Ref') {
        if (arg === 'AWS::NoValue') return NO_VALUE;
        const v = refs[arg as string];
        if (v === undefined) throw new Error(`unknown Ref ${String(arg)}`);
        return v;
      }
      if (key === 'Fn::GetAtt') return attributes[(arg as string[]).join('.')];
      if (key === 'Fn::Sub')
        return (arg as string).replace(/\$\{([\w:.]+)\}/g, (_, name: string) => {
          const v = refs[name] ?? attributes[name];
          if (v === undefined) throw new Error(`unknown Sub variable ${name}`);
          return String(v);
        });
      if (key === 'Fn::If') {
        const [cond, yes, no] = arg as [string, Json, Json];
        return resolve(condition(cond) ? yes : no);
      }
      if (key === 'Fn::Equals') {
        const [a, b] = (arg as Json[]).map(resolve);
        return JSON.stringify(a) === JSON.stringify(b);
      }
      if (key === 'Fn::Not') return !(resolve((arg as Json[])[0] as Json) as boolean);
      if (key === 'Fn::And') return (arg as Json[]).every((c) => resolve(c) as boolean);
      if (key === 'Fn::Or') return (arg as Json[]).some((c) => resolve(c) as boolean);
      if (key === 'Condition') return condition(arg as string);
      if (key === 'Fn::Join') {
        const [separator, list] = arg as [string, Json];
        return (resolve(list) as string[]).join(separator);
      }
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) {
      const r = resolve(v);
      if (r !== NO_VALUE) out[k] = r;
    }
    return out;
  };
  const condition = (name: string): boolean =>
    (conditions[name] ??= resolve(template.Conditions[name] as Json) as boolean);
  const resources: Record<string, Record<string, unknown>> = {};
  for (const [name, r] of Object.entries(template.Resources)) {
    if (r.Condition && !condition(r.Condition)) continue;
    resources[name] = resolve(r.Properties) as Record<string, unknown>;
  }
  return { resources, refs, attributes, condition };
}
