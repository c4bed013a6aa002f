// A change set without changes, as AWS makes it: CreateChangeSet succeeds, and the change set is FAILED with
// "The submitted information didn't contain changes. Submit different information to create a change set."
// moto instead refuses CreateChangeSet ("No updates are to be performed.") when parameters are given, and
// without parameters makes an executable change set with no Changes. The proxy makes the first a change set of
// its own (answered without moto: describe, list, delete, GetTemplate) and marks the second FAILED.
// A change set is "without changes" here when its template is the stack's, every parameter of the stack is
// given with the same value (or UsePreviousValue) and its tags, when given, are the stack's; a NoEcho parameter
// given a value (moto masks the old one) or a parameter left to its default leaves the decision to moto.
//
// AWS CloudFormation API Reference / User Guide:
// - DescribeChangeSet (docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeChangeSet.html):
//   StatusReason of a FAILED change set.
// - "Update CloudFormation stacks using change sets" (docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/
//   using-cfn-updating-stacks-changesets.html): a change set that would change nothing fails to create.
import { randomUUID } from 'node:crypto';
import { asList, errorOf, queryResultOf } from '../wire.mjs';
import { changeSets, changeSetsOfStack, findChangeSet, templateOf } from './change-sets.mjs';

export const NO_CHANGES_REASON =
  "The submitted information didn't contain changes. Submit different information to create a change set.";

/** The stack as it is before the change set (template, parameters, tags), for an UPDATE change set. */
async function before(ctx) {
  if ((ctx.params.ChangeSetType ?? 'UPDATE') !== 'UPDATE') return undefined;
  const described = await ctx.upstream('DescribeStacks', { StackName: ctx.params.StackName });
  const stack = asList(described.result.Stacks)[0];
  if (!stack) return undefined;
  const template = await ctx.upstream('GetTemplate', { StackName: stack.StackId });
  return { stack, template: template.result.TemplateBody };
}

function unchanged(ctx, prior, template) {
  if (!prior || template === undefined || template !== prior.template) return false;
  const had = Object.fromEntries(
    asList(prior.stack.Parameters).map((p) => [p.ParameterKey, p.ParameterValue]),
  );
  const given = asList(ctx.params.Parameters);
  if (given.length !== Object.keys(had).length) return false;
  // A NoEcho value comes back masked: only UsePreviousValue is known to keep it.
  if (given.some((p) => had[p.ParameterKey] === '****' && p.UsePreviousValue !== 'true')) return false;
  const sameParameters = given.every(
    (p) =>
      p.ParameterKey in had && (p.UsePreviousValue === 'true' || p.ParameterValue === had[p.ParameterKey]),
  );
  const tags = ctx.params.Tags;
  const key = (list) =>
    JSON.stringify(
      asList(list)
        .map((t) => [t.Key, t.Value])
        .sort(),
    );
  return sameParameters && (tags === undefined || key(tags) === key(prior.stack.Tags));
}

function parametersOf(ctx, prior) {
  const had = Object.fromEntries(
    asList(prior.stack.Parameters).map((p) => [p.ParameterKey, p.ParameterValue]),
  );
  return asList(ctx.params.Parameters).map((p) => ({
    ParameterKey: p.ParameterKey,
    ParameterValue: p.UsePreviousValue === 'true' ? had[p.ParameterKey] : p.ParameterValue,
  }));
}

async function onCreate(ctx, next) {
  const prior = await before(ctx);
  const response = await next();
  if (response.status === 200) {
    const record = findChangeSet(ctx, ctx.params.ChangeSetName, ctx.params.StackName);
    if (record && unchanged(ctx, prior, record.template)) record.noChanges = true;
    return response;
  }
  if (!prior || !/No updates are to be performed/.test(errorOf(response)?.message ?? '')) return response;
  const template = await templateOf(ctx);
  const name = String(ctx.params.ChangeSetName);
  const arn = `arn:aws:cloudformation:${ctx.region}:${ctx.account}:changeSet/${name}/${randomUUID()}`;
  const { byArn } = changeSets(ctx);
  for (const r of changeSetsOfStack(ctx, prior.stack.StackId)) if (r.name === name) byArn.delete(r.arn);
  byArn.set(arn, {
    arn,
    name,
    stackName: prior.stack.StackName,
    stackId: prior.stack.StackId,
    template,
    type: 'UPDATE',
    includeNestedStacks: ctx.params.IncludeNestedStacks === 'true',
    createdAt: Date.now(),
    executed: false,
    scenario: {},
    synthetic: { Parameters: parametersOf(ctx, prior), Tags: ctx.params.Tags ?? prior.stack.Tags },
    request: ctx.params,
    noChanges: true,
  });
  return ctx.result({ Id: arn, StackId: prior.stack.StackId });
}

async function onDelete(ctx, next) {
  const record = findChangeSet(ctx, ctx.params.ChangeSetName, ctx.params.StackName);
  if (!record?.synthetic) return next();
  changeSets(ctx).byArn.delete(record.arn);
  return ctx.result({});
}

/** Adds the proxy's own change sets to moto's list (change-set-status sets their status). */
async function onList(ctx, next) {
  const response = await next();
  const own = changeSetsOfStack(ctx, ctx.params.StackName).filter((r) => r.synthetic);
  if (response.status !== 200 || own.length === 0) return response;
  const result = queryResultOf(response.body);
  result.Summaries = [
    ...asList(result.Summaries),
    ...own.map((r) => ({
      StackId: r.stackId,
      StackName: r.stackName,
      ChangeSetId: r.arn,
      ChangeSetName: r.name,
      CreationTime: new Date(r.createdAt),
      IncludeNestedStacks: r.includeNestedStacks,
    })),
  ];
  return ctx.result(result);
}

export default {
  name: 'no-changes',
  reference:
    'docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-updating-stacks-changesets.html',
  handle(ctx, next) {
    if (ctx.service !== 'cloudformation') return next();
    if (ctx.operation === 'CreateChangeSet') return onCreate(ctx, next);
    if (ctx.operation === 'DeleteChangeSet') return onDelete(ctx, next);
    if (ctx.operation === 'ListChangeSets') return onList(ctx, next);
    return next();
  },
};
