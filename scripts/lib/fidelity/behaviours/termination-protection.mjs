// UpdateTerminationProtection, which moto lacks: stored per stack, shown in DescribeStacks'
// EnableTerminationProtection, and DeleteStack of a protected stack refused.
//
// AWS CloudFormation API Reference:
// - UpdateTerminationProtection (docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_UpdateTerminationProtection.html):
//   EnableTerminationProtection + StackName → StackId. "You can't update the termination protection setting of a
//   nested stack" (not modelled).
// - DescribeStacks / Stack.EnableTerminationProtection (…/API_Stack.html).
// - DeleteStack (…/API_DeleteStack.html) with protection on: ValidationError "Stack [NAME] cannot be deleted while
//   TerminationProtection is enabled" (User Guide, "Protect a stack from being deleted",
//   docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-protect-stacks.html).
import { asList, queryResultOf } from '../wire.mjs';

const protectedStacks = (ctx) => ctx.state('termination-protection', () => new Map());

async function stackOf(ctx, name) {
  const res = await ctx.upstream('DescribeStacks', { StackName: name });
  return res.status === 200 ? { stack: asList(res.result.Stacks)[0] } : { response: res };
}

async function update(ctx) {
  const { stack, response } = await stackOf(ctx, ctx.params.StackName);
  if (!stack) return response;
  protectedStacks(ctx).set(stack.StackId, ctx.params.EnableTerminationProtection === 'true');
  return ctx.result({ StackId: stack.StackId });
}

/** The setting of a stack: set through the proxy, else what moto recorded at creation. */
function setting(ctx, stack) {
  const own = protectedStacks(ctx).get(stack.StackId);
  return own ?? stack.EnableTerminationProtection === 'true';
}

async function describe(ctx, next) {
  const response = await next();
  if (response.status !== 200 || protectedStacks(ctx).size === 0) return response;
  const result = queryResultOf(response.body);
  result.Stacks = asList(result.Stacks).map((s) => ({ ...s, EnableTerminationProtection: setting(ctx, s) }));
  return ctx.result(result);
}

async function remove(ctx, next) {
  const { stack } = await stackOf(ctx, ctx.params.StackName);
  if (stack && setting(ctx, stack)) {
    return ctx.error(
      400,
      'ValidationError',
      `Stack [${stack.StackName}] cannot be deleted while TerminationProtection is enabled`,
    );
  }
  return next();
}

export default {
  name: 'termination-protection',
  reference: 'docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_UpdateTerminationProtection.html',
  handle(ctx, next) {
    if (ctx.service !== 'cloudformation') return next();
    if (ctx.operation === 'UpdateTerminationProtection') return update(ctx);
    if (ctx.operation === 'DescribeStacks') return describe(ctx, next);
    if (ctx.operation === 'DeleteStack') return remove(ctx, next);
    return next();
  },
};
