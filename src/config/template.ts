import { parseDocument, type Tags } from 'yaml';
import type { TemplateParameter } from './settings.js';

/** What the run needs to know about a template before any AWS call. */
export interface TemplateShape {
  parameters: TemplateParameter[];
  outputs: string[];
  /** Macros the template runs: its `Transform` names, plus `Fn::Transform` when a snippet is included anywhere. */
  transforms: string[];
  /** The distinct resource types declared directly (not those a loop or macro makes). */
  resourceTypes: string[];
  /** Logical IDs of the resources declared directly. */
  resources: string[];
  /** Names of the ECR repositories the template creates ('*' for one with a computed name). */
  ecrRepositories: string[];
}

const LANGUAGE_EXTENSIONS = 'AWS::LanguageExtensions';

/** CloudFormation's YAML short forms (`!Ref`, `!Sub`, …) read as the long forms they stand for. */
const SHORT_FORMS: Tags = [
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
].flatMap((name) => {
  const key = name === 'Ref' || name === 'Condition' ? name : `Fn::${name}`;
  const wrap = (value: unknown) => ({
    [key]: name === 'GetAtt' && typeof value === 'string' ? value.split('.') : value,
  });
  return [
    { tag: `!${name}`, resolve: (value: string) => wrap(value) },
    {
      tag: `!${name}`,
      collection: 'seq' as const,
      resolve: (seq: { toJSON(): unknown }) => wrap(seq.toJSON()),
    },
    {
      tag: `!${name}`,
      collection: 'map' as const,
      resolve: (map: { toJSON(): unknown }) => wrap(map.toJSON()),
    },
  ];
});

/**
 * A JSON or YAML template as data, short forms expanded (`!Ref X` → `{ Ref: X }`). Throws an Error whose
 * message gives the line and column of a syntax error.
 */
