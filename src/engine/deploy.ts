import type { ClientFactory } from '../aws/clients.js';
import { UserError, errorMessage } from '../errors.js';
import type { Logger } from '../logger.js';
import { MASK, secretValues } from '../report/mask.js';
import { ECR_PHASE, type DeployReport, type ParameterValue, type Timing } from '../report/model.js';
import type { Settings } from '../config/settings.js';
import { noEchoKeys } from '../config/template.js';
import { obtainCredentials, type AccountCredentials, type IdTokenSource } from './credentials/index.js';
import { driftGuard, driftRefusal, type DriftGuard } from './drift/index.js';
import { ensureLifecyclePolicies } from './ecr/index.js';
import { runStackChange } from './stack/index.js';

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
 * One run for one stack in one account: credentials → permissions → ensure ECR → change set (ADR 003).
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
  let credentials: AccountCredentials | undefined;
  let drift: DriftGuard | undefined;
  try {
    const account = await timed('Credentials', () => obtainCredentials(settings, deps));
    credentials = account;
    report.accountId = account.accountId;
    deps.logger.info(
      `Deploying as ${account.callerArn} in account ${account.accountId}, ${settings.region}.`,
    );
    const clients = deps.clients(account.credentials);
    // Single-attempt clients for calls whose failure only earns a note (unsupported or optional APIs).
    const bestEffort = deps.clients(account.credentials, { maxAttempts: 1 });
    if (settings.permissions !== 'off') {
      // Before any write: a role without the rights it needs fails here, with the list of what is missing.
      const { checkPermissions, permissionsFailure } = await import('./permissions/index.js');
      const found = await timed('Permissions', () =>
        checkPermissions(settings, account, {
          clients,
          bestEffort,
          logger: deps.logger,
        }),
      );
      report.permissions = found;
      const refusal = permissionsFailure(found);
      if (refusal) throw new UserError(refusal.message, refusal.hint);
    }
    if (settings.ecrRepositories.length > 0) {
      report.ecr = await timed(ECR_PHASE, async () =>
        // The ECR client loads on demand: most runs have no repositories to ensure.
        ensureLifecyclePolicies(settings, { ecr: await clients.ecr(), logger: deps.logger }),
      );
    }
    // Drift detection runs alongside the change set: the stack lifecycle starts it and consults it.
    drift = driftGuard(settings, {
      clients,
      bestEffort,
      logger: deps.logger,
      deadline,
      signal: deps.signal,
      now,
    });
    const change = await timed('Change set', () =>
      runStackChange(settings, {
        clients,
        bestEffort,
        logger: deps.logger,
        accountId: account.accountId,
        deadline,
        signal: deps.signal,
        guard: drift,
      }),
    );
    Object.assign(report, change, { notes: [...report.notes, ...change.notes] });
  } catch (error) {
    report.result = 'failed';
    report.failure = {
      message: errorMessage(error),
      hint: error instanceof UserError ? error.hint : undefined,
    };
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

/** This run's parameter values for the report, NoEcho ones masked. */
function maskedParameters(settings: Settings): ParameterValue[] {
  const noEcho = noEchoKeys(settings.template);
  return settings.parameters.map((p) => ({
    key: p.key,
    value: p.usePreviousValue ? '(previous value)' : noEcho.has(p.key) ? MASK : (p.value ?? ''),
  }));
}
