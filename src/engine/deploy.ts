import type { Stack } from '@aws-sdk/client-cloudformation';
import type { AwsClients, ClientFactory } from '../aws/clients.js';
import { CancelledError, UserError, failureOf } from '../errors.js';
import type { Logger } from '../logger.js';
import { MASK, secretValues } from '../report/mask.js';
import { ECR_PHASE, type DeployReport, type ParameterValue, type Timing } from '../report/model.js';
import type { Settings } from '../config/settings.js';
import { noEchoKeys } from '../config/template.js';
import { obtainCredentials, type AccountCredentials, type IdTokenSource } from './credentials/index.js';
import { driftGuard, driftRefusal, type DriftGuard } from './drift/index.js';
import { ensureLifecyclePolicies } from './ecr/index.js';
import { heldLogger } from './held-logger.js';
import { describeStack, runStackChange } from './stack/index.js';

export interface EngineDeps {
  clients: ClientFactory;
  logger: Logger;
  idToken?: IdTokenSource;
  signal?: AbortSignal;
  now?: () => number;
}

export interface DeployOutcome {
  report: DeployReport;
  /** The account's credentials, for the edge to hand to later steps. Never part of the report. */
  credentials?: AccountCredentials;
}

/**
 * One run for one stack in one account: credentials → permissions → ensure ECR, and alongside them the change
 * set's creation; its execution waits for them (ADR 003, ADR 007).
 * Every failure after the inputs becomes a `failed` report, so the summary and comment still tell what happened.
 */
export async function deploy(settings: Settings, deps: EngineDeps): Promise<DeployOutcome> {
  const now = deps.now ?? Date.now;
  const started = now();
  const deadline = started + settings.timeoutMinutes * 60_000;
  const timings: Timing[] = [];
  const timed = async <T>(phase: string, fn: () => Promise<T>): Promise<T> => {
    const t0 = now();
    try {
      return await deps.logger.group(phase, fn);
    } finally {
      timings.push({ phase, ms: now() - t0 });
    }
  };
  const report: DeployReport = {
    environment: settings.environment,
    region: settings.region,
    stackName: settings.stackName,
    mode: settings.mode,
    result: 'failed',
    changes: [],
    destructive: [],
    parameters: maskedParameters(settings),
    outputs: [],
    events: [],
    ecr: [],
    timings,
    runUrl: settings.provenance.runUrl,
    commit: settings.provenance.sha,
    notes: [],
  };
  // NoEcho and secret-looking parameter values must never be printed, whatever prints them.
  for (const secret of secretValues(settings)) deps.logger.mask(secret);
  for (const warning of settings.warnings) deps.logger.warn(warning);
  let credentials: AccountCredentials | undefined;
  let drift: DriftGuard | undefined;
  // The stack is read while the identity is checked (a read changes nothing; it saves a round trip). With
  // `permissions: apply` the stack phase starts only after that, so it reads the stack itself then.
  let stackRead: Promise<Stack | undefined> | undefined;
  const alongside = (identityClients: AwsClients): void => {
    if (settings.permissions === 'apply') return;
    stackRead = describeStack(identityClients.cloudformation, settings.stackName);
    // Awaited by the stack phase; a run refused before it must not leave an unhandled rejection.
    stackRead.catch(() => undefined);
  };
  try {
    const account = await timed('Credentials', () => obtainCredentials(settings, { ...deps, alongside }));
    credentials = account;
    report.accountId = account.accountId;
    deps.logger.info(
      `Deploying as ${account.callerArn} in account ${account.accountId}, ${settings.region}.`,
    );
    // A provider, not fixed keys: a wait longer than the session assumes the role again (credentials room).
    const creds = account.provider ?? account.credentials;
    const clients = deps.clients(creds);
    // Single-attempt clients for calls whose failure only earns a note (unsupported or optional APIs).
    const bestEffort = deps.clients(creds, { maxAttempts: 1 });
    // After a cancel: clients the signal does not stop, within the runner's grace period (SIGTERM comes ~7.5 s after SIGINT).
    const cleanup = () => deps.clients(creds, { maxAttempts: 3, signal: AbortSignal.timeout(6_000) });
    // Repositories the template itself creates: ensured after the deploy, once they exist.
    const deferred: string[] = [];
    // The change set is made while the checks run (ADR 007): making one changes nothing, and nothing is
    // executed or kept, nor written to ECR or IAM, unless the permissions check passed.
    const checks = runChecks(
      settings,
      account,
      { clients, bestEffort, logger: deps.logger },
      report,
      timed,
      deferred,
    );
    // Drift detection runs alongside the change set: the stack lifecycle starts it and consults it.
    drift = driftGuard(settings, {
      clients,
      bestEffort,
      logger: deps.logger,
      deadline,
      signal: deps.signal,
      now,
    });
    // `permissions: apply` may be what gives the role the right to make change sets: wait for it first.
    if (settings.permissions === 'apply') await checks;
    const stackLogs = heldLogger(deps.logger);
    const t0 = now();
    const pending = runStackChange(settings, {
      clients,
      bestEffort,
      logger: stackLogs.logger,
      accountId: account.accountId,
      deadline,
      signal: deps.signal,
      checks,
      cleanup,
      guard: drift,
      stackRead,
    });
    // Handled below, after the checks; this only keeps an early failure from counting as unhandled.
    pending.catch(() => undefined);
    const [checked] = await Promise.allSettled([checks]);
    // The change set's lines so far, then live: the log reads one phase after the other.
    const change = await deps.logger
      .group('Change set', async () => {
        stackLogs.release();
        return pending;
      })
      .finally(() => timings.push({ phase: 'Change set', ms: now() - t0 }))
      // A failed check is the run's failure (the change set was deleted because of it).
      .catch((error: unknown) => Promise.reject(checked.status === 'rejected' ? checked.reason : error));
    if (checked.status === 'rejected') throw checked.reason;
    Object.assign(report, change, { notes: [...report.notes, ...change.notes] });
    if (deferred.length > 0 && (change.result === 'deployed' || change.result === 'executed')) {
      // Repositories the stack itself created exist now: ensure them (a pattern still matching nothing fails).
      const made = await timed(`${ECR_PHASE} (after deploy)`, async () =>
        ensureLifecyclePolicies(
          { ...settings, ecrRepositories: deferred },
          { ecr: await clients.ecr(), logger: deps.logger, afterDeploy: true },
        ),
      );
      report.ecr = [...report.ecr.filter((f) => f.status !== 'created-by-stack'), ...made];
    }
  } catch (error) {
    report.result = 'failed';
    // Cancelled before the stack phase (credentials, permissions, ECR): nothing of the stack was touched.
    const reason: unknown = deps.signal?.reason;
    const cancelled =
      deps.signal?.aborted && !(error instanceof CancelledError)
        ? new CancelledError(reason instanceof CancelledError ? reason.signal : 'cancel')
        : error;
    report.failure = failureOf(cancelled);
  }
  report.drift = await drift?.finding();
  // `drift: fail` on a plan or a run with nothing to execute: the run fails on drift all the same.
  const refused = report.drift && report.result !== 'failed' && driftRefusal(report.drift, settings);
  if (refused) {
    report.result = 'failed';
    report.failure = refused;
  }
  timings.push({ phase: 'Total', ms: now() - started });
  return { report, credentials };
}

