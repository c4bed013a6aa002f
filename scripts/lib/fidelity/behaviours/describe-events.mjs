// DescribeEvents (the newer CloudFormation API, which moto lacks) for a change set the scenario makes fail:
//   changeSet: { fail: { reason, validationErrors: [{ logicalId, resourceType, name, path, reason, failureMode }] } }
// Without scripted validation errors the request goes to moto, which does not know the operation — so the
// product's silent fallback can be tested too.
//
// AWS CloudFormation API Reference:
// - DescribeEvents (docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeEvents.html):
//   "One of ChangeSetName, OperationId or StackName must be specified"; Filters.FailedEvents "only returns failed
//   events"; answer OperationEvents (+ NextToken).
// - OperationEvent (…/API_OperationEvent.html): EventType VALIDATION_ERROR, OperationType CREATE_CHANGESET,
//   OperationStatus FAILED, ValidationFailureMode FAIL | WARN, ValidationName, ValidationStatus FAILED | SKIPPED,
//   ValidationStatusReason, ValidationPath.
// - CloudFormation Hooks User Guide, "View findings from controls" (docs.aws.amazon.com/cloudformation-cli/latest/
//   hooks-userguide/aws-managed-proactive-controls-findings.html): with FAIL findings the change set fails and
//   its status reason reports them; details through DescribeEvents with the change set name or ARN.
import { randomUUID } from 'node:crypto';
import { changeSets, changeSetsOfStack, findChangeSet } from './change-sets.mjs';
import { reasonOf, statusOf } from './change-set-status.mjs';

function eventsOf(record) {
  const fail = record.scenario.changeSet?.fail;
  if (!fail?.validationErrors || !statusOf(record).failed) return [];
  record.operationId ??= randomUUID();
  const at = new Date(record.createdAt + Number(record.scenario.changeSet.createSeconds ?? 0) * 1000);
  const base = {
    StackId: record.stackId,
    OperationId: record.operationId,
    OperationType: 'CREATE_CHANGESET',
    OperationStatus: 'FAILED',
    Timestamp: at,
    StartTime: new Date(record.createdAt),
    EndTime: at,
  };
  const errors = fail.validationErrors.map((v) => ({
    ...base,
    EventId: randomUUID(),
    EventType: 'VALIDATION_ERROR',
    LogicalResourceId: v.logicalId,
    ResourceType: v.resourceType,
    ValidationFailureMode: v.failureMode ?? 'FAIL',
    ValidationName: v.name ?? 'PropertyValidation',
    ValidationStatus: v.status ?? 'FAILED',
    ValidationStatusReason: v.reason,
    ValidationPath: v.path,
  }));
  const stackEvent = {
    ...base,
    EventId: randomUUID(),
    EventType: 'STACK_EVENT',
    LogicalResourceId: record.stackName,
    PhysicalResourceId: record.stackId,
    ResourceType: 'AWS::CloudFormation::Stack',
    ResourceStatusReason: reasonOf(record),
  };
  return [...errors, stackEvent];
}

export default {
  name: 'describe-events',
  reference: 'docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeEvents.html',
  handle(ctx, next) {
    if (ctx.service !== 'cloudformation' || ctx.operation !== 'DescribeEvents') return next();
    const { ChangeSetName, StackName, OperationId, Filters } = ctx.params;
    const records = ChangeSetName
      ? [findChangeSet(ctx, ChangeSetName, StackName)].filter(Boolean)
      : OperationId
        ? [...changeSets(ctx).byArn.values()].filter((r) => r.operationId === OperationId)
        : changeSetsOfStack(ctx, StackName);
    const scripted = records.some((r) => r.scenario.changeSet?.fail?.validationErrors);
    if (!scripted) return next();
    let events = records.flatMap(eventsOf);
    if (Filters?.FailedEvents === 'true') {
      events = events.filter((e) => e.EventType !== 'VALIDATION_ERROR' || e.ValidationStatus === 'FAILED');
    }
    events.sort((a, b) => b.Timestamp - a.Timestamp);
    return ctx.result({ OperationEvents: events });
  },
};
