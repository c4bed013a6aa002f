// DescribeChangeSet answers with the Tags the change set was created with, as AWS does; moto answers an empty
// <Tags/>. (change-set-status.mjs echoes the other request fields moto drops.) Always on: no scenario field.
//
// AWS CloudFormation API Reference, DescribeChangeSet
// (docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeChangeSet.html), response elements:
// - Tags: "If you execute the change set, the tags that will be associated with the stack."
import { asList, escapeXml, queryResultOf } from '../wire.mjs';

function requests(ctx) {
  return ctx.state('change-set-requests', () => new Map());
}

const member = (inner) => `<member>${inner}</member>`;

function rewrite(xml, request) {
  const tags = request.tags
    .map((t) => member(`<Key>${escapeXml(t.Key ?? '')}</Key><Value>${escapeXml(t.Value ?? '')}</Value>`))
    .join('');
  const cleaned = xml.replace(/<Tags\s*\/>|<Tags>[\s\S]*?<\/Tags>/, '');
  return cleaned.replace('</DescribeChangeSetResult>', `<Tags>${tags}</Tags></DescribeChangeSetResult>`);
}

export default {
  name: 'change-set-request',
  reference: 'docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeChangeSet.html',
  async handle(ctx, next) {
    if (ctx.service !== 'cloudformation') return next();
    if (ctx.operation === 'CreateChangeSet') {
      const response = await next();
      if (response.status !== 200) return response;
      const { Id } = queryResultOf(response.body);
      requests(ctx).set(Id, { tags: asList(ctx.params.Tags) });
      return response;
    }
    if (ctx.operation !== 'DescribeChangeSet') return next();
    const response = await next();
    if (response.status !== 200) return response;
    const request = requests(ctx).get(queryResultOf(response.body).ChangeSetId);
    if (!request) return response;
    return { ...response, body: Buffer.from(rewrite(response.body.toString('utf8'), request)) };
  },
};