type Timed = <T>(phase: string, fn: () => Promise<T>) => Promise<T>;

/**
 * What must pass before the change set is executed, in order: permissions (before any write), then ECR
 * lifecycle policies (writes). Their findings go into the report whatever happens.
 */
async function runChecks(
  settings: Settings,
  account: AccountCredentials,
  ctx: { clients: AwsClients; bestEffort: AwsClients; logger: Logger },
  report: DeployReport,
  timed: Timed,
  deferred: string[],
): Promise<void> {
  if (settings.permissions !== 'off') {
    const { checkPermissions, permissionsFailure } = await import('./permissions/index.js');
    const found = await timed('Permissions', () => checkPermissions(settings, account, ctx));
    report.permissions = found;
    const refusal = permissionsFailure(found);
    if (refusal) throw new UserError(refusal.message, refusal.hint);
  }
  if (settings.ecrRepositories.length > 0) {
    report.ecr = await timed(ECR_PHASE, async () =>
      // The ECR client loads on demand: most runs have no repositories to ensure.
      ensureLifecyclePolicies(settings, { ecr: await ctx.clients.ecr(), logger: ctx.logger, deferred }),
    );
  }
}

/** This run's parameter values for the report, NoEcho ones masked (an empty one stays visibly empty). */
function maskedParameters(settings: Settings): ParameterValue[] {
  const noEcho = noEchoKeys(settings.template);
  return settings.parameters.map((p) => ({
    key: p.key,
    value: p.usePreviousValue ? '(previous value)' : noEcho.has(p.key) && p.value ? MASK : (p.value ?? ''),
  }));
}
