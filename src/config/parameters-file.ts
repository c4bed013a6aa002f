import { parseDocument } from 'yaml';
import type { Parameter, Tag } from './settings.js';
import { isRecord } from './template.js';

/** Parameters (and tags) read from a `parameters` file. */
export interface ParametersFile {
  parameters: Parameter[];
  tags: Tag[];
}

/**
 * Accepts the three formats users already have, in JSON or YAML:
 * - the CloudFormation CLI list: `[{"ParameterKey": "K", "ParameterValue": "V"}]` (or `UsePreviousValue`);
 * - the CodePipeline template configuration: `{"Parameters": {"K": "V"}, "Tags": {"T": "V"}}`;
 * - a plain map: `{"K": "V"}`.
 * Throws an Error whose message says where the file is wrong.
 */
export function parseParametersFile(text: string): ParametersFile {
  const doc = parseDocument(text, { logLevel: 'silent' });
  const error = doc.errors[0];
  if (error) {
    const pos = error.linePos?.[0];
    const where = pos ? `line ${pos.line}, column ${pos.col}` : 'somewhere';
    if (error.code === 'DUPLICATE_KEY') throw new Error(`duplicate key at ${where}`);
    throw new Error(`syntax error at ${where}: ${error.message.split('\n')[0]}`);
  }
  const root: unknown = doc.toJS();
  if (root === null || root === undefined) return { parameters: [], tags: [] };
  if (Array.isArray(root)) {
    const parameters = root.map(listEntry);
    const twice = parameters.find((p, i) => parameters.findIndex((q) => q.key === p.key) !== i);
    if (twice) throw new Error(`duplicate key: ParameterKey ${twice.key} appears twice`);
    return { parameters, tags: [] };
  }
  if (!isRecord(root)) throw new Error('expected a list of {ParameterKey, ParameterValue} or a mapping');
  if (isRecord(root.Parameters) || isRecord(root.Tags)) {
    const unknown = Object.keys(root).filter((k) => !['Parameters', 'Tags', 'StackPolicy'].includes(k));
    if (unknown.length > 0) {
      throw new Error(
        `a template configuration file has only Parameters, Tags and StackPolicy, not ${unknown.join(', ')}`,
      );
    }
    return {
      parameters: mapEntries(root.Parameters, 'Parameters').map(([key, value]) => ({ key, value })),
      tags: mapEntries(root.Tags, 'Tags').map(([key, value]) => ({ key, value })),
    };
  }
  return { parameters: mapEntries(root, 'the file').map(([key, value]) => ({ key, value })), tags: [] };
}

function listEntry(entry: unknown, index: number): Parameter {
  const where = `entry ${index + 1}`;
  if (!isRecord(entry) || typeof entry.ParameterKey !== 'string' || entry.ParameterKey === '') {
    throw new Error(
      `${where} has no ParameterKey (expected {"ParameterKey": "Name", "ParameterValue": "value"})`,
    );
  }
  const key = entry.ParameterKey;
  if (entry.UsePreviousValue === true) return { key, usePreviousValue: true };
  if (entry.ParameterValue === undefined) {
    throw new Error(`${where} (${key}) has neither ParameterValue nor "UsePreviousValue": true`);
  }
  return { key, value: scalar(entry.ParameterValue, `${where} (${key})`) };
}

function mapEntries(value: unknown, where: string): [string, string][] {
  if (value === undefined || value === null) return [];
  if (!isRecord(value)) throw new Error(`${where} must be a mapping of names to values`);
  return Object.entries(value).map(([key, v]) => [key, scalar(v, `${where}.${key}`)]);
}

/** Numbers and booleans become their text; a list becomes the comma-delimited text CloudFormation expects. */
function scalar(value: unknown, where: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value) && value.every((v) => ['string', 'number', 'boolean'].includes(typeof v))) {
    return value.map(String).join(',');
  }
  throw new Error(`${where} must be a string, number, boolean or a list of them`);
}
