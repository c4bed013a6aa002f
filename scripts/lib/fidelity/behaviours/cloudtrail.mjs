// CloudTrail LookupEvents (JSON 1.1 protocol), which moto lacks, from scripted events:
//   cloudtrail: { events: [{ eventName, eventTime, eventSource, username, userIdentity, readOnly, resources:
//                 [{ name, type }], accessKeyId, eventId, account, region }] }
// Without `cloudtrail` in the scenario the request goes to moto. Denial: `deny: ['cloudtrail:LookupEvents']`
// (access-denied.mjs answers AccessDeniedException).
//
// AWS CloudTrail API Reference:
// - LookupEvents (docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html): LookupAttributes
//   ("The list can contain only one item"; keys EventId | EventName | ReadOnly | Username | ResourceType |
//   ResourceName | EventSource | AccessKeyId), StartTime/EndTime (default: the last 90 days up to now), MaxResults
//   ("The default is 50, with a maximum of 50 possible"), NextToken; events "in reverse chronological order";
//   errors InvalidLookupAttributesException, InvalidTimeRangeException, InvalidMaxResultsException,
//   InvalidNextTokenException.
// - Event (…/API_Event.html): EventId, EventName, ReadOnly, AccessKeyId, EventTime, EventSource, Username,
//   Resources (ResourceType, ResourceName), CloudTrailEvent ("A JSON string that contains a representation of the
//   event returned").
// - CloudTrail record contents (docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html)
//   and userIdentity (…/cloudtrail-event-reference-user-identity.html): type, principalId, arn, accountId,
//   accessKeyId, sessionContext { sessionIssuer, attributes }.
import { createHash } from 'node:crypto';

const seconds = (t) => new Date(t).getTime() / 1000;
const NINETY_DAYS = 90 * 24 * 3600;

function normalised(ctx, e, i) {
  const identity = e.userIdentity ?? {
    type: 'IAMUser',
    arn: `arn:aws:iam::${ctx.account}:user/${e.username}`,
  };
  const username =
    e.username ??
    String(identity.arn ?? '')
      .split('/')
      .pop();
  const eventId =
    e.eventId ?? createHash('sha256').update(`${i}:${e.eventName}:${e.eventTime}`).digest('hex');
  const readOnly = Boolean(e.readOnly);
  const record = {
    eventVersion: '1.09',
    userIdentity: { accountId: ctx.account, accessKeyId: e.accessKeyId, ...identity },
    eventTime: new Date(e.eventTime).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    eventSource: e.eventSource,
    eventName: e.eventName,
    awsRegion: ctx.region,
    sourceIPAddress: '203.0.113.10',
    userAgent: 'aws-cli/2.15.0',
    requestParameters: null,
    responseElements: null,
    eventID: eventId,
    readOnly,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: ctx.account,
    eventCategory: 'Management',
  };
  return {
    EventId: eventId,
    EventName: e.eventName,
    ReadOnly: String(readOnly),
    AccessKeyId: e.accessKeyId,
    EventTime: seconds(e.eventTime),
    EventSource: e.eventSource,
    Username: username,
    Resources: (e.resources ?? []).map((r) => ({ ResourceType: r.type, ResourceName: r.name })),
    CloudTrailEvent: JSON.stringify(record),
  };
}

function matches(event, attribute) {
  if (!attribute) return true;
  const { AttributeKey: key, AttributeValue: value } = attribute;
  if (key === 'ResourceName') return event.Resources.some((r) => r.ResourceName === value);
  if (key === 'ResourceType') return event.Resources.some((r) => r.ResourceType === value);
  return String(event[key] ?? '') === value;
}

function lookup(ctx, script) {
  const { LookupAttributes = [], StartTime, EndTime, MaxResults, NextToken } = ctx.params;
  if (LookupAttributes.length > 1) {
    return ctx.error(
      400,
      'InvalidLookupAttributesException',
      'You cannot specify more than one lookup attribute.',
    );
  }
  const now = Date.now() / 1000;
  const end = EndTime ?? now;
  const start = StartTime ?? end - NINETY_DAYS;
  if (start > end) {
    return ctx.error(400, 'InvalidTimeRangeException', 'Start time must be earlier than end time.');
  }
  const size = MaxResults ?? 50;
  if (size < 1 || size > 50) {
    return ctx.error(400, 'InvalidMaxResultsException', 'Value for MaxResults must be between 1 and 50.');
  }
  const offset = NextToken === undefined ? 0 : Number(Buffer.from(NextToken, 'base64url').toString());
  if (!Number.isInteger(offset) || offset < 0) {
    return ctx.error(400, 'InvalidNextTokenException', 'Invalid NextToken.');
  }
  const events = (script.events ?? [])
    .filter((e) => (!e.account || e.account === ctx.account) && (!e.region || e.region === ctx.region))
    .map((e, i) => normalised(ctx, e, i))
    .filter((e) => e.EventTime >= start && e.EventTime <= end && matches(e, LookupAttributes[0]))
    .sort((a, b) => b.EventTime - a.EventTime);
  const page = events.slice(offset, offset + size);
  const next =
    offset + size < events.length ? Buffer.from(String(offset + size)).toString('base64url') : undefined;
  return ctx.result({ Events: page, NextToken: next });
}

export default {
  name: 'cloudtrail',
  reference: 'docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html',
  handle(ctx, next) {
    const script = ctx.scenario.cloudtrail;
    if (ctx.service !== 'cloudtrail' || ctx.operation !== 'LookupEvents' || !script) return next();
    return lookup(ctx, script);
  },
};
