import * as core from '@actions/core';
import type { AccountCredentials } from '../engine/credentials/index.js';
import type { DeployReport } from '../report/model.js';

export const FIXED = [
  'account-id',
  'result',
  'stack-id',
  'stack-status',
  'change-set-name',
  'change-set-id',
  'has-changes',
  'destructive',
  'drifted',
  'drifted-resources',
  'outputs',
];

/** The step outputs of action.yml plus one per stack Output, and a warning for an Output that cannot have its own. */
export function outputValues(report: DeployReport): { values: Record<string, string>; warnings: string[] } {
  const values: Record<string, string> = {
    'account-id': report.accountId ?? '',
    result: report.result,
    'stack-id': report.stackId ?? '',
    'stack-status': report.stackStatus ?? '',
    'change-set-name': report.changeSet?.name ?? '',
    'change-set-id': report.changeSet?.id ?? '',
    'has-changes': String(report.changes.length > 0 || !!report.otherChanges),
    destructive: String(report.destructive.length > 0),
    drifted: String(report.drift?.status === 'drifted'),
    'drifted-resources': JSON.stringify((report.drift?.resources ?? []).map((r) => r.logicalId)),
    outputs: JSON.stringify(Object.fromEntries(report.outputs.map((o) => [o.key, o.value]))),
  };
  const warnings: string[] = [];
  for (const o of report.outputs) {
    if (FIXED.includes(o.key))
      warnings.push(`Stack output ${o.key} has the name of a fixed output; read it from the 'outputs' JSON.`);
    else values[o.key] = o.value;
  }
  return { values, warnings };
}

export function setOutputs(report: DeployReport): void {
  const { values, warnings } = outputValues(report);
  for (const [name, value] of Object.entries(values)) core.setOutput(name, value);
  for (const w of warnings) core.warning(w);
}

/** The standard variables for later steps of the job (aws CLI, SDKs), masked first. */
export function exportCredentials(account: AccountCredentials, region: string): void {
  const c = account.credentials;
  if (!c) return;
  for (const secret of [c.accessKeyId, c.secretAccessKey, c.sessionToken ?? ''])
    if (secret) core.setSecret(secret);
  core.exportVariable('AWS_ACCESS_KEY_ID', c.accessKeyId);
  core.exportVariable('AWS_SECRET_ACCESS_KEY', c.secretAccessKey);
  if (c.sessionToken) core.exportVariable('AWS_SESSION_TOKEN', c.sessionToken);
  core.exportVariable('AWS_REGION', region);
  core.exportVariable('AWS_DEFAULT_REGION', region);
}
