// Stack operations that take time, with per-resource events and scripted failures (moto executes a change set
// synchronously and writes only the stack's own two events):
//   stack: { operationSeconds, events: [{ logicalId, type, status, reason, afterSeconds }], fail: { logicalId, reason } }
// After ExecuteChangeSet the stack is CREATE_IN_PROGRESS / UPDATE_IN_PROGRESS for operationSeconds; its events
// appear over time, newest first, ending with the stack's own terminal event. A scripted failure shows the
// resource's *_FAILED with its reason, then the rollback and ROLLBACK_COMPLETE / UPDATE_ROLLBACK_COMPLETE.
// moto's own state underneath stays what moto made: the change set executed successfully, its resources exist and
// its stack is *_COMPLETE; only DescribeStacks, ListStacks and DescribeStackEvents are overlaid (and GetTemplate of
// a stack whose scripted update rolled back answers the previous template, when the proxy saw it).
//
// AWS CloudFormation API Reference / User Guide:
// - DescribeStacks (docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeStacks.html), Stack
//   StackStatus / StackStatusReason (…/API_Stack.html).
// - DescribeStackEvents (…/API_DescribeStackEvents.html): "Returns all stack related events … in reverse
//   chronological order"; StackEvent (…/API_StackEvent.html) incl. ClientRequestToken of the operation.
// - ExecuteChangeSet (…/API_ExecuteChangeSet.html): InvalidChangeSetStatus when "the stack status might be
//   UPDATE_IN_PROGRESS".
// - User Guide, "Stack status codes" (docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/view-stack-events.html):
//   ROLLBACK_IN_PROGRESS → ROLLBACK_COMPLETE after a failed create; UPDATE_ROLLBACK_IN_PROGRESS →
//   UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS → UPDATE_ROLLBACK_COMPLETE after a failed update;
//   UPDATE_COMPLETE_CLEANUP_IN_PROGRESS before UPDATE_COMPLETE.
import { randomUUID } from 'node:crypto';
import { asList, queryResultOf } from '../wire.mjs';
import { changeSets, findChangeSet, scenarioFor } from './change-sets.mjs';

const operations = (ctx) => ctx.state('stack-operations', () => ({ byStack: new Map(), history: [] }));

/** The scripted operation on a stack (by name or ID), if any. */
export function operationOf(ctx, stack) {
  const { byStack } = operations(ctx);
  return byStack.get(stack) ?? [...byStack.values()].find((o) => o.stackName === stack);
}

const PREFIX = { Add: 'CREATE', Modify: 'UPDATE', Remove: 'DELETE', Import: 'IMPORT', Dynamic: 'UPDATE' };

