/**
 * The drift room: drift detection on the existing stack, started when the stack lifecycle has settled the stack
 * and running while its change set is created (so a plan gets no slower), then CloudTrail attribution of each
 * drifted resource. It is the lifecycle's StackGuard: `fail` refuses before ExecuteChangeSet, `revert` makes the
 * change set drift-aware (REVERT_DRIFT). Never throws: what could not be learnt is said in the finding.
 */
import type { Change, Stack } from '@aws-sdk/client-cloudformation';
import type { AwsClients } from '../../aws/clients.js';
import type { Settings } from '../../config/settings.js';
import type { Logger } from '../../logger.js';
import { driftLine } from '../../report/drift-section.js';
import type { DriftFinding } from '../../report/model.js';
import type { StackGuard } from '../stack/index.js';
import { attribute } from './cloudtrail.js';
import { detectDrift, short } from './detect.js';
import { revertsOf } from './reverts.js';

/** The longest a run waits for drift detection (it can take minutes on a large stack; AWS gives no bound). */
export const DRIFT_BUDGET_MS = 10 * 60_000;

export interface DriftDeps {
  clients: AwsClients;
  /** Single-attempt clients: DetectStackDrift on an endpoint without it costs one request. */
  bestEffort: AwsClients;
  logger: Logger;
  /** The run's deadline (ms since epoch). */
  deadline: number;
  signal?: AbortSignal;
  now?: () => number;
}

export interface DriftGuard extends StackGuard {
  /** What detection found (with the change set's reverts); undefined when it never started (a new stack). */
  finding(): Promise<DriftFinding | undefined>;
}

type Detected = Omit<DriftFinding, 'reverts'>;

/** The guard for this run's `drift` input; undefined for `off`. */
export function driftGuard(settings: Settings, deps: DriftDeps): DriftGuard | undefined {
  if (settings.drift === 'off') return undefined;
  const mode = settings.drift;
  let pending: Promise<Detected> | undefined;
  let changes: Change[] = [];
  return {
    deploymentMode: mode === 'revert' ? 'REVERT_DRIFT' : undefined,
    started(stack) {
      pending ??= check(stack, mode, settings, deps);
    },
    described(described) {
      changes = described;
    },
    // Every mode waits here: the stack must not change under a detection still reading it.
    async beforeExecute() {
      if (!pending) return undefined;
      const found = await pending;
      return mode === 'fail' ? driftRefusal({ ...found, reverts: [] }, settings) : undefined;
    },
    async finding() {
      if (!pending) return undefined;
      const found = await pending;
      const drifted = new Set(found.resources.map((r) => r.logicalId));
      return { ...found, reverts: mode === 'revert' ? revertsOf(changes, drifted) : [] };
    },
  };
}

async function check(
  stack: Stack,
  mode: DriftFinding['mode'],
  settings: Settings,
  deps: DriftDeps,
): Promise<Detected> {
  const now = deps.now ?? Date.now;
  try {
    deps.logger.info(`Detecting drift on stack ${settings.stackName} while the change set is made.`);
    const detection = await detectDrift(
      deps.clients.cloudformation,
      deps.bestEffort.cloudformation,
      stack.StackId ?? settings.stackName,
      { deadline: Math.min(deps.deadline, now() + DRIFT_BUDGET_MS), signal: deps.signal, now },
    );
    const ids = detection.drifted.flatMap((d) => (d.physicalId ? [d.physicalId] : []));
    const who = await attribute(ids, () => deps.clients.cloudtrail(), { now: now(), signal: deps.signal });
    const found: Detected = {
      mode,
      status: detection.status,
      checkedAt: detection.checkedAt,
      resources: detection.drifted.map((d) => ({
        ...d,
        changedBy: d.physicalId ? who.changedBy.get(d.physicalId) : undefined,
      })),
      notChecked: detection.notChecked,
      problem: detection.problem,
      attributionNote: who.note,
    };
    log(found, deps.logger);
    return found;
  } catch (error) {
    // Only a bug gets here (detect and attribute catch AWS errors): report it, never fail the run for it.
    return { mode, status: 'unknown', resources: [], notChecked: [], problem: short(error) };
  }
}

function log(found: Detected, logger: Logger): void {
  if (found.status === 'in-sync') logger.info('Drift: none; every checked resource matches the template.');
  for (const r of found.resources) logger.warn(`Drift: ${driftLine(r)}.`);
  // Not knowing is said in the report; a warning is for drift found.
  if (found.problem) logger.info(`Drift: ${found.problem}`);
  if (found.attributionNote) logger.info(found.attributionNote);
}

/**
 * `drift: fail`: the refusal for a drifted stack, naming each resource and who changed it; undefined when not
 * drifted. Drift that could not be checked does not refuse (the finding says why it is not known).
 */
export function driftRefusal(
  finding: DriftFinding,
  settings: Pick<Settings, 'stackName' | 'mode'>,
): { message: string; hint: string } | undefined {
  if (finding.mode !== 'fail' || finding.status !== 'drifted') return undefined;
  const list = finding.resources.map(driftLine).join('; ');
  const outcome =
    settings.mode === 'deploy'
      ? ' The change set was deleted; nothing was changed.'
      : settings.mode === 'execute'
        ? ' The reviewed change set was kept; nothing was executed.'
        : '';
  return {
    message: `${settings.mode === 'plan' ? 'Drift found' : 'Refusing to deploy over drift'}: stack ${settings.stackName} has resources changed outside CloudFormation: ${list}.${outcome}`,
    hint: 'Revert the drift (run with drift: revert, whose change set restores the template’s values), or accept it by updating the template to the actual values; then run again.',
  };
}
