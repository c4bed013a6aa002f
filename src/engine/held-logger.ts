import type { Logger } from '../logger.js';

/**
 * A logger whose lines wait until `release()`, for a phase that runs alongside another one: the log still reads
 * one phase after the other while the work overlaps. Secrets are registered at once, never held.
 */
export function heldLogger(target: Logger): { logger: Logger; release(): void } {
  let queue: ((to: Logger) => void)[] | undefined = [];
  const emit = (line: (to: Logger) => void): void => {
    if (queue) queue.push(line);
    else line(target);
  };
  return {
    logger: {
      info: (m) => emit((to) => to.info(m)),
      warn: (m) => emit((to) => to.warn(m)),
      error: (m) => emit((to) => to.error(m)),
      debug: (m) => emit((to) => to.debug(m)),
      // The held phase is one group of the caller's; it does not open groups of its own.
      group: (_title, fn) => fn(),
      mask: (secret) => target.mask(secret),
      // A live line is only worth showing live: while held, it is dropped.
      progress: (state) => {
        if (!queue) target.progress(state);
      },
    },
    release() {
      const lines = queue ?? [];
      queue = undefined;
      for (const line of lines) line(target);
    },
  };
}
