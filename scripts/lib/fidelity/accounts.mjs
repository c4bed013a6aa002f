// Which AWS account a request acts in, the way moto decides it, so the proxy keeps each account's state apart:
// the x-moto-account-id header wins; credentials from STS AssumeRole* land in the role's account (learnt from the
// answers passing through); any other access key is asked of moto once (STS GetCallerIdentity with the same key).
import { queryResultOf } from './wire.mjs';

export const DEFAULT_ACCOUNT = '123456789012';

export function accountBook(upstream) {
  const byKey = new Map();
  return {
    /** Learns the account of credentials an AssumeRole* answer hands out. */
    learn(request, response) {
      if (request.service !== 'sts' || response.status !== 200 || !/^AssumeRole/.test(request.operation))
        return;
      const result = queryResultOf(response.body);
      const key = result.Credentials?.AccessKeyId;
      const account = /^arn:[^:]+:iam::(\d{12}):/.exec(String(request.params.RoleArn ?? ''))?.[1];
      if (key && account) byKey.set(key, account);
    },
    /** The account of a request (cached per access key). */
    async of(headers, accessKey) {
      const forced = headers['x-moto-account-id'];
      if (typeof forced === 'string' && forced) return forced;
      if (!accessKey) return DEFAULT_ACCOUNT;
      if (!byKey.has(accessKey)) byKey.set(accessKey, await askMoto(upstream, accessKey));
      return byKey.get(accessKey);
    },
  };
}

async function askMoto(upstream, accessKey) {
  try {
    const res = await fetch(upstream, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `AWS4-HMAC-SHA256 Credential=${accessKey}/20260101/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=0`,
      },
      body: 'Action=GetCallerIdentity&Version=2011-06-15',
    });
    const account = queryResultOf(Buffer.from(await res.text())).Account;
    return typeof account === 'string' && /^\d{12}$/.test(account) ? account : DEFAULT_ACCOUNT;
  } catch {
    return DEFAULT_ACCOUNT;
  }
}
