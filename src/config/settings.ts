/**
 * Settings: every input, validated once (src/config/), then read-only. The engine sees only this,
 * never the environment or @actions/*. Each field names the action input it comes from.
 */

export type Mode = 'plan' | 'deploy' | 'execute';
export type PermissionsMode = 'verify' | 'enforce' | 'apply' | 'off';
export type CommentMode = 'auto' | 'always' | 'never';
export type OnCreateFailure = 'delete' | 'rollback' | 'do-nothing';
/** `drift`: report drift, refuse to deploy over it, revert it with the change set, or skip detection. */
export type DriftMode = 'report' | 'fail' | 'revert' | 'off';
export type Capability = 'CAPABILITY_IAM' | 'CAPABILITY_NAMED_IAM' | 'CAPABILITY_AUTO_EXPAND';

export interface Parameter {
  key: string;
  /** Absent when `usePreviousValue` is set. */
  value?: string;
  usePreviousValue?: boolean;
}

export interface Tag {
  key: string;
  value: string;
}

/** What the template declares about one parameter (read from its `Parameters` section). */
export interface TemplateParameter {
  key: string;
  noEcho: boolean;
  hasDefault: boolean;
  /** The Default as text (how CloudFormation reports the value), when it has one. */
  default?: string;
  /** e.g. String, AWS::SSM::Parameter::Value<String> (whose value CloudFormation reads at each deploy). */
  type?: string;
}

export interface Template {
  /** `template`: the path as given, relative to the workspace. */
  path: string;
  body: string;
  parameters: TemplateParameter[];
  /** Keys of the template's `Outputs` section, for documentation and checks. */
  outputs: string[];
  /** Macros the template runs (`Transform`, and `Fn::Transform` when it includes snippets). */
  transforms?: string[];
  /** The resource types the template declares directly. */
  resourceTypes?: string[];
  /** Logical IDs of the template's `Resources` (absent when not read, e.g. in unit fixtures). */
  resources?: string[];
  /** Names of the ECR repositories the template creates ('*' for one with a computed name). */
  ecrRepositories?: string[];
}

/** Where the run comes from; becomes provenance tags and links in the report. */
export interface Provenance {
  repository?: string;
  sha?: string;
  ref?: string;
  runId?: string;
  runAttempt?: string;
  runUrl?: string;
  actor?: string;
  workflow?: string;
  eventName?: string;
  /** The pull request's number, from GITHUB_REF (refs/pull/<number>/merge). */
  pullRequest?: string;
}

export interface Settings {
  /** `role-arn`: the role to assume through OIDC; absent = use credentials already in the environment. */
  roleArn?: string;
  /** `region`: e.g. eu-west-1. */
  region: string;
  /** `audience`: the `aud` of the requested ID token. */
  audience: string;
  /** `role-session-name`: shown in CloudTrail. */
  roleSessionName: string;
  /** `role-duration-seconds`: 900–43200. */
  roleDurationSeconds: number;

  /** `stack-name`. */
  stackName: string;
  /** `template`: read and parsed once. */
  template: Template;
  /** `parameters` (file) overridden by `parameter-overrides`, in the template's order. */
  parameters: Parameter[];
  /** `tags` (plus tags of a CodePipeline-style parameters file); provenance tags are added by the engine. */
  tags: Tag[];
  /** `capabilities`. */
  capabilities: Capability[];
  /** `execution-role-arn`: the role CloudFormation uses to create the resources. */
  executionRoleArn?: string;
  /** `template-bucket`: bucket (and optional key prefix) for templates over 51,200 bytes. */
  templateBucket?: { bucket: string; prefix: string };
  /** `mode`. */
  mode: Mode;
  /** `change-set-name`: a name, or for `execute` the ARN a plan reported (required there); else derived per request. */
  changeSetName?: string;
  /** `keep-change-set`: in `plan` mode, keep the change set for a later `execute`. */
  keepChangeSet: boolean;
  /** `allow-destructive`: true, false, or the logical IDs that may be removed or replaced. */
  allowDestructive: boolean | string[];
  /** `allow-broadening`: true, false, or the logical IDs whose access may be widened (public, `*`, new principals). */
  allowBroadening: boolean | string[];
  /** `on-create-failure`: what a failed first create leaves (CreateChangeSet's OnStackFailure). */
  onCreateFailure: OnCreateFailure;
  /** `termination-protection`. */
  terminationProtection: boolean;
  /** `timeout-minutes`: the deadline for every wait of the run. */
  timeoutMinutes: number;
  /** `environment`: a label such as dev or prod, shown in reports and tags. */
  environment?: string;

  /** `ecr-repositories`: names or glob patterns; empty = skip the ECR step. */
  ecrRepositories: string[];
  /** `ecr-lifecycle-policy`: the policy file's text; absent = the bundled default policy. */
  ecrLifecyclePolicy?: { source: string; text: string };
  /** `permissions`. */
  permissions: PermissionsMode;
  /** `drift`: drift detection on an existing stack, alongside its change set. */
  drift: DriftMode;
  /** `deploy-role`: name or ARN of the role whose permissions are checked or applied; absent = the role the run assumed. */
  deployRole?: string;

  /** `comment`. The token itself stays at the GitHub edge. */
  comment: CommentMode;
  /** `export-credentials`: hand the account's credentials to later steps of the job (GITHUB_ENV). */
  exportCredentials: boolean;

  /** Inputs that were given but mean nothing here, or combinations worth a second look (logged as warnings). */
  warnings: string[];

  provenance: Provenance;
}
