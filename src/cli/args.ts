/**
 * Command-line parsing: `multi-account-deploy COMMAND [--flag value | --flag=value | --switch]...`. A flag may
 * repeat (each value is a line of a multi-line input). Unknown commands and flags are usage errors (exit 2).
 */

/** A mistake in the command line itself: printed with the usage, exit code 2. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly usage: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface CommandSpec {
  name: string;
  /** Flags that take a value. */
  flags: readonly string[];
  /** Flags that take none. */
  switches: readonly string[];
  usage: string;
}

export interface Args {
  values: Map<string, string[]>;
  switches: Set<string>;
}

/** Flags every command takes. */
export const COMMON_FLAGS = ['profile', 'region', 'output'] as const;
export const COMMON_SWITCHES = ['verbose', 'help', 'json', 'no-color'] as const;

export function parseArgs(argv: readonly string[], spec: CommandSpec): Args {
  const values = new Map<string, string[]>();
  const switches = new Set<string>();
  const flags = new Set<string>([...spec.flags, ...COMMON_FLAGS]);
  const bools = new Set<string>([...spec.switches, ...COMMON_SWITCHES]);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '-h') {
      switches.add('help');
      continue;
    }
    const m = /^--([a-z][a-z0-9-]*)(?:=(.*))?$/s.exec(arg);
    const name = m?.[1];
    if (!m || !name) {
      throw new UsageError(
        arg.startsWith('-')
          ? `Unknown flag ${JSON.stringify(arg)} for ${spec.name}.`
          : `Unexpected argument ${JSON.stringify(arg)}: ${spec.name} takes flags only.`,
        spec.usage,
      );
    }
    if (bools.has(name)) {
      if (m[2] !== undefined && !/^(true|false)$/.test(m[2]))
        throw new UsageError(`--${name} takes no value (got "${m[2]}").`, spec.usage);
      if (m[2] !== 'false') switches.add(name);
      continue;
    }
    if (!flags.has(name)) throw new UsageError(`Unknown flag --${name} for ${spec.name}.`, spec.usage);
    const value = m[2] ?? argv[++i];
    if (value === undefined) throw new UsageError(`--${name} needs a value.`, spec.usage);
    values.set(name, [...(values.get(name) ?? []), value]);
  }
  return { values, switches };
}

/** The value of a flag (its repetitions as lines), '' when absent. */
export function flag(args: Args, name: string): string {
  return (args.values.get(name) ?? []).join('\n');
}

export type OutputFormat = 'text' | 'markdown' | 'json';

/** --output text|markdown|json (--json is the short form); text by default. */
export function outputFormat(args: Args, usage: string): OutputFormat {
  const raw = args.switches.has('json') ? 'json' : flag(args, 'output') || 'text';
  if (raw !== 'text' && raw !== 'markdown' && raw !== 'json')
    throw new UsageError(`--output is "${raw}": expected text, markdown or json.`, usage);
  return raw;
}
