import type { ResourceChange as CfnResourceChange } from '@aws-sdk/client-cloudformation';
import { isRecord } from '../../config/template.js';

export type Props = Record<string, unknown>;

/** A resource's properties before and after a change, as far as they are known. */
export interface PropertyValues {
  before?: Props;
  after?: Props;
}

/** The template resources a change can fall back on, with the parameter values `Ref` resolves to. */
export interface TemplateSide {
  resources: Record<string, unknown>;
  parameters: Map<string, string>;
}

/**
 * Before and after properties, from the best source there is: the change's BeforeContext/AfterContext
 * (IncludePropertyValues), else its details' BeforeValue/AfterValue set at their property paths, else
 * (top-level resources only) the templates themselves, parameter `Ref`s resolved.
 */
export function propertyValues(
  rc: CfnResourceChange,
  templates: { current?: TemplateSide; deployed?: TemplateSide },
  topLevel: boolean,
): PropertyValues {
  const added = rc.Action === 'Add';
  const removed = rc.Action === 'Remove';
  const fromContext = {
    before: propertiesOf(rc.BeforeContext),
    after: propertiesOf(rc.AfterContext),
  };
  if (fromContext.after || fromContext.before) {
    return { before: added ? {} : fromContext.before, after: removed ? undefined : fromContext.after };
  }
  const fromDetails = detailValues(rc);
  if (fromDetails) return { before: added ? {} : fromDetails.before, after: fromDetails.after };
  if (!topLevel || !rc.LogicalResourceId) return {};
  const id = rc.LogicalResourceId;
  return {
    before: added ? {} : templateProperties(templates.deployed, id),
    after: removed ? undefined : templateProperties(templates.current, id),
  };
}

/** AfterContext is `{"Properties": {...}, ...}`; a bare property map is taken as it is. */
function propertiesOf(context: string | undefined): Props | undefined {
  const parsed = parseJson(context);
  if (!isRecord(parsed)) return undefined;
  return isRecord(parsed.Properties) ? parsed.Properties : parsed;
}

function detailValues(rc: CfnResourceChange): PropertyValues | undefined {
  const before: Props = {};
  const after: Props = {};
  let any = false;
  for (const d of rc.Details ?? []) {
    const t = d.Target;
    if (!t || t.Attribute !== 'Properties' || (t.BeforeValue === undefined && t.AfterValue === undefined))
      continue;
    const path = t.Path ? t.Path.split('/').filter(Boolean) : ['Properties', t.Name ?? ''];
    const segments = path[0] === 'Properties' ? path.slice(1) : path;
    if (segments.length === 0) continue;
    any = true;
    if (t.BeforeValue !== undefined) setAt(before, segments, parseJson(t.BeforeValue) ?? t.BeforeValue);
    if (t.AfterValue !== undefined) setAt(after, segments, parseJson(t.AfterValue) ?? t.AfterValue);
  }
  return any ? { before, after } : undefined;
}

function setAt(root: Props, segments: string[], value: unknown): void {
  let node: Record<string, unknown> | unknown[] = root;
  segments.forEach((segment, i) => {
    const last = i === segments.length - 1;
    const key = Array.isArray(node) ? Number(segment) : segment;
    const container = node as Record<string | number, unknown>;
    if (last) {
      container[key] = value;
      return;
    }
    const next = segments[i + 1] ?? '';
    if (typeof container[key] !== 'object' || container[key] === null)
      container[key] = /^\d+$/.test(next) ? [] : {};
    node = container[key] as Record<string, unknown> | unknown[];
  });
}

function templateProperties(side: TemplateSide | undefined, logicalId: string): Props | undefined {
  const resource = side?.resources[logicalId];
  if (!side || !isRecord(resource)) return undefined;
  const props = isRecord(resource.Properties) ? resource.Properties : {};
  return resolveRefs(props, side.parameters) as Props;
}

function resolveRefs(value: unknown, parameters: Map<string, string>): unknown {
  if (Array.isArray(value)) return value.map((v) => resolveRefs(v, parameters));
  if (!isRecord(value)) return value;
  const keys = Object.keys(value);
  if (keys.length === 1 && typeof value.Ref === 'string' && parameters.has(value.Ref))
    return parameters.get(value.Ref);
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveRefs(v, parameters)]));
}

export function parseJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
