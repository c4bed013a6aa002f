// The AWS::LanguageExtensions transform, which moto lacks (it answers CreateChangeSet with an HTML 500 for a
// template with Fn::ForEach): the proxy processes the template as CloudFormation does before it reaches moto, so
// moto sees the processed template. Only Fn::ForEach is expanded (Fn::Length, Fn::ToJsonString and the
// extended Fn::FindInMap are left as they are); the registry in change-sets.mjs keeps the original template,
// so GetTemplate with TemplateStage Original answers with what was sent, as AWS does.
//
// AWS CloudFormation Template Reference:
// - AWS::LanguageExtensions transform (docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/
//   transform-aws-languageextensions.html): processed when the change set is created; the processed template has
//   no AWS::LanguageExtensions in its Transform.
// - Fn::ForEach (…/intrinsic-function-reference-foreach.html): `Fn::ForEach::LoopName: [Identifier, Collection,
//   {OutputKey: OutputValue}]` in Conditions, Outputs and Resources (including resource properties); Collection is a
//   list or a Ref to a CommaDelimitedList parameter; `${Identifier}` and `&{Identifier}` (non-alphanumerics
//   dropped) in OutputKey and in OutputValue strings, `Ref: Identifier` in OutputValue; loops may nest. A `Fn::Sub`
//   left without variables becomes its string (the documented `Condition: !Sub 'TopicCondition${LogicalId}'`).
import { parseDocument } from 'yaml';

const SHORT_FORMS = [
  'And',
  'Base64',
  'Cidr',
  'Condition',
  'Equals',
  'FindInMap',
  'ForEach',
  'GetAtt',
  'GetAZs',
  'If',
  'ImportValue',
  'Join',
  'Length',
  'Not',
  'Or',
  'Ref',
  'Select',
  'Split',
  'Sub',
  'ToJsonString',
  'Transform',
];

const TAGS = SHORT_FORMS.flatMap((name) => {
  const key = name === 'Ref' || name === 'Condition' ? name : `Fn::${name}`;
  const wrap = (v) => ({ [key]: name === 'GetAtt' && typeof v === 'string' ? v.split('.') : v });
  return [
    { tag: `!${name}`, resolve: (v) => wrap(v) },
    { tag: `!${name}`, collection: 'seq', resolve: (seq) => wrap(seq.toJSON()) },
    { tag: `!${name}`, collection: 'map', resolve: (map) => wrap(map.toJSON()) },
  ];
});

const isMap = (v) => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The template processed by the transform, or undefined when it does not use it. */
export function processLanguageExtensions(body, parameters = {}) {
  const doc = parseDocument(body, { customTags: TAGS, logLevel: 'silent', uniqueKeys: false });
  if (doc.errors.length) return undefined;
  const template = doc.toJS({ maxAliasCount: 1000 });
  const transforms = [template?.Transform].flat().filter(Boolean);
  if (!transforms.includes('AWS::LanguageExtensions')) return undefined;
  const values = { ...defaults(template.Parameters), ...parameters };
  const out = expand(template, {}, values);
  const rest = transforms.filter((t) => t !== 'AWS::LanguageExtensions');
  if (rest.length) out.Transform = rest.length === 1 ? rest[0] : rest;
  else delete out.Transform;
  return JSON.stringify(out);
}

function defaults(parameters) {
  return Object.fromEntries(
    Object.entries(parameters ?? {}).flatMap(([k, p]) =>
      p?.Default !== undefined ? [[k, String(p.Default)]] : [],
    ),
  );
}

/** Walks a value, expanding every Fn::ForEach key of a mapping into the keys it stands for. */
function expand(value, bindings, parameters) {
  if (Array.isArray(value)) return value.map((v) => expand(v, bindings, parameters));
  if (!isMap(value)) return substitute(value, bindings);
  if (Object.keys(value).length === 1 && typeof value.Ref === 'string' && value.Ref in bindings)
    return bindings[value.Ref];
  const out = {};
  if (Object.keys(value).length === 1 && typeof value['Fn::Sub'] === 'string') {
    // A Sub left with no variable once the loop's identifiers are replaced is that string (as in the
    // documented `Condition: !Sub 'TopicCondition${LogicalId}'`).
    const text = substitute(value['Fn::Sub'], bindings);
    return text.includes('${') ? { 'Fn::Sub': text } : text;
  }
  for (const [key, inner] of Object.entries(value)) {
    if (!key.startsWith('Fn::ForEach::')) {
      out[substitute(key, bindings)] = expand(inner, bindings, parameters);
      continue;
    }
    const [identifier, collection, fragment] = inner;
    for (const item of items(collection, bindings, parameters)) {
      Object.assign(out, expand(fragment, { ...bindings, [identifier]: item }, parameters));
    }
  }
  return out;
}

function items(collection, bindings, parameters) {
  if (Array.isArray(collection)) return collection.map((c) => String(expand(c, bindings, parameters)));
  if (isMap(collection) && typeof collection.Ref === 'string') {
    const value = bindings[collection.Ref] ?? parameters[collection.Ref] ?? '';
    return String(value)
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  }
  return [];
}

function substitute(value, bindings) {
  if (typeof value !== 'string') return value;
  return value.replace(/([$&])\{([\w.:-]+)\}/g, (whole, sigil, name) => {
    if (!(name in bindings)) return whole;
    return sigil === '&' ? String(bindings[name]).replace(/[^A-Za-z0-9]/g, '') : String(bindings[name]);
  });
}

export default {
  name: 'language-extensions',
  reference:
    'docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/transform-aws-languageextensions.html',
  handle(ctx, next) {
    if (ctx.service !== 'cloudformation' || ctx.operation !== 'CreateChangeSet') return next();
    const body = ctx.params.TemplateBody;
    if (typeof body !== 'string') return next();
    const given = Object.fromEntries(
      [ctx.params.Parameters ?? []].flat().map((p) => [p.ParameterKey, p.ParameterValue]),
    );
    const processed = processLanguageExtensions(body, given);
    if (processed === undefined) return next();
    const form = new URLSearchParams(ctx.rawBody.toString('utf8'));
    form.set('TemplateBody', processed);
    ctx.rawBody = Buffer.from(form.toString());
    ctx.raw = { ...ctx.raw, headers: { ...ctx.raw.headers, 'content-length': String(ctx.rawBody.length) } };
    return next();
  },
};
