/** Where the engine writes what a person reads while a run goes on. The action backs it by @actions/core, the CLI by the console. */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  debug(message: string): void;
  /** Runs `fn` inside a collapsible group (the action) or under a heading (the CLI). */
  group<T>(title: string, fn: () => Promise<T>): Promise<T>;
  /** Registers a value that must never be printed again. */
  mask(secret: string): void;
}

/** A console logger that masks registered secrets itself (the runner does it for the action). */
export function consoleLogger(options: { verbose?: boolean; stream?: NodeJS.WritableStream } = {}): Logger {
  const out = options.stream ?? process.stderr;
  const secrets = new Set<string>();
  const scrub = (text: string): string => {
    let result = text;
    for (const secret of secrets) result = result.split(secret).join('***');
    return result;
  };
  const write = (prefix: string, message: string): void => {
    out.write(`${prefix}${scrub(message)}\n`);
  };
  return {
    info: (m) => write('', m),
    warn: (m) => write('warning: ', m),
    error: (m) => write('error: ', m),
    debug: (m) => {
      if (options.verbose) write('debug: ', m);
    },
    async group(title, fn) {
      write('', `── ${title}`);
      return fn();
    },
    mask: (secret) => {
      if (secret.length >= 4) secrets.add(secret);
    },
  };
}

/** A logger that drops everything: for unit tests and library use. */
export const silentLogger: Logger = {
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  debug: () => undefined,
  group: (_title, fn) => fn(),
  mask: () => undefined,
};
