// Scenario `stackStatus: { <stack name>: <status> }`: DescribeStacks reports that status for the stack, for states
// moto cannot reach. moto never ends a failed first create in ROLLBACK_COMPLETE (it leaves the stack
// CREATE_IN_PROGRESS); AWS does, and then accepts no change set on the stack until it is deleted.
//
// AWS CloudFormation API Reference: DescribeStacks
// (docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeStacks.html), Stack.StackStatus; and the
// user guide's stack status codes (…/UserGuide/view-stack-events.html#cfn-console-view-stack-data-resources-status-codes):
// ROLLBACK_COMPLETE — "Successful removal of one or more stacks after a failed stack creation".
import { escapeXml } from '../wire.mjs';

export default {
  name: 'stack-status',
  reference: 'docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeStacks.html',
  async handle(ctx, next) {
    const statuses = ctx.scenario.stackStatus;
    if (ctx.service !== 'cloudformation' || ctx.operation !== 'DescribeStacks' || !statuses) return next();
    // The stack asked for by name or ID (stack/<name>/<uuid>); a listing of every stack is left as it is.
    const asked = String(ctx.params.StackName ?? '');
    const name = /:stack\/([^/]+)\//.exec(asked)?.[1] ?? asked;
    const status = statuses[name];
    const response = await next();
    if (response.status !== 200 || !status) return response;
    const xml = response.body
      .toString('utf8')
      .replace(/<StackStatus>[^<]*<\/StackStatus>/, `<StackStatus>${escapeXml(status)}</StackStatus>`);
    return { ...response, body: Buffer.from(xml) };
  },
};
