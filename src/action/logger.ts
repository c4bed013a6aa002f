import * as core from '@actions/core';
import { plainProgress, type Logger } from '../logger.js';

/** The engine's Logger on a runner: groups fold in the log, masked values become *** everywhere. */
export const coreLogger: Logger = {
  info: (m) => core.info(m),
  warn: (m) => core.warning(m),
  error: (m) => core.error(m),
  debug: (m) => core.debug(m),
  group: (title, fn) => core.group(title, fn),
  mask: (secret) => {
    if (secret) core.setSecret(secret);
  },
  // Plain lines: a runner's log has no live line to redraw.
  progress: plainProgress((line) => core.info(line)),
};
