import type { Change } from '@aws-sdk/client-cloudformation';
import type { ChangeAction, PropertyChange, ResourceChange } from '../../report/model.js';
import { broadening } from './broadening.js';
import { policyActionText } from '../../report/policy-action.js';
import { actionOf } from './replacement.js';
import { propertyValues, type TemplateSide } from './values.js';

export type { TemplateSide } from './values.js';

/** Resource types whose replacement or removal loses data. */
const STATEFUL = new Set([
  'AWS::RDS::DBInstance',
  'AWS::RDS::DBCluster',
  'AWS::DynamoDB::Table',
  'AWS::DynamoDB::GlobalTable',
  'AWS::S3::Bucket',
  'AWS::EFS::FileSystem',
  'AWS::FSx::FileSystem',
  'AWS::KMS::Key',
  'AWS::SQS::Queue',
  'AWS::Kinesis::Stream',
  'AWS::KinesisFirehose::DeliveryStream',
  'AWS::Cognito::UserPool',
  'AWS::Logs::LogGroup',
  'AWS::ECR::Repository',
  'AWS::ElastiCache::ReplicationGroup',
  'AWS::ElastiCache::CacheCluster',
  'AWS::Elasticsearch::Domain',
  'AWS::OpenSearchService::Domain',
  'AWS::Neptune::DBCluster',
  'AWS::DocDB::DBCluster',
  'AWS::Redshift::Cluster',
  'AWS::EC2::Volume',
  'AWS::SecretsManager::Secret',
  'AWS::Backup::BackupVault',
  'AWS::Timestream::Table',
  'AWS::QLDB::Ledger',
  'AWS::MSK::Cluster',
]);

const SECURITY_GROUP = new Set([
  'AWS::EC2::SecurityGroup',
  'AWS::EC2::SecurityGroupIngress',
  'AWS::EC2::SecurityGroupEgress',
  'AWS::EC2::NetworkAclEntry',
]);

/** Who-may-do-what resources outside the AWS::IAM:: namespace: resource policies and permissions. */
const ACCESS_POLICIES = new Set([
  'AWS::Lambda::Permission',
  'AWS::S3::BucketPolicy',
  'AWS::SQS::QueuePolicy',
  'AWS::SNS::TopicPolicy',
  'AWS::SecretsManager::ResourcePolicy',
  'AWS::Events::EventBusPolicy',
  'AWS::Logs::ResourcePolicy',
]);

export function isStateful(type: string): boolean {
  return STATEFUL.has(type);
}

/** IAM and access policies. A type merely named *Policy (a ScalingPolicy, a LifecyclePolicy) is not. */
export function isAccessControl(type: string): boolean {
  return type.startsWith('AWS::IAM::') || ACCESS_POLICIES.has(type);
}

/** One change of a change set, with the logical IDs of the stacks it is nested in (outermost first). */
export interface NestedChange {
  parents: string[];
  change: Change;
}

/** The templates a change can fall back on for property values (moto and older answers have none). */
export interface ClassifyTemplates {
  current?: TemplateSide;
  deployed?: TemplateSide;
}

/** Classifies one change; a nested one is named by its path, e.g. `Network/Database/Table`. */
export function classify(
  change: Change,
  parents: string[] = [],
  templates: ClassifyTemplates = {},
): ResourceChange | undefined {
  const rc = change.ResourceChange;
  if (change.Type !== 'Resource' || !rc?.LogicalResourceId) return undefined;
  const type = rc.ResourceType ?? 'unknown';
  const action = actionOf(rc);
  const values = propertyValues(rc, templates, parents.length === 0);
  const widened = broadening(type, values, action === 'add');
  return {
    logicalId: [...parents, rc.LogicalResourceId].join('/'),
    physicalId: rc.PhysicalResourceId || undefined,
    type,
    action,
    destructive: action === 'remove' || action === 'replace' || action === 'may-replace',
    stateful: STATEFUL.has(type),
    iam: isAccessControl(type),
    securityGroup: SECURITY_GROUP.has(type),
    ...(rc.PolicyAction ? { policyAction: rc.PolicyAction } : {}),
    ...(widened.length ? { broadening: widened } : {}),
    properties: (rc.Details ?? []).flatMap((d): PropertyChange[] => {
      const target = d.Target;
      if (!target) return [];
      const path = target.Path ?? [target.Attribute, target.Name].filter(Boolean).join('.');
      return [
        {
          path: path || 'unknown',
          requiresRecreation: target.RequiresRecreation as PropertyChange['requiresRecreation'],
          before: target.BeforeValue,
          after: target.AfterValue,
        },
      ];
    }),
  };
}

