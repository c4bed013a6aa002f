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
  /**
   * What a wait is doing now, each time the engine looks (undefined: the wait is over). The edge shows it as a
   * live line: a spinner on a terminal, a plain line at least every few seconds in a log.
   */
  progress(state: Progress | undefined): void;
}

/** The state of one wait, for the live line. */
export interface Progress {
  /** What is waited for, e.g. "the change set to be created". */
  what: string;
  /** When the wait began (ms since the epoch). */
  since: number;
  /** The latest thing seen: a status, or the newest stack event. */
  latest?: string;
}

/** How often a plain progress line repeats while nothing new happens. */
export const PROGRESS_INTERVAL_MS = 5_000;

/** "Waiting for X · 12 s · latest" */
export function progressLine(state: Progress, now: number): string {
  const seconds = Math.max(0, Math.round((now - state.since) / 1000));
  return [`Waiting for ${state.what}`, `${seconds} s`, state.latest].filter(Boolean).join(' · ');
}

/**
 * Progress as plain lines (CI logs, the action): one when a wait starts or its latest state changes, and again
 * every `intervalMs` while it lasts, so a log never goes quiet for longer than that.
 */
export function plainProgress(
  write: (line: string) => void,
  options: { intervalMs?: number; now?: () => number } = {},
): (state: Progress | undefined) => void {
  const now = options.now ?? Date.now;
  let current: Progress | undefined;
  let shown = '';
  let timer: ReturnType<typeof setInterval> | undefined;
  const emit = (): void => {
    if (!current) return;
    shown = `${current.what}|${current.latest ?? ''}`;
    write(progressLine(current, now()));
  };
  return (state) => {
    current = state;
    if (!state) {
      if (timer) clearInterval(timer);
      timer = undefined;
      shown = '';
      return;
    }
    if (`${state.what}|${state.latest ?? ''}` !== shown) emit();
    if (!timer) {
      timer = setInterval(emit, options.intervalMs ?? PROGRESS_INTERVAL_MS);
      timer.unref?.();
    }
  };
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
    progress: plainProgress((line) => write('', line)),
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
  progress: () => undefined,
};
