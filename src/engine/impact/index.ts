import type { Change } from '@aws-sdk/client-cloudformation';
import type { ChangeAction, PropertyChange, ResourceChange } from '../../report/model.js';

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

export function isStateful(type: string): boolean {
  return STATEFUL.has(type);
}

/** Classifies one change of a change set. */
export function classify(change: Change): ResourceChange | undefined {
  const rc = change.ResourceChange;
  if (change.Type !== 'Resource' || !rc?.LogicalResourceId) return undefined;
  const type = rc.ResourceType ?? 'unknown';
  const action = actionOf(rc.Action, rc.Replacement);
  return {
    logicalId: rc.LogicalResourceId,
    physicalId: rc.PhysicalResourceId || undefined,
    type,
    action,
    destructive: action === 'remove' || action === 'replace' || action === 'may-replace',
    stateful: STATEFUL.has(type),
    iam: type.startsWith('AWS::IAM::') || type === 'AWS::Lambda::Permission' || type.endsWith('Policy'),
    securityGroup: SECURITY_GROUP.has(type),
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

function actionOf(action: string | undefined, replacement: string | undefined): ChangeAction {
  switch (action) {
    case 'Add':
      return 'add';
    case 'Remove':
      return 'remove';
    case 'Import':
      return 'import';
    case 'Dynamic':
      return 'dynamic';
    default:
      if (replacement === 'True') return 'replace';
      if (replacement === 'Conditional') return 'may-replace';
      return 'modify';
  }
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

/** Stable order: destructive first (stateful before others), then by action, then logical ID. */
export function sortChanges(changes: ResourceChange[]): ResourceChange[] {
  return [...changes].sort(
    (a, b) =>
      Number(b.destructive && b.stateful) - Number(a.destructive && a.stateful) ||
      ORDER[a.action] - ORDER[b.action] ||
      a.logicalId.localeCompare(b.logicalId),
  );
}

/** The destructive changes that `allow-destructive` does not cover. */
export function blockedChanges(changes: ResourceChange[], allow: boolean | string[]): ResourceChange[] {
  if (allow === true) return [];
  const allowed = new Set(allow === false ? [] : allow);
  return changes.filter((c) => c.destructive && !allowed.has(c.logicalId));
}
