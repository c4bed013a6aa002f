import * as core from '@actions/core';
import { clientFactory } from '../aws/clients.js';
import { cancellationSignal } from '../cancel.js';
import { deploy } from '../engine/deploy.js';
import { describeError } from '../errors.js';
import { secretValues } from '../report/mask.js';
import { postComment } from './comment.js';
import { readEvent } from './event.js';
import { githubIdToken } from './id-token.js';
import { readGithubToken, readSettings } from './inputs.js';
import { coreLogger } from './logger.js';
import { exportCredentials, setOutputs } from './outputs.js';
import { writeSummary } from './summary.js';

/** The action: inputs → Settings → engine → outputs, summary, comment. One catch → setFailed. */
export async function run(): Promise<void> {
  try {
    const settings = readSettings();
    const token = readGithubToken();
    const signal = cancellationSignal();
    const { report, credentials } = await deploy(settings, {
      clients: clientFactory(settings.region, settings.environment, signal),
      logger: coreLogger,
      idToken: githubIdToken,
      signal,
    });
    if (credentials && settings.exportCredentials) exportCredentials(credentials, settings.region);
    setOutputs(report);
    // On a pull request GITHUB_SHA is a merge commit nobody has seen; reviewers know the head commit.
    const event = readEvent();
    const head = event.payload.pull_request?.head?.sha;
    if (head) report.commit = head;
    const secrets = secretValues(settings);
    await writeSummary(report, secrets);
    await postComment(report, settings.comment, token, secrets, event);
    if (report.result === 'failed') {
      core.setFailed([report.failure?.message, report.failure?.hint].filter(Boolean).join('\n'));
    } else {
      core.info(`Result: ${report.result}.`);
    }
  } catch (error) {
    core.setFailed(describeError(error));
  }
}