export function readTemplateDocument(body: string): Record<string, unknown> {
  // Duplicate keys are refused: CloudFormation (and every parser) would silently keep only one of them.
  const doc = parseDocument(body, { uniqueKeys: true, logLevel: 'silent', customTags: SHORT_FORMS });
  const error = doc.errors[0];
  if (error) {
    const pos = error.linePos?.[0];
    const where = pos ? ` at line ${pos.line}, column ${pos.col}` : '';
    if (error.code === 'DUPLICATE_KEY') {
      throw new Error(`a template with a duplicate key${where} (only one of the two would count)`);
    }
    // The parser's first line repeats the position ("… at line 4, column 1:"): say it once.
    const reason = (error.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
    throw new Error(`not valid JSON or YAML${where}: ${reason}`);
  }
  const root: unknown = doc.toJS({ maxAliasCount: 1000 });
  if (!isRecord(root)) throw new Error('not a CloudFormation template: the top level is not a mapping');
  return root;
}

/**
 * Reads a template and refuses only what CloudFormation itself would refuse before any macro runs: a
 * missing Resources section (without a Transform), a resource without a Type, an `Fn::ForEach` loop that is
 * not [identifier, collection, fragment] or lacks the AWS::LanguageExtensions transform. Other `Fn::`
 * keys at the top of Resources (Fn::Transform snippets, loops) are expanded by CloudFormation.
 */
export function parseTemplate(body: string): TemplateShape {
  const root = readTemplateDocument(body);
  const transforms = transformNames(root.Transform);
  if (containsKey(root, 'Fn::Transform')) transforms.push('Fn::Transform');
  if (!isRecord(root.Resources) && root.Transform === undefined) {
    throw new Error('not a CloudFormation template: it has no Resources section');
  }
  const resources = isRecord(root.Resources) ? root.Resources : {};
  const types = new Set<string>();
  for (const [logicalId, resource] of Object.entries(resources)) {
    if (logicalId.startsWith('Fn::ForEach::')) {
      checkLoop(`Resources.${logicalId}`, resource, transforms);
      continue;
    }
    if (logicalId.startsWith('Fn::')) continue;
    if (!isRecord(resource) || typeof resource.Type !== 'string') {
      throw new Error(`not a valid template: resource ${logicalId} has no Type`);
    }
    types.add(resource.Type);
  }
  for (const section of ['Outputs', 'Conditions'] as const) {
    const entries = isRecord(root[section]) ? root[section] : {};
    for (const [key, value] of Object.entries(entries))
      if (key.startsWith('Fn::ForEach::')) checkLoop(`${section}.${key}`, value, transforms);
  }
  const parameters = isRecord(root.Parameters) ? root.Parameters : {};
  return {
    parameters: Object.entries(parameters).map(([key, declaration]) => ({
      key,
      noEcho: isRecord(declaration) && String(declaration.NoEcho).toLowerCase() === 'true',
      hasDefault: isRecord(declaration) && declaration.Default !== undefined,
      default: isRecord(declaration) ? defaultText(declaration.Default) : undefined,
      type: isRecord(declaration) && typeof declaration.Type === 'string' ? declaration.Type : undefined,
    })),
    // Loops make outputs whose keys are known only after the transform.
    outputs: isRecord(root.Outputs) ? Object.keys(root.Outputs).filter((k) => !k.startsWith('Fn::')) : [],
    transforms,
    resourceTypes: [...types].sort(),
    resources: Object.keys(resources).filter((k) => !k.startsWith('Fn::')),
    ecrRepositories: Object.values(resources).flatMap((r) => {
      if (!isRecord(r) || r.Type !== 'AWS::ECR::Repository') return [];
      const name = isRecord(r.Properties) ? r.Properties.RepositoryName : undefined;
      // A computed name (!Sub, !Ref): the stack makes some repository, but which one is known only after it.
      return [typeof name === 'string' ? name : '*'];
    }),
  };
}

/** The template's resources (logical ID, type, whether a Condition decides them); undefined with a Transform. */
export function templateResources(
  body: string,
): { logicalId: string; type: string; conditional: boolean }[] | undefined {
  const root: unknown = parseDocument(body, { uniqueKeys: false, logLevel: 'silent' }).toJS({
    maxAliasCount: 1000,
  });
  if (!isRecord(root) || root.Transform !== undefined || !isRecord(root.Resources)) return undefined;
  return Object.entries(root.Resources).map(([logicalId, r]) => ({
    logicalId,
    type: isRecord(r) ? String(r.Type) : '',
    conditional: isRecord(r) && r.Condition !== undefined,
  }));
}

/** A Default as CloudFormation reports the parameter's value: scalars as text, a list joined by commas. */
function defaultText(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value)) return value.map(String).join(',');
  return typeof value === 'object' ? undefined : String(value as string | number | boolean);
}

/** `Fn::ForEach::Name: [Identifier, Collection, {OutputKey: OutputValue}]`, only under the language extensions. */
function checkLoop(where: string, loop: unknown, transforms: string[]): void {
  if (!transforms.includes(LANGUAGE_EXTENSIONS)) {
    throw new Error(
      `not a valid template: ${where} uses Fn::ForEach, which needs "Transform: ${LANGUAGE_EXTENSIONS}"`,
    );
  }
  if (!Array.isArray(loop) || loop.length !== 3 || typeof loop[0] !== 'string' || !isRecord(loop[2])) {
    throw new Error(
      `not a valid template: ${where} must be a list of an identifier, a collection and a fragment`,
    );
  }
}

function transformNames(transform: unknown): string[] {
  const list = Array.isArray(transform) ? transform : transform === undefined ? [] : [transform];
  return list.flatMap((t) =>
    typeof t === 'string' ? [t] : isRecord(t) && typeof t.Name === 'string' ? [t.Name] : [],
  );
}

function containsKey(value: unknown, key: string): boolean {
  if (Array.isArray(value)) return value.some((v) => containsKey(v, key));
  if (!isRecord(value)) return false;
  return Object.entries(value).some(([k, v]) => k === key || containsKey(v, key));
}

/** Keys of the template's NoEcho parameters: their values are never printed. */
export function noEchoKeys(template: { parameters: TemplateParameter[] }): Set<string> {
  return new Set(template.parameters.filter((p) => p.noEcho).map((p) => p.key));
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
