// DescribeStacks answers each stack's `ChangeSetId`: the change set last executed on it (moto leaves it empty).
// That is how a run whose change set was removed tells "another run executed change set Y" from "deleted".
// AWS: docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_Stack.html ("ChangeSetId: The unique ID of
// the change set."); API_ExecuteChangeSet.html (executing a change set deletes the stack's other change sets).
import { asList, queryResultOf } from '../wire.mjs';
import { changeSetsOfStack } from './change-sets.mjs';

export default {
  name: 'last-change-set',
  reference: 'docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_Stack.html',
  async handle(ctx, next) {
    if (ctx.service !== 'cloudformation' || ctx.operation !== 'DescribeStacks') return next();
    const response = await next();
    if (response.status !== 200) return response;
    const result = queryResultOf(response.body);
    let changed = false;
    result.Stacks = asList(result.Stacks).map((stack) => {
      const last = changeSetsOfStack(ctx, stack.StackId)
        .filter((r) => r.executed)
        .sort((a, b) => b.executedAt - a.executedAt)[0];
      if (!last || stack.ChangeSetId) return stack;
      changed = true;
      return { ...stack, ChangeSetId: last.arn };
    });
    return changed ? ctx.result(result) : response;
  },
};
