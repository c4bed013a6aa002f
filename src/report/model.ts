/** The DeployReport: everything one run did or would do, as data. Rendered once (markdown.ts), used everywhere. */
import type { Mode } from '../config/settings.js';

export type Result = 'no-changes' | 'planned' | 'deployed' | 'executed' | 'failed';

/** add, modify in place, replace for sure (Replacement True), may replace (Conditional), remove. */
export type ChangeAction = 'add' | 'modify' | 'replace' | 'may-replace' | 'remove' | 'import' | 'dynamic';

export interface PropertyChange {
  /** e.g. Properties.BucketName or Tags. */
  path: string;
  requiresRecreation?: 'Never' | 'Conditionally' | 'Always';
  before?: string;
  after?: string;
}

export interface ResourceChange {
  logicalId: string;
  physicalId?: string;
  type: string;
  action: ChangeAction;
  /** Remove, replace or may-replace: blocked in deploy mode unless allowed. */
  destructive: boolean;
  /** Holds data that a replacement or removal loses (tables, buckets, databases, keys...). */
  stateful: boolean;
  /** IAM resources (roles, policies, users...): who can do what changes. */
  iam: boolean;
  /** Security groups and their rules: what can reach what changes. */
  securityGroup: boolean;
  /** CloudFormation's PolicyAction: what happens to the old or removed resource (Delete, Retain, Snapshot, ReplaceAnd…). */
  policyAction?: string;
  /** What the change newly opens, read from its values (ingress from anywhere, `*` grants…): blocked in deploy unless allowed. */
  broadening?: string[];
  properties: PropertyChange[];
}

export interface StackEvent {
  id: string;
  timestamp: string;
  status: string;
  type: string;
  logicalId: string;
  reason?: string;
}

/** What the ECR phase did to one repository's lifecycle policy (would-*: plan mode, nothing written). */
/** created-by-stack: the stack's own template makes the repository; its policy is ensured after the deploy. */
export type EcrStatus =
  'created' | 'updated' | 'unchanged' | 'would-create' | 'would-update' | 'created-by-stack';
export interface EcrFinding {
  repository: string;
  status: EcrStatus;
}
/** The name of the ECR phase in `timings`. */
export const ECR_PHASE = 'ECR lifecycle policies';

export interface PolicyStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
  Principal?: unknown;
}

/** An IAM policy document. */
export interface PolicyDocument {
  Version: '2012-10-17' | '2008-10-17';
  Statement: PolicyStatement | PolicyStatement[];
}

/** One permission that is missing, or granted beyond the need. */
export interface PermissionIssue {
  action: string;
  resource: string;
  /** e.g. "Permissions management", for excess permissions. */
  accessLevel?: string;
  /** Why it is missing (e.g. denied by a statement), or how many actions a wildcard stands for. */
  note?: string;
}

export interface PermissionsFinding {
  mode: 'verify' | 'enforce' | 'apply';
  /** Which generated policy the role was held to: the plan role's (mode plan) or the deploy role's. */
  checkedAgainst: 'deploy' | 'release' | 'plan';
  roleName?: string;
  roleArn?: string;
  /** Why nothing was checked (e.g. the credentials are not a role's). */
  skipped?: string;
  /** simulated: confirmed with iam:SimulatePrincipalPolicy; structural: compared policy documents. */
  method: 'simulated' | 'structural';
  /** Why the check was structural (e.g. the simulator was not allowed). */
  methodNote?: string;
  /** The inline policy was written by this run (apply). */
  applied: boolean;
  /** The role's permissions boundary ARN, if it has one. */
  boundary?: string;
  missing: PermissionIssue[];
  excess: PermissionIssue[];
  /** Broad grants named: AdministratorAccess, `*` actions... */
  broad: string[];
  warnings: string[];
  deployPolicy: PolicyDocument;
  planPolicy: PolicyDocument;
}

/** One property of a drifted resource: the template's value and the live one (masked where secret when shown). */
export interface DriftProperty {
  /** e.g. /SecurityGroupIngress/0/CidrIp. */
  path: string;
  expected?: string;
  actual?: string;
  difference: 'ADD' | 'REMOVE' | 'NOT_EQUAL';
}

/** The last write outside CloudFormation that CloudTrail recorded for a resource. */
export interface ChangedBy {
  /** e.g. assumed-role/Admin/alice. */
  principal: string;
  /** ISO 8601. */
  at: string;
  /** The API call, e.g. ModifyLoadBalancerAttributes. */
  event: string;
}

export interface DriftedResource {
  logicalId: string;
  type: string;
  physicalId?: string;
  status: 'MODIFIED' | 'DELETED';
  properties: DriftProperty[];
  /** Absent: unknown (no write event found, or CloudTrail not readable). Never guessed. */
  changedBy?: ChangedBy;
}

/** A change of a REVERT_DRIFT change set that puts a drifted resource back to the template (or accepts its state). */
export interface DriftRevert {
  logicalId: string;
  type: string;
  /** The properties whose actual value the change set overwrites with the template's. */
  properties: string[];
  /** SyncWithActual: the template already matches the actual state; only the drift status is reset. */
  syncOnly: boolean;
}

/** What drift detection found on the existing stack before the change set ran. */
export interface DriftFinding {
  mode: 'report' | 'fail' | 'revert';
  /** unknown: detection did not run or did not finish (see `problem`). */
  status: 'drifted' | 'in-sync' | 'unknown';
  /** When detection finished (ISO 8601). */
  checkedAt?: string;
  resources: DriftedResource[];
  /** Resources drift detection did not check: their type does not support it, or detection failed for them. */
  notChecked: { logicalId: string; type: string }[];
  /** Why drift is not known, or not known for every resource (detection failed, timed out, was denied...). */
  problem?: string;
  /** Why who changed the resources is unknown for all of them (e.g. CloudTrail denied): said once. */
  attributionNote?: string;
  reverts: DriftRevert[];
}

export interface OutputValue {
  key: string;
  value: string;
  description?: string;
}

export interface ParameterValue {
  key: string;
  /** Already masked when the template declares NoEcho. */
  value: string;
}

export interface Timing {
  phase: string;
  ms: number;
}

export interface DeployReport {
  environment?: string;
  accountId?: string;
  region: string;
  stackName: string;
  mode: Mode;
  result: Result;
  stackId?: string;
  stackStatus?: string;
  changeSet?: {
    name: string;
    id?: string;
    /** CREATE for a new stack, UPDATE for an existing one. */
    type?: 'CREATE' | 'UPDATE';
    /** Kept for a later `execute` run. */
    kept: boolean;
  };
  /** The change set's resource changes, in a stable order. */
  changes: ResourceChange[];
  /** True when the change set changes something besides resources (e.g. only Outputs). */
  otherChanges?: boolean;
  /** Logical IDs of destructive changes. */
  destructive: string[];
  parameters: ParameterValue[];
  /** The stack's parameter values before this run, as CloudFormation shows them (NoEcho as ****). */
  previousParameters?: ParameterValue[];
  outputs: OutputValue[];
  /** Stack events seen while executing (oldest first). */
  events: StackEvent[];
  /** The first failure that caused the others. */
  rootCause?: StackEvent;
  ecr: EcrFinding[];
  permissions?: PermissionsFinding;
  /** Drift detection on the existing stack (absent: off, or a new stack). */
  drift?: DriftFinding;
  timings: Timing[];
  runUrl?: string;
  /** The commit this run planned or deployed (GITHUB_SHA). */
  commit?: string;
  /** Facts worth a line in the report (e.g. a fast no-op, a recreated stack). */
  notes: string[];
  failure?: { message: string; hint?: string };
}
