import { parseDocument } from 'yaml';
import type { TemplateParameter } from './settings.js';

/** What the run needs to know about a template before any AWS call: its parameters and outputs. */
export interface TemplateShape {
  parameters: TemplateParameter[];
  outputs: string[];
}

/**
 * Reads a JSON or YAML CloudFormation template. Short-form intrinsics (`!Ref`, `!Sub`...) are tags
 * the YAML parser does not know; they only produce warnings, and we only read the top-level sections.
 * Throws an Error whose message gives the line and column of a syntax error.
 */
export function parseTemplate(body: string): TemplateShape {
  const doc = parseDocument(body, { uniqueKeys: false, logLevel: 'silent' });
  const error = doc.errors[0];
  if (error) {
    const pos = error.linePos?.[0];
    const where = pos ? ` at line ${pos.line}, column ${pos.col}` : '';
    // The parser's first line repeats the position ("… at line 4, column 1:"): say it once.
    const reason = (error.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
    throw new Error(`not valid JSON or YAML${where}: ${reason}`);
  }
  const root: unknown = doc.toJS({ maxAliasCount: 1000 });
  if (!isRecord(root)) throw new Error('not a CloudFormation template: the top level is not a mapping');
  if (!isRecord(root.Resources) && root.Transform === undefined) {
    throw new Error('not a CloudFormation template: it has no Resources section');
  }
  for (const [logicalId, resource] of Object.entries(isRecord(root.Resources) ? root.Resources : {})) {
    if (!isRecord(resource) || typeof resource.Type !== 'string') {
      throw new Error(`not a valid template: resource ${logicalId} has no Type`);
    }
  }
  const parameters = isRecord(root.Parameters) ? root.Parameters : {};
  return {
    parameters: Object.entries(parameters).map(([key, declaration]) => ({
      key,
      noEcho: isRecord(declaration) && String(declaration.NoEcho).toLowerCase() === 'true',
      hasDefault: isRecord(declaration) && declaration.Default !== undefined,
      default: isRecord(declaration) ? defaultText(declaration.Default) : undefined,
    })),
    outputs: isRecord(root.Outputs) ? Object.keys(root.Outputs) : [],
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

/** Keys of the template's NoEcho parameters: their values are never printed. */
export function noEchoKeys(template: { parameters: TemplateParameter[] }): Set<string> {
  return new Set(template.parameters.filter((p) => p.noEcho).map((p) => p.key));
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