/** The events of one operation, as offsets in seconds from its start (the stack's own ones carry own: true). */
export function timeline({ kind, seconds, resources, script }) {
  const T = seconds;
  const own = (at, status, reason) => ({ at, own: true, status, reason });
  const events = [own(0, `${kind}_IN_PROGRESS`, 'User Initiated')];
  const failing = script.fail?.logicalId;
  if (script.events) {
    events.push(...script.events.map((e) => ({ ...e, at: e.afterSeconds })));
  } else {
    const order = resources.filter((r) => r.action !== 'Remove');
    const removed = resources.filter((r) => r.action === 'Remove');
    const failAt = order.findIndex((r) => r.logicalId === failing);
    const ran = failAt >= 0 ? order.slice(0, failAt + 1) : order;
    const span = failing ? T * 0.5 : kind === 'UPDATE' ? T * 0.85 : T;
    ran.forEach((r, i) => {
      const prefix = PREFIX[r.action] ?? kind;
      const start = (span * (2 * i + 1)) / (2 * ran.length + 2);
      const end = (span * (2 * i + 2)) / (2 * ran.length + 2);
      events.push({ ...r, at: start, status: `${prefix}_IN_PROGRESS` });
      if (r.logicalId === failing) {
        events.push({ ...r, at: span, status: `${prefix}_FAILED`, reason: script.fail.reason });
      } else events.push({ ...r, at: end, status: `${prefix}_COMPLETE` });
    });
    if (failing && failAt < 0) {
      const r = { logicalId: failing, type: script.fail.type };
      events.push({ ...r, at: span / 2, status: `${kind}_IN_PROGRESS` });
      events.push({ ...r, at: span, status: `${kind}_FAILED`, reason: script.fail.reason });
    }
    if (!failing && kind === 'UPDATE') {
      removed.forEach((r, i) => {
        events.push({ ...r, at: T * 0.9 + (T * 0.09 * i) / removed.length, status: 'DELETE_IN_PROGRESS' });
        events.push({ ...r, at: T * 0.9 + (T * 0.09 * (i + 1)) / removed.length, status: 'DELETE_COMPLETE' });
      });
    }
    if (failing)
      events.push(
        ...rollback(
          kind,
          ran.filter((r) => r.logicalId !== failing),
          T,
        ),
      );
  }
  if (failing) {
    const verb = kind === 'CREATE' ? 'create' : 'update';
    const reason = `The following resource(s) failed to ${verb}: [${failing}]. `;
    if (kind === 'CREATE') {
      events.push(own(T * 0.55, 'ROLLBACK_IN_PROGRESS', `${reason}Rollback requested by user.`));
      events.push(own(T, 'ROLLBACK_COMPLETE'));
    } else {
      events.push(own(T * 0.55, 'UPDATE_ROLLBACK_IN_PROGRESS', reason));
      events.push(own(T * 0.95, 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS'));
      events.push(own(T, 'UPDATE_ROLLBACK_COMPLETE'));
    }
  } else {
    if (kind === 'UPDATE') events.push(own(T * 0.89, 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS'));
    events.push(own(T, `${kind}_COMPLETE`));
  }
  return events.map((e, seq) => ({ ...e, seq })).sort((a, b) => a.at - b.at || a.seq - b.seq);
}

/** Resources that completed before the failure are undone: deleted (create) or updated back (update). */
function rollback(kind, done, T) {
  const events = [];
  done.forEach((r, i) => {
    const at = T * 0.6 + (T * 0.3 * i) / Math.max(done.length, 1);
    const undo = kind === 'CREATE' || r.action === 'Add' ? 'DELETE' : 'UPDATE';
    events.push({ ...r, at, status: `${undo}_IN_PROGRESS` });
    events.push({ ...r, at: at + (T * 0.3) / Math.max(done.length, 1) / 2, status: `${undo}_COMPLETE` });
  });
  return events;
}

async function onExecute(ctx, next) {
  // The operation's clock starts when AWS receives the request (after the network latency), as AWS starts work
  // then; moto's synchronous work and the layer's own reads count as AWS's time, not the caller's.
  const startedAt = Date.now();
  const record = findChangeSet(ctx, ctx.params.ChangeSetName, ctx.params.StackName);
  const busy = record && operationOf(ctx, record.stackId);
  if (busy && Date.now() < busy.endsAt) {
    return ctx.error(
      400,
      'InvalidChangeSetStatus',
      `Stack [${busy.stackName}] is in ${currentStatus(busy)?.status} state and can not be updated.`,
    );
  }
  const script = record && scenarioFor(ctx, record.stackName).stack;
  if (!record || !script) {
    const response = await next();
    if (record && response.status === 200) operations(ctx).byStack.delete(record.stackId);
    return response;
  }
  const described = await ctx.upstream('DescribeChangeSet', { ChangeSetName: record.arn });
  // Read before executing: the registry forgets the stack's other change sets once this one runs.
  const before = previousTemplate(ctx, record);
  const motoFrom = Date.now();
  const response = await next();
  if (response.status !== 200) return response;
  const motoDoneAt = Date.now();
  const physical = await ctx.upstream('DescribeStackResources', { StackName: record.stackId });
  const ids = Object.fromEntries(
    asList(physical.result.StackResources).map((r) => [r.LogicalResourceId, r.PhysicalResourceId]),
  );
  const resources = asList(described.result.Changes).map((c) => ({
    logicalId: c.ResourceChange?.LogicalResourceId,
    type: c.ResourceChange?.ResourceType,
    action: c.ResourceChange?.Action,
  }));
  const kind = record.type === 'CREATE' ? 'CREATE' : record.type === 'IMPORT' ? 'IMPORT' : 'UPDATE';
  const seconds = Number(script.operationSeconds ?? 0);
  const op = {
    stackId: record.stackId,
    stackName: record.stackName,
    kind,
    startedAt,
    motoFrom,
    motoDoneAt,
    endsAt: startedAt + seconds * 1000,
    token: ctx.params.ClientRequestToken,
    events: timeline({ kind, seconds, resources, script }).map((e) => ({
      ...e,
      id: randomUUID(),
      physicalId: e.own ? record.stackId : (e.physicalId ?? ids[e.logicalId] ?? ''),
      type: e.own ? 'AWS::CloudFormation::Stack' : (e.type ?? typeOf(resources, e.logicalId)),
    })),
    failed: Boolean(script.fail),
    previousTemplate: before,
  };
  operations(ctx).byStack.set(record.stackId, op);
  operations(ctx).history.push(op);
  return response;
}

const typeOf = (resources, id) =>
  resources.find((r) => r.logicalId === id)?.type ?? 'AWS::CloudFormation::Stack';

/** The template the stack had before this change set (the last executed one the proxy saw). */
function previousTemplate(ctx, record) {
  const before = [...changeSets(ctx).byArn.values()]
    .filter((r) => r.stackId === record.stackId && r.executed && r !== record)
    .sort((a, b) => b.executedAt - a.executedAt)[0];
  return before?.template;
}

/** The stack's own status now: its latest own event so far. */
function currentStatus(op, now = Date.now()) {
  const own = op.events.filter((e) => e.own && op.startedAt + e.at * 1000 <= now);
  return own[own.length - 1];
}

function overlayStack(op, stack) {
  const now = currentStatus(op);
  if (!now) return stack;
  const out = { ...stack, StackStatus: now.status };
  if (now.reason && now.status !== `${op.kind}_IN_PROGRESS`) out.StackStatusReason = now.reason;
  else delete out.StackStatusReason;
  // A create's outputs exist only once it completed.
  if (op.kind === 'CREATE' && now.status !== 'CREATE_COMPLETE') delete out.Outputs;
  return out;
}

function toEvent(op, e) {
  return {
    StackId: op.stackId,
    EventId: e.id,
    StackName: op.stackName,
    LogicalResourceId: e.own ? op.stackName : e.logicalId,
    PhysicalResourceId: e.physicalId,
    ResourceType: e.type,
    Timestamp: new Date(op.startedAt + e.at * 1000),
    ResourceStatus: e.status,
    ResourceStatusReason: e.reason,
    ClientRequestToken: op.token,
  };
}

async function onDescribeEvents(ctx, next) {
  const response = await next();
  if (response.status !== 200) return response;
  const result = queryResultOf(response.body);
  const events = asList(result.StackEvents);
  const stackId = events[0]?.StackId;
  const ops = operations(ctx).history.filter((o) => o.stackId === stackId);
  if (!ops.length) return response;
  // Drop the instant events moto wrote while executing; add the scripted ones that have happened by now.
  const now = Date.now();
  const kept = events.filter((e) => {
    const t = Date.parse(e.Timestamp);
    return !ops.some((o) => t >= o.motoFrom - 5 && t <= o.motoDoneAt + 5);
  });
  const scripted = ops.flatMap((o) =>
    o.events.filter((e) => o.startedAt + e.at * 1000 <= now).map((e) => toEvent(o, e)),
  );
  const all = [...kept.map((e) => ({ ...e, Timestamp: new Date(e.Timestamp) })), ...scripted];
  // Newest first; events of the same millisecond keep their order of occurrence (reversed).
  all.forEach((e, i) => (e.seq = i));
  all.sort((a, b) => b.Timestamp - a.Timestamp || b.seq - a.seq);
  all.forEach((e) => delete e.seq);
  return ctx.result({ ...result, StackEvents: all });
}

async function onDescribeStacks(ctx, next) {
  const response = await next();
  if (response.status !== 200) return response;
  const result = queryResultOf(response.body);
  const stacks = asList(result.Stacks);
  if (!stacks.some((s) => operationOf(ctx, s.StackId))) return response;
  result.Stacks = stacks.map((s) => {
    const op = operationOf(ctx, s.StackId);
    return op ? overlayStack(op, s) : s;
  });
  return ctx.result(result);
}

async function onListStacks(ctx, next) {
  const response = await next();
  if (response.status !== 200) return response;
  const result = queryResultOf(response.body);
  result.StackSummaries = asList(result.StackSummaries).map((s) => {
    const op = operationOf(ctx, s.StackId);
    const now = op && currentStatus(op);
    return now ? { ...s, StackStatus: now.status } : s;
  });
  return ctx.result(result);
}

async function onGetTemplate(ctx, next) {
  const op = operationOf(ctx, ctx.params.StackName);
  const rolledBack = op?.failed && op.kind === 'UPDATE' && Date.now() >= op.endsAt;
  if (!rolledBack || ctx.params.ChangeSetName || op.previousTemplate === undefined) return next();
  return ctx.result({ TemplateBody: op.previousTemplate, StagesAvailable: ['Original', 'Processed'] });
}

export default {
  name: 'stack-operation',
  reference: 'docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeStackEvents.html',
  async handle(ctx, next) {
    if (ctx.service !== 'cloudformation') return next();
    switch (ctx.operation) {
      case 'ExecuteChangeSet':
        return onExecute(ctx, next);
      case 'DescribeStackEvents':
        return onDescribeEvents(ctx, next);
      case 'DescribeStacks':
        return onDescribeStacks(ctx, next);
      case 'ListStacks':
        return onListStacks(ctx, next);
      case 'GetTemplate':
        return onGetTemplate(ctx, next);
      case 'DeleteStack': {
        const op = operationOf(ctx, ctx.params.StackName);
        const response = await next();
        if (response.status === 200 && op) operations(ctx).byStack.delete(op.stackId);
        return response;
      }
      default:
        return next();
    }
  },
};
