import { bestEffort } from './cleanup.js';
import type { StackChangeContext } from './context.js';

/** Waits for the checks running alongside (ADR 007); when they fail, removes what this run made and fails with them. */
export async function passChecks(ctx: StackChangeContext, undo: () => Promise<void>): Promise<void> {
  try {
    await ctx.checks;
  } catch (error) {
    await bestEffort(undo, ctx.logger);
    throw error;
  }
}
