import * as core from '@actions/core';
import type { AccountCredentials } from '../engine/credentials.js';
import type { DeployReport } from '../report/model.js';

const FIXED = [
  'account-id',
  'result',
  'stack-id',
  'stack-status',
  'change-set-name',
  'change-set-id',
  'has-changes',
  'destructive',
  'outputs',
];

/** The step outputs of action.yml, plus one output per stack Output. */
export function setOutputs(report: DeployReport): void {
  const values: Record<string, string> = {
    'account-id': report.accountId ?? '',
    result: report.result,
    'stack-id': report.stackId ?? '',
    'stack-status': report.stackStatus ?? '',
    'change-set-name': report.changeSet?.name ?? '',
    'change-set-id': report.changeSet?.id ?? '',
    'has-changes': String(report.changes.length > 0 || !!report.otherChanges),
    destructive: String(report.destructive.length > 0),
    outputs: JSON.stringify(Object.fromEntries(report.outputs.map((o) => [o.key, o.value]))),
  };
  for (const [name, value] of Object.entries(values)) core.setOutput(name, value);
  for (const o of report.outputs) {
    if (FIXED.includes(o.key))
      core.warning(`Stack output ${o.key} has the name of a fixed output; read it from the 'outputs' JSON.`);
    else core.setOutput(o.key, o.value);
  }
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
