import { createHash } from 'node:crypto';
import type { Settings } from '../../config/settings.js';

/**
 * A hash of everything that decides what a change set does: template, parameters, user tags,
 * capabilities and execution role — never per-run provenance, so the run that plans and the run that
 * executes agree. It goes into a stack tag (so an unchanged redeploy is recognised without creating a
 * change set) and, as a label for people, into the change set's Description. It proves nothing about
 * a change set: `execute` compares the change set itself (verify.ts, ADR 006).
 */
export function fingerprint(settings: Settings): string {
  const canonical = JSON.stringify({
    template: settings.template.body,
    parameters: settings.parameters.map((p) => [p.key, p.value ?? null, p.usePreviousValue ?? false]),
    tags: [...settings.tags].sort((a, b) => a.key.localeCompare(b.key)).map((t) => [t.key, t.value]),
    capabilities: [...settings.capabilities].sort(),
    executionRoleArn: settings.executionRoleArn ?? null,
  });
  return createHash('sha256').update(canonical).digest('hex');
}

export const DESCRIPTION_PREFIX = 'multi-account-deploy sha256:';
