import type { Settings } from '../config/settings.js';
import { noEchoKeys } from '../config/template.js';
import type { DeployReport } from './model.js';

/** What the masked part of a value is replaced by, in the report as in CloudFormation's own NoEcho display. */
export const MASK = '****';

/**
 * Names of properties, parameters and outputs whose values are secrets by convention. Masking a harmless value
 * by mistake (e.g. TokenValidity) costs little; printing a password costs a rotation.
 */
const SECRET_NAME =
  /pass(word|wd|phrase)|secret|token|private.?key|credential|api.?key|access.?key|signing.?key/i;
const PEM_PRIVATE_KEY = /-----BEGIN [A-Z ]*PRIVATE KEY-----/;

/** Secret values shorter than this are masked where they appear whole but not inside other text. */
const MIN_SCRUB = 4;

export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

/** The raw values that must never reach a summary or comment: NoEcho parameters and secret-looking ones. */
export function secretValues(settings: Pick<Settings, 'parameters' | 'template'>): string[] {
  const noEcho = noEchoKeys(settings.template);
  return settings.parameters
    .filter((p) => p.value && (noEcho.has(p.key) || isSecretName(p.key)))
    .map((p) => p.value ?? '');
}

/** Masks known secrets. `value()` masks a whole value; `scrub()` removes secrets from any text. */
export interface Masker {
  /** The value to show for `name` (a property path, parameter or output key): masked when secret. */
  value(name: string, value: string): string;
  /** Replaces every occurrence of a known secret in free text (error messages, event reasons...). */
  scrub(text: string): string;
}

export function masker(secrets: readonly string[] = []): Masker {
  const exact = new Set(secrets.filter(Boolean));
  // Longest first, so a secret that contains another is replaced whole.
  const inner = [...exact].filter((s) => s.length >= MIN_SCRUB).sort((a, b) => b.length - a.length);
  const scrub = (text: string): string => {
    let out = text;
    for (const s of inner) if (out.includes(s)) out = out.split(s).join(MASK);
    return out;
  };
  return {
    // An empty value hides nothing: shown as empty, so a reviewer sees that the secret was not set.
    value: (name, value) =>
      value === ''
        ? ''
        : isSecretName(name) || exact.has(value) || PEM_PRIVATE_KEY.test(value)
          ? MASK
          : scrub(value),
    scrub,
  };
}

/** A copy of the report with secrets masked, for output as data (the CLI's --json): the same rules as the markdown. */
export function maskedReport(report: DeployReport, secrets: readonly string[]): DeployReport {
  const m = masker(secrets);
  const masked = (name: string, value: string | undefined) =>
    value === undefined ? undefined : m.value(name, value);
  const copy: DeployReport = {
    ...report,
    changes: report.changes.map((c) => ({
      ...c,
      properties: c.properties.map((p) => ({
        ...p,
        before: masked(p.path, p.before),
        after: masked(p.path, p.after),
      })),
    })),
    parameters: report.parameters.map((p) => ({ ...p, value: m.value(p.key, p.value) })),
    outputs: report.outputs.map((o) => ({ ...o, value: m.value(o.key, o.value) })),
    drift: report.drift && {
      ...report.drift,
      resources: report.drift.resources.map((r) => ({
        ...r,
        properties: r.properties.map((p) => ({
          ...p,
          expected: masked(p.path, p.expected),
          actual: masked(p.path, p.actual),
        })),
      })),
    },
  };
  // Every other string (reasons, messages) is scrubbed of known secrets.
  return JSON.parse(JSON.stringify(copy), (_key, value: unknown) =>
    typeof value === 'string' ? m.scrub(value) : value,
  ) as DeployReport;
}
