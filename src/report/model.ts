/** The DeployReport: everything one run did or would do, as data. Rendered once (markdown.ts), used everywhere. */
import type { Mode } from '../settings.js';

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
export type EcrStatus = 'created' | 'updated' | 'unchanged' | 'would-create' | 'would-update';
export interface EcrFinding {
  repository: string;
  status: EcrStatus;
}
/** The name of the ECR phase in `timings`. */
export const ECR_PHASE = 'ECR lifecycle policies';

export interface PermissionIssue {
  action: string;
  resource: string;
  /** e.g. "Permissions management", for excess permissions. */
  accessLevel?: string;
  note?: string;
}

export interface PermissionsFinding {
  mode: 'verify' | 'enforce' | 'apply';
  roleName?: string;
  /** simulated: confirmed with iam:SimulatePrincipalPolicy; structural: compared policy documents. */
  method: 'simulated' | 'structural';
  applied: boolean;
  missing: PermissionIssue[];
  excess: PermissionIssue[];
  warnings: string[];
  deployPolicy: unknown;
  planPolicy: unknown;
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
  outputs: OutputValue[];
  /** Stack events seen while executing (oldest first). */
  events: StackEvent[];
  /** The first failure that caused the others. */
  rootCause?: StackEvent;
  ecr: EcrFinding[];
  permissions?: PermissionsFinding;
  timings: Timing[];
  runUrl?: string;
  /** The commit this run planned or deployed (GITHUB_SHA). */
  commit?: string;
  /** Facts worth a line in the report (e.g. a fast no-op, a recreated stack). */
  notes: string[];
  failure?: { message: string; hint?: string };
}
