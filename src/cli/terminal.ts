/**
 * The engine's Logger on a terminal: lines on stderr (stdout carries the report), secrets masked, and while
 * the engine waits a live line — a spinner redrawn in place on a TTY, plain lines every few seconds otherwise.
 */
import { plainProgress, progressLine, type Logger, type Progress } from '../logger.js';
import { painter } from '../report/text.js';

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export interface TerminalOptions {
  stream: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  verbose?: boolean;
  color?: boolean;
  now?: () => number;
}

export function terminalLogger(options: TerminalOptions): Logger {
  const out = options.stream;
  const paint = painter(options.color ?? false);
  const now = options.now ?? Date.now;
  const secrets = new Set<string>();
  const scrub = (text: string): string => {
    let result = text;
    for (const s of secrets) result = result.split(s).join('***');
    return result;
  };
  const live = out.isTTY ? spinner(out, scrub, now) : undefined;
  const write = (line: string): void => {
    live?.clear();
    out.write(`${scrub(line)}\n`);
    live?.draw();
  };
  return {
    info: (m) => write(m),
    warn: (m) => write(`${paint.yellow('warning:')} ${m}`),
    error: (m) => write(`${paint.red('error:')} ${m}`),
    debug: (m) => {
      if (options.verbose) write(paint.dim(`debug: ${m}`));
    },
    async group(title, fn) {
      write(paint.bold(`── ${title}`));
      return fn();
    },
    mask: (secret) => {
      if (secret.length >= 4) secrets.add(secret);
    },
    progress: live ? (state) => live.set(state) : plainProgress(write, { now }),
  };
}

/** One line at the bottom, redrawn ten times a second while a wait lasts. */
function spinner(
  out: TerminalOptions['stream'],
  scrub: (s: string) => string,
  now: () => number,
): { set(state: Progress | undefined): void; clear(): void; draw(): void } {
  let state: Progress | undefined;
  let frame = 0;
  let drawn = false;
  let timer: ReturnType<typeof setInterval> | undefined;
  const clear = (): void => {
    if (drawn) out.write('\r\x1b[2K');
    drawn = false;
  };
  const draw = (): void => {
    if (!state) return;
    const width = (out.columns || 100) - 1;
    const line = `${FRAMES[frame++ % FRAMES.length]} ${progressLine(state, now())}`;
    out.write(`\r\x1b[2K${scrub(line).slice(0, width)}`);
    drawn = true;
  };
  return {
    set(next) {
      state = next;
      if (!next) {
        if (timer) clearInterval(timer);
        timer = undefined;
        clear();
        return;
      }
      if (!timer) {
        timer = setInterval(draw, 100);
        timer.unref?.();
      }
      draw();
    },
    clear,
    draw,
  };
}