/**
 * True when a top-level change to a resource whose values are checked for broadening comes without values,
 * so the deployed template is needed as its "before".
 */
export function needsDeployedTemplate(changes: NestedChange[]): boolean {
  return changes.some(({ parents, change }) => {
    const rc = change.ResourceChange;
    return (
      parents.length === 0 &&
      (rc?.Action === 'Modify' || rc?.Action === 'Dynamic') &&
      (isAccessControl(rc.ResourceType ?? '') ||
        SECURITY_GROUP.has(rc.ResourceType ?? '') ||
        rc.ResourceType === 'AWS::S3::Bucket') &&
      !rc.AfterContext &&
      !(rc.Details ?? []).some((d) => d.Target?.AfterValue !== undefined)
    );
  });
}

const ORDER: Record<ChangeAction, number> = {
  remove: 0,
  replace: 1,
  'may-replace': 2,
  modify: 3,
  dynamic: 4,
  import: 5,
  add: 6,
};

/**
 * Stable order: at each level destructive first (stateful before others), then by action, then logical ID;
 * a nested stack's changes follow right after the nested stack's own row.
 */
export function sortChanges(changes: ResourceChange[]): ResourceChange[] {
  const parentOf = (c: ResourceChange) => c.logicalId.split('/').slice(0, -1).join('/');
  const byParent = new Map<string, ResourceChange[]>();
  for (const c of changes) byParent.set(parentOf(c), [...(byParent.get(parentOf(c)) ?? []), c]);
  const compare = (a: ResourceChange, b: ResourceChange) =>
    Number(b.destructive && b.stateful) - Number(a.destructive && a.stateful) ||
    ORDER[a.action] - ORDER[b.action] ||
    a.logicalId.localeCompare(b.logicalId);
  const out: ResourceChange[] = [];
  const emit = (parent: string) => {
    const level = byParent.get(parent);
    if (!level) return;
    byParent.delete(parent);
    for (const c of [...level].sort(compare)) {
      out.push(c);
      emit(c.logicalId);
    }
  };
  emit('');
  // Children whose parent row is missing (never expected) still appear.
  for (const parent of [...byParent.keys()].sort()) emit(parent);
  return out;
}

function allowed(allow: boolean | string[]): (c: ResourceChange) => boolean {
  if (allow === true) return () => true;
  const ids = new Set(allow === false ? [] : allow);
  return (c) => ids.has(c.logicalId);
}

/** The destructive changes that `allow-destructive` does not cover. */
export function blockedChanges(changes: ResourceChange[], allow: boolean | string[]): ResourceChange[] {
  const ok = allowed(allow);
  return changes.filter((c) => c.destructive && !ok(c));
}

/** The broadening changes that `allow-broadening` does not cover. */
export function blockedBroadening(changes: ResourceChange[], allow: boolean | string[]): ResourceChange[] {
  const ok = allowed(allow);
  return changes.filter((c) => (c.broadening?.length ?? 0) > 0 && !ok(c));
}

/** Why `deploy` refuses, and how to allow it: destructive and broadening changes, each with its input. */
export function refusal(
  destructive: ResourceChange[],
  broadened: ResourceChange[],
  changeSetDeleted = true,
): { message: string; hint: string } | undefined {
  if (destructive.length === 0 && broadened.length === 0) return undefined;
  const parts: string[] = [];
  const hints: string[] = [];
  if (destructive.length) {
    const list = destructive
      .map((c) => {
        const kept = policyActionText(c.policyAction);
        return `${c.logicalId} (${c.type}: ${c.action}${c.stateful ? ', holds data' : ''}${kept ? `; ${kept}` : ''})`;
      })
      .join(', ');
    parts.push(`destructive changes to ${list}`);
    hints.push(
      `If these are intended, set allow-destructive to true or list the logical IDs: ${destructive.map((c) => c.logicalId).join(', ')}.`,
    );
  }
  if (broadened.length) {
    const list = broadened.map((c) => `${c.logicalId} (${(c.broadening ?? []).join('; ')})`).join(', ');
    parts.push(`changes that broaden access: ${list}`);
    hints.push(
      `If this access is intended, set allow-broadening to true or list the logical IDs: ${broadened.map((c) => c.logicalId).join(', ')}.`,
    );
  }
  return {
    message: `Refusing to deploy: ${parts.join('; and ')}. ${changeSetDeleted ? 'The change set was deleted' : 'The change set was kept'}; nothing was changed.`,
    hint: hints.join('\n'),
  };
}
