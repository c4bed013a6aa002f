// The AWS wire protocols the SDK v3 clients here speak, decoded into plain data and encoded back:
// - query (CloudFormation, IAM, STS): form-encoded request, XML answer.
//   AWS reference: "Query requests" / "Common query parameters", and the XML error shape of each API reference's
//   "Common Errors" (https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/CommonErrors.html).
// - json 1.0/1.1 (ECR, CloudTrail): X-Amz-Target + JSON body, JSON answer with "__type" on errors.
// - rest (S3): passed through, only logged.
import { randomUUID } from 'node:crypto';

const NAMESPACES = {
  cloudformation: 'http://cloudformation.amazonaws.com/doc/2010-05-15/',
  iam: 'https://iam.amazonaws.com/doc/2010-05-08/',
  sts: 'https://sts.amazonaws.com/doc/2011-06-15/',
};

/** Service, region and access key from a SigV4 Authorization header ("Credential=AKID/date/region/service/..."). */
export function signingScope(headers) {
  const auth = String(headers.authorization ?? '');
  const m = /Credential=([^/]+)\/\d{8}\/([^/]+)\/([^/]+)\//.exec(auth);
  return m ? { accessKey: m[1], region: m[2], service: m[3] } : { accessKey: '', region: '', service: '' };
}

/**
 * Query-protocol form fields as data: `Parameters.member.1.ParameterKey=K` → { Parameters: [{ ParameterKey: 'K' }] },
 * `Attributes.entry.1.key/value` → { Attributes: { k: v } }, `Filter.1.Name` → { Filter: [{ Name }] }.
 */
export function decodeQuery(form) {
  const root = {};
  for (const [key, value] of new URLSearchParams(form)) {
    if (key === 'Action' || key === 'Version') continue;
    const parts = key.split('.');
    let node = root;
    for (let i = 0; i < parts.length; i++) {
      let part = parts[i];
      if (part === 'member' || part === 'entry') continue;
      const last = i === parts.length - 1;
      if (/^\d+$/.test(part)) part = Number(part) - 1;
      const nextIsIndex = !last && /^(member|entry|\d+)$/.test(parts[i + 1]);
      if (last) node[part] = value;
      else node = node[part] ??= nextIsIndex ? [] : {};
    }
  }
  return mapEntries(root);
}

/** Turns decoded `entry` lists ([{ key, value }]) into objects. */
function mapEntries(value) {
  if (Array.isArray(value)) {
    const items = value.filter((v) => v !== undefined).map(mapEntries);
    const isMap = items.length > 0 && items.every((v) => v && typeof v === 'object' && 'key' in v);
    return isMap ? Object.fromEntries(items.map((v) => [v.key, v.value])) : items;
  }
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapEntries(v)]));
  }
  return value;
}

/** Decodes one request: { protocol, service, region, accessKey, operation, params }. */
export function decodeRequest(method, path, headers, body) {
  const scope = signingScope(headers);
  const target = headers['x-amz-target'];
  const contentType = String(headers['content-type'] ?? '');
  if (typeof target === 'string') {
    let params = {};
    try {
      params = body ? JSON.parse(body) : {};
    } catch {
      params = {};
    }
    return { ...scope, protocol: 'json', operation: target.split('.').pop() ?? target, target, params };
  }
  const form = contentType.includes('x-www-form-urlencoded') ? body : '';
  const action =
    new URLSearchParams(form).get('Action') ?? new URLSearchParams(path.split('?')[1] ?? '').get('Action');
  if (action) {
    const params = decodeQuery(form || (path.split('?')[1] ?? ''));
    return { ...scope, protocol: 'query', operation: action, params };
  }
  return { ...scope, protocol: 'rest', operation: `${method} ${path.split('?')[0]}`, params: {} };
}

/** Encodes data as query-protocol form fields (the inverse of decodeQuery, for requests the proxy makes itself). */
export function encodeQuery(action, params, version) {
  const form = new URLSearchParams({ Action: action, Version: version });
  const walk = (prefix, value) => {
    if (value === undefined || value === null) return;
    if (Array.isArray(value)) value.forEach((v, i) => walk(`${prefix}.member.${i + 1}`, v));
    else if (typeof value === 'object') for (const [k, v] of Object.entries(value)) walk(`${prefix}.${k}`, v);
    else form.append(prefix, String(value));
  };
  for (const [k, v] of Object.entries(params)) walk(k, v);
  return form.toString();
}

// ---- XML ----

const ENTITIES = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function unescapeXml(text) {
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|\w+);/g, (whole, e) => {
    if (e[0] === '#')
      return String.fromCodePoint(e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
    return ENTITIES[e] ?? whole;
  });
}

export function escapeXml(text) {
  return String(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/\r/g, '&#xD;');
}

