// CreateChangeSet with a ClientToken is idempotent: a retry of a request AWS already acted on (its answer lost)
// gets the same change set back, not a second one. moto ignores ClientToken, and for a CREATE change set even
// makes a second stack of the same name; the proxy answers the retry itself.
// AWS: docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_CreateChangeSet.html (ClientToken: "Specify
// this token if you plan to retry requests so that CloudFormation knows that you're not attempting to create
// another change set with the same name.").
import { queryResultOf } from '../wire.mjs';

export default {
  name: 'client-token',
  reference: 'docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_CreateChangeSet.html',
  async handle(ctx, next) {
    const token = ctx.params.ClientToken;
    if (ctx.service !== 'cloudformation' || ctx.operation !== 'CreateChangeSet' || !token) return next();
    const answered = ctx.state('client-tokens', () => new Map());
    const key = `${ctx.params.StackName}/${ctx.params.ChangeSetName}/${token}`;
    if (answered.has(key)) return ctx.result(answered.get(key));
    const response = await next();
    if (response.status === 200) answered.set(key, queryResultOf(response.body));
    return response;
  },
};
