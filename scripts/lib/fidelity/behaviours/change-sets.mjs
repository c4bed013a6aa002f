// The change sets made through the proxy, per account and region, keyed as AWS keys them: by ARN, and by stack +
// name (moto looks names up region-wide). Other behaviours read this registry; this module also answers GetTemplate
// with ChangeSetName from the change set's own template, which moto ignores.
//
// AWS CloudFormation API Reference:
// - GetTemplate (docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_GetTemplate.html): with ChangeSetName,
//   "returns the associated template"; TemplateStage Original | Processed, default Processed; "If the template
//   doesn't include transforms, Original and Processed return the same template."; StagesAvailable.
// - CreateChangeSet (…/API_CreateChangeSet.html): TemplateBody | TemplateURL (an S3 object) | UsePreviousTemplate.
// - ExecuteChangeSet (…/API_ExecuteChangeSet.html): "CloudFormation deletes all other change sets associated with
//   the stack because they aren't valid for the updated stack."
// - DeleteChangeSet (…/API_DeleteChangeSet.html), DeleteStack (…/API_DeleteStack.html).
// - ChangeSetNotFound (HTTP 404): "The specified change set name or ID doesn't exit." (sic, in the reference).
import { asList, errorOf, queryResultOf } from '../wire.mjs';