/** Parses XML into nodes { name, children, text }. Enough for the answers moto and AWS write (no DTDs). */
export function parseXml(xml) {
  const root = { name: '#root', children: [], text: '' };
  const stack = [root];
  const re =
    /<!\[CDATA\[([\s\S]*?)\]\]>|<!--[\s\S]*?-->|<\?[\s\S]*?\?>|<(\/?)([\w:.-]+)([^>]*?)(\/?)>|([^<]+)/g;
  let m;
  while ((m = re.exec(xml))) {
    const top = stack[stack.length - 1];
    if (m[1] !== undefined) top.text += m[1];
    else if (m[6] !== undefined) top.text += unescapeXml(m[6]);
    else if (m[3] !== undefined) {
      if (m[2]) stack.pop();
      else {
        const node = { name: m[3], children: [], text: '' };
        top.children.push(node);
        if (!m[5]) stack.push(node);
      }
    }
  }
  return root;
}

/** A node as data: leaf → text, all children <member> → array, otherwise an object by child name. */
export function xmlValue(node) {
  if (node.children.length === 0) return node.text;
  if (node.children.every((c) => c.name === 'member')) return node.children.map(xmlValue);
  const out = {};
  for (const child of node.children) out[child.name] = xmlValue(child);
  return out;
}

/** Data as XML elements (arrays as <member>, Dates as ISO 8601, booleans as true/false). */
export function toXml(value) {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) return value.map((v) => `<member>${toXml(v)}</member>`).join('');
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') {
    return Object.entries(value)
      .filter(([, v]) => v !== undefined && v !== null)
      .map(([k, v]) => `<${k}>${toXml(v)}</${k}>`)
      .join('');
  }
  return escapeXml(value);
}

/** A list field of decoded XML: '' (an empty element) or absent → [], one value → [value]. */
export function asList(value) {
  if (Array.isArray(value)) return value;
  if (value === undefined || value === null || value === '') return [];
  return [value];
}

// ---- answers ----

/** A buffered HTTP answer. */
export function answer(status, headers, body) {
  return { status, headers, body: Buffer.isBuffer(body) ? body : Buffer.from(body) };
}

/** A successful query-protocol answer: <OpResponse><OpResult>…</OpResult><ResponseMetadata>…. */
export function queryResult(service, operation, result) {
  const ns = NAMESPACES[service] ?? '';
  const xml =
    `<${operation}Response xmlns="${ns}"><${operation}Result>${toXml(result ?? {})}</${operation}Result>` +
    `<ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></${operation}Response>`;
  return answer(200, { 'content-type': 'text/xml' }, xml);
}

/** A query-protocol error: <ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>. */
export function queryError(service, status, code, message, type = status >= 500 ? 'Receiver' : 'Sender') {
  const ns = NAMESPACES[service] ?? '';
  const xml =
    `<ErrorResponse xmlns="${ns}"><Error><Type>${type}</Type><Code>${escapeXml(code)}</Code>` +
    `<Message>${escapeXml(message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`;
  return answer(status, { 'content-type': 'text/xml' }, xml);
}

/** A successful JSON-protocol answer (behaviours give timestamps as epoch seconds, as the JSON protocols send them). */
export function jsonResult(result, contentType = 'application/x-amz-json-1.1') {
  return answer(
    200,
    { 'content-type': contentType, 'x-amzn-requestid': randomUUID() },
    JSON.stringify(result),
  );
}

/** A JSON-protocol error: { "__type": code, "message": … } (+ x-amzn-ErrorType, which the SDK also reads). */
export function jsonError(status, code, message, contentType = 'application/x-amz-json-1.1') {
  return answer(
    status,
    { 'content-type': contentType, 'x-amzn-errortype': code, 'x-amzn-requestid': randomUUID() },
    JSON.stringify({ __type: code, message }),
  );
}

/** An error in the request's own protocol (rest answers use the S3-style XML error). */
export function errorFor(request, status, code, message) {
  if (request.protocol === 'json') return jsonError(status, code, message, request.contentType);
  if (request.protocol === 'query') return queryError(request.service, status, code, message);
  const xml = `<Error><Code>${escapeXml(code)}</Code><Message>${escapeXml(message)}</Message><RequestId>${randomUUID()}</RequestId></Error>`;
  return answer(status, { 'content-type': 'application/xml' }, xml);
}

/** The <OpResult> of a query-protocol answer as data ({} when absent). */
export function queryResultOf(body) {
  const doc = parseXml(String(body));
  const top = doc.children[0];
  const result = top?.children.find((c) => c.name.endsWith('Result'));
  return result ? xmlValue(result) || {} : {};
}

/** The error code and message of an error answer in any protocol, or undefined. */
export function errorOf(response) {
  if (response.status < 300) return undefined;
  const text = response.body.toString('utf8');
  try {
    const json = JSON.parse(text);
    return {
      code: String(json.__type ?? '')
        .split('#')
        .pop(),
      message: json.message ?? json.Message ?? '',
    };
  } catch {
    const code = /<Code>([^<]*)<\/Code>/.exec(text)?.[1] ?? `HTTP${response.status}`;
    return { code, message: unescapeXml(/<Message>([^<]*)<\/Message>/.exec(text)?.[1] ?? '') };
  }
}
