// Types of the fidelity layer (scripts/lib/fidelity/index.mjs). Every field is described in README.md.

/** `'cloudformation:DeleteChangeSet'` (globs allowed: `'cloudformation:*ChangeSet'`), or a rule with conditions. */
export type DenyRule =
  | string
  | {
      action: string;
      /** Only requests acting in this account. */
      account?: string;
      /** Only requests whose decoded parameters match these globs, e.g. { ChangeSetName: 'release-*' }. */
      params?: Record<string, string>;
    };

export interface FaultRates {
  throttle?: number;
  serverError?: number;
  reset?: number;
  lost?: number;
  slow?: number;
  slowMs?: number;
  /** At most this many injections (overall, or of this operation). */
  limit?: number;
}
export interface Faults extends FaultRates {
  seed?: number;
  /** An operation's own rates replace the global ones for it. */
  operations?: Record<string, FaultRates>;
}

export interface ScriptedChange {
  logicalId: string;
  action?: 'Add' | 'Modify' | 'Remove' | 'Import' | 'Dynamic' | 'SyncWithActual';
  resourceType?: string;
  physicalId?: string;
  replacement?: 'True' | 'False' | 'Conditional';
  scope?: string[];
  details?: ScriptedDetail[];
  policyAction?:
    'Delete' | 'Retain' | 'Snapshot' | 'ReplaceAndDelete' | 'ReplaceAndRetain' | 'ReplaceAndSnapshot';
  beforeContext?: string;
  afterContext?: string;
  /** Drift-aware change sets (DeploymentMode REVERT_DRIFT). */
  resourceDriftStatus?: 'IN_SYNC' | 'MODIFIED' | 'DELETED' | 'NOT_CHECKED' | 'UNKNOWN' | 'UNSUPPORTED';
  driftIgnoredAttributes?: {
    path: string;
    reason: 'MANAGED_BY_AWS' | 'WRITE_ONLY_PROPERTY' | 'SENSITIVE_PROPERTY';
  }[];
  previousDeploymentContext?: string;
  /** The change set of a nested stack (an AWS::CloudFormation::Stack change); filled in when `nested` has it. */
  changeSetId?: string;
  moduleInfo?: { TypeHierarchy?: string; LogicalIdHierarchy?: string };
}
export interface ScriptedDetail {
  target: {
    attribute: string;
    name?: string;
    requiresRecreation?: 'Never' | 'Conditionally' | 'Always';
    path?: string;
    beforeValue?: string;
    afterValue?: string;
    attributeChangeType?: 'Add' | 'Remove' | 'Modify' | 'SyncWithActual';
    beforeValueFrom?: 'PREVIOUS_DEPLOYMENT_STATE' | 'ACTUAL_STATE';
    afterValueFrom?: 'TEMPLATE';
    drift?: { previousValue?: string; actualValue?: string; detectedAt?: string | Date };
  };
  evaluation?: 'Static' | 'Dynamic';
  changeSource?: string;
  causingEntity?: string;
}

/** A nested stack's change set: its changes, and its own nested stacks. */
export interface NestedScript {
  changes: ScriptedChange[];
  nested?: Record<string, NestedScript>;
}

export interface ValidationErrorEvent {
  logicalId?: string;
  resourceType?: string;
  name?: string;
  path?: string;
  reason: string;
  failureMode?: 'FAIL' | 'WARN';
  status?: 'FAILED' | 'SKIPPED';
}

export interface ScriptedEvent {
  logicalId: string;
  type?: string;
  physicalId?: string;
  status: string;
  reason?: string;
  /** Seconds after ExecuteChangeSet when the event appears. */
  afterSeconds: number;
}