/** The scenario as it applies to one stack: `scenario.stacks[name]` fields override the top-level ones. */
export function scenarioFor(ctx, stackName) {
  const { stacks = {}, ...top } = ctx.scenario;
  const name = String(stackName ?? '');
  const own = stacks[name] ?? stacks[/:stack\/([^/]+)\//.exec(name)?.[1] ?? ''] ?? {};
  return { ...top, ...own };
}

/** The registry of this request's account and region. */
export function changeSets(ctx) {
  return ctx.state('change-sets', () => ({ byArn: new Map() }));
}

/** The record of a change set named by ARN, or by name and stack (name or ID); undefined when unknown. */
export function findChangeSet(ctx, changeSetName, stackName) {
  const { byArn } = changeSets(ctx);
  if (!changeSetName) return undefined;
  if (byArn.has(changeSetName)) return byArn.get(changeSetName);
  return [...byArn.values()].find(
    (r) => r.name === changeSetName && (r.stackName === stackName || r.stackId === stackName),
  );
}

/** The records of one stack (by name or ID). */
export function changeSetsOfStack(ctx, stack) {
  return [...changeSets(ctx).byArn.values()].filter((r) => r.stackName === stack || r.stackId === stack);
}

/** bucket/key of a TemplateURL in any of S3's URL forms (virtual-hosted, path-style, or moto's own endpoint). */
export function s3PathOf(templateUrl) {
  const url = new URL(templateUrl);
  const virtual = /^(.+)\.s3[.-](?:[a-z0-9-]+\.)?amazonaws\.com$/.exec(url.hostname);
  return virtual ? `/${virtual[1]}${url.pathname}` : url.pathname;
}

/** The template a CreateChangeSet request gives: its body, its S3 object, or the stack's current one. */
export async function templateOf(ctx) {
  const p = ctx.params;
  if (typeof p.TemplateBody === 'string') return p.TemplateBody;
  if (typeof p.TemplateURL === 'string') {
    const res = await ctx.upstreamGet(s3PathOf(p.TemplateURL));
    return res.status === 200 ? res.body.toString('utf8') : undefined;
  }
  if (p.UsePreviousTemplate === 'true') {
    const res = await ctx.upstream('GetTemplate', { StackName: p.StackName });
    return res.result.TemplateBody;
  }
  return undefined;
}

async function record(ctx, next) {
  // Its clock starts when AWS receives the request (after the network latency), not when moto has answered.
  const receivedAt = Date.now();
  const template = await templateOf(ctx);
  const response = await next();
  if (response.status !== 200) return response;
  const { Id, StackId } = queryResultOf(response.body);
  const name = String(ctx.params.ChangeSetName);
  const stackName = String(ctx.params.StackName);
  const { byArn } = changeSets(ctx);
  // AWS: a change set name is unique per stack; the new one replaces nothing else.
  for (const r of byArn.values()) if (r.name === name && r.stackName === stackName) byArn.delete(r.arn);
  byArn.set(Id, {
    arn: Id,
    name,
    stackName,
    stackId: StackId,
    template,
    type: ctx.params.ChangeSetType ?? 'UPDATE',
    includeNestedStacks: ctx.params.IncludeNestedStacks === 'true',
    createdAt: receivedAt,
    executed: false,
    // What the scenario said when the change set was made: a change set's content is fixed at creation.
    scenario: scenarioFor(ctx, stackName),
    request: ctx.params,
  });
  return response;
}

async function getTemplate(ctx, next) {
  const { ChangeSetName, StackName, TemplateStage = 'Processed' } = ctx.params;
  const found = findChangeSet(ctx, ChangeSetName, StackName);
  if (!found) {
    const moto = await ctx.upstream('DescribeChangeSet', { ChangeSetName, StackName });
    if (moto.status === 404 || moto.status === 400) return notFound(ctx);
    return ctx.error(
      500,
      'InternalFailure',
      `fidelity layer: change set ${ChangeSetName} was not created through this proxy, so its own template is unknown`,
    );
  }
  if (found.template === undefined) return next();
  const processed = ctx.scenario.processedTemplates?.[found.name];
  const body = TemplateStage === 'Processed' && typeof processed === 'string' ? processed : found.template;
  return ctx.result({ TemplateBody: body, StagesAvailable: ['Original', 'Processed'] });
}

const notFound = (ctx) =>
  ctx.error(404, 'ChangeSetNotFound', `ChangeSet [${ctx.params.ChangeSetName}] does not exist`);

/** Forwards a change set named by stack + name as its ARN: moto would pick any change set of that name in the region. */
function byArn(ctx, next) {
  const found = findChangeSet(ctx, ctx.params.ChangeSetName, ctx.params.StackName);
  if (found && found.arn !== ctx.params.ChangeSetName && !found.parentArn) {
    ctx.rewriteParams({ ...ctx.params, ChangeSetName: found.arn });
  }
  return next();
}

/** After an execution AWS deletes the stack's other change sets; moto keeps them, so the proxy deletes them there. */
async function executed(ctx, record) {
  record.executed = true;
  record.executedAt = Date.now();
  // The registry first: a request racing this one must already see the other change sets as gone.
  for (const other of changeSetsOfStack(ctx, record.stackId)) {
    if (other !== record) changeSets(ctx).byArn.delete(other.arn);
  }
  const listed = await ctx.upstream('ListChangeSets', { StackName: record.stackId });
  for (const summary of asList(listed.result.Summaries)) {
    if (summary.StackId !== record.stackId || summary.ChangeSetId === record.arn) continue;
    await ctx.upstream('DeleteChangeSet', { ChangeSetName: summary.ChangeSetId, StackName: record.stackId });
  }
}

export default {
  name: 'change-sets',
  reference: 'docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_GetTemplate.html',
  async handle(ctx, next) {
    if (ctx.service !== 'cloudformation') return next();
    switch (ctx.operation) {
      case 'CreateChangeSet':
        return record(ctx, next);
      case 'GetTemplate':
        return ctx.params.ChangeSetName ? getTemplate(ctx, next) : next();
      case 'DescribeChangeSet':
      case 'DeleteChangeSet':
      case 'ExecuteChangeSet': {
        const found = findChangeSet(ctx, ctx.params.ChangeSetName, ctx.params.StackName);
        const response = await byArn(ctx, next);
        // moto answers a name it does not know with ValidationError or HTTP 500; AWS with ChangeSetNotFound. A
        // change set deleted while this request was on its way (another one executed) is unknown too.
        const gone = !found || !changeSets(ctx).byArn.has(found.arn);
        if (gone && (response.status >= 500 || errorOf(response)?.code === 'ValidationError'))
          return notFound(ctx);
        if (response.status !== 200 || !found) return response;
        if (ctx.operation === 'DeleteChangeSet') changeSets(ctx).byArn.delete(found.arn);
        if (ctx.operation === 'ExecuteChangeSet') await executed(ctx, found);
        return response;
      }
      case 'DeleteStack': {
        const response = await next();
        if (response.status === 200) {
          for (const r of changeSetsOfStack(ctx, ctx.params.StackName)) changeSets(ctx).byArn.delete(r.arn);
        }
        return response;
      }
      default:
        return next();
    }
  },
};
