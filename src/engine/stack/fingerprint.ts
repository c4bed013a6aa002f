import { createHash } from 'node:crypto';
import type { Settings } from '../../config/settings.js';

/**
 * A hash of everything that decides what a change set does: template, parameters, user tags,
 * capabilities and execution role. It is written into the change set's Description (so `execute`
 * can prove it runs what was reviewed) and into a stack tag (so an unchanged redeploy is recognised
 * without creating a change set).
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

/** The fingerprint recorded in a change set's Description, if any. */
export function fingerprintFromDescription(description: string | undefined): string | undefined {
  const match = /multi-account-deploy sha256:([0-9a-f]{64})/.exec(description ?? '');
  return match?.[1];
}