export interface ResourceDriftScript {
  logicalId: string;
  resourceType: string;
  physicalId?: string;
  status: 'MODIFIED' | 'DELETED' | 'IN_SYNC' | 'NOT_CHECKED' | 'UNKNOWN' | 'UNSUPPORTED';
  expectedProperties?: string;
  actualProperties?: string;
  differences?: { path: string; expected?: string; actual?: string; type: 'ADD' | 'REMOVE' | 'NOT_EQUAL' }[];
}

export interface TrailEvent {
  eventName: string;
  eventTime: string | Date;
  eventSource: string;
  username?: string;
  /** userIdentity of the CloudTrail record, e.g. { type: 'AssumedRole', arn: '…assumed-role/Admin/alice' }. */
  userIdentity?: Record<string, unknown>;
  readOnly?: boolean;
  resources: { name: string; type?: string }[];
  accessKeyId?: string;
  eventId?: string;
  /** Seen only by requests in this account / region. */
  account?: string;
  region?: string;
}

/** Scenario data; every field optional, absent = pure pass-through to moto. */
export interface Scenario {
  latencyMs?: number;
  deny?: DenyRule[];
  faults?: Faults;
  /** GetTemplate TemplateStage Processed of a change set, by change set name (default: its Original template). */
  processedTemplates?: Record<string, string>;
  changeSet?: {
    createSeconds?: number;
    /** The change set's creation fails: Status FAILED with this StatusReason (and DescribeEvents' errors). */
    fail?: { reason?: string; validationErrors?: ValidationErrorEvent[] };
  };
  changes?: ScriptedChange[];
  /** true: `changes` replace moto's Changes; default: merged by logical ID. */
  replaceChanges?: boolean;
  /** Nested stacks' change sets, by the logical ID of the AWS::CloudFormation::Stack resource. */
  nested?: Record<string, NestedScript>;
  stack?: {
    operationSeconds?: number;
    events?: ScriptedEvent[];
    fail?: { logicalId: string; reason: string; type?: string };
  };
  drift?: {
    detectSeconds?: number;
    /** DETECTION_FAILED with this DetectionStatusReason. */
    failReason?: string;
    /** DescribeStackResourceDrifts' page size when the request gives no MaxResults (default 100). */
    pageSize?: number;
    resources?: ResourceDriftScript[];
  };
  cloudtrail?: { events: TrailEvent[] };
  /** DescribeStacks reports this StackStatus for the stack of that name (e.g. ROLLBACK_COMPLETE, which moto never reaches). */
  stackStatus?: Record<string, string>;
  /** Per stack name: fields here override the top-level ones for that stack. */
  stacks?: Record<string, Omit<Scenario, 'stacks'>>;
}

export interface LoggedRequest {
  service: string;
  /** e.g. "CreateChangeSet"; for REST (S3) "METHOD /path". */
  operation: string;
  /** Decoded: query form fields as objects/arrays, or the JSON body. */
  params: Record<string, unknown>;
  account: string;
  region: string;
  /** Date.now() at arrival. */
  at: number;
  /** performance.now() at arrival. */
  t: number;
  /** HTTP status answered; 'dropped' when the connection was destroyed; undefined while in flight. */
  status: number | 'dropped' | undefined;
  /** The fault injected into this request, if any. */
  injected: string | undefined;
}

export interface Injected {
  total: number;
  byKind: Record<string, number>;
  byOperation: Record<string, Record<string, number>>;
}

export interface Fidelity {
  url: string;
  requests: LoggedRequest[];
  calls(operation: string): LoggedRequest[];
  readonly injected: Injected;
  /** Merges a patch into the scenario's top-level fields, or replaces the whole scenario. */
  scenario(patch: Scenario, options?: { replace?: boolean }): Scenario;
  /** Forgets the log, the injected counts and all scripted state (not moto's: resetMoto). */
  reset(): void;
  close(): Promise<void>;
}

export function startFidelity(options: { upstream: string; scenario?: Scenario }): Promise<Fidelity>;
export function operationOf(
  method: string,
  headers: Record<string, string | string[] | undefined>,
  body: string,
  path: string,
): string;
