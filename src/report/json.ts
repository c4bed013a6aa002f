/** DeployReport → JSON, for scripts: the whole model, secrets masked by the same rules as every other output. */
import { maskedReport } from './mask.js';
import type { DeployReport } from './model.js';

export function renderJson(report: DeployReport, options: { secrets?: readonly string[] } = {}): string {
  return `${JSON.stringify(maskedReport(report, options.secrets ?? []), null, 2)}\n`;
}
