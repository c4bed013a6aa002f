import * as core from '@actions/core';
import { parseSettings } from '../config/index.js';
import { provenanceFrom } from '../config/provenance.js';
import type { Settings } from '../config/settings.js';

/** Reads every input once and validates it into Settings; a bad value throws before any AWS call. */
export function readSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  return parseSettings((name) => core.getInput(name), {
    workspace: env.GITHUB_WORKSPACE || process.cwd(),
    defaultRegion: env.AWS_REGION || env.AWS_DEFAULT_REGION,
    provenance: provenanceFrom(env),
  });
}

/** The token for the pull-request comment, masked at once. */
export function readGithubToken(): string {
  const token = core.getInput('github-token');
  if (token) core.setSecret(token);
  return token;
}
