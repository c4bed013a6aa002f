/**
 * The ECR room: lifecycle policies of the deploy account's repositories. Parsing the policy file is cheap and
 * used by config; ensuring the policies needs the ECR SDK, so it is loaded on first use (ADR 001).
 */
import type { EcrFinding } from '../../report/model.js';
import type { EcrDeps, EcrSettings } from './lifecycle.js';

export { parseLifecyclePolicy } from './policy.js';
export type { EcrDeps, EcrSettings } from './lifecycle.js';

export async function ensureLifecyclePolicies(settings: EcrSettings, deps: EcrDeps): Promise<EcrFinding[]> {
  const { ensureLifecyclePolicies: ensure } = await import('./lifecycle.js');
  return ensure(settings, deps);
}
