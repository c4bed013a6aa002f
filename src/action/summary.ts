import * as core from '@actions/core';
import { errorMessage } from '../errors.js';
import { SUMMARY_LIMIT, renderMarkdown } from '../report/markdown.js';
import type { DeployReport } from '../report/model.js';

/** The report as the step's job summary, within GitHub's 1 MiB; a summary that cannot be written only warns. */
export async function writeSummary(report: DeployReport, secrets: readonly string[]): Promise<void> {
  try {
    const markdown = renderMarkdown(report, { maxBytes: SUMMARY_LIMIT, secrets, fullReport: 'the job log' });
    await core.summary.addRaw(markdown).write();
  } catch (error) {
    core.warning(`Could not write the job summary: ${errorMessage(error)}`);
  }
}
