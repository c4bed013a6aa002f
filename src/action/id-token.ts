import * as core from '@actions/core';
import { UserError } from '../errors.js';

/** core.getIDToken, with the one mistake everybody makes turned into the fix. */
export async function githubIdToken(audience: string): Promise<string> {
  if (!process.env.ACTIONS_ID_TOKEN_REQUEST_URL || !process.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN) {
    throw new UserError(
      "No GitHub OIDC token is available to this job, so 'role-arn' cannot be assumed.",
      [
        'Grant the job the right to request one:',
        '  permissions:',
        '    id-token: write',
        '    contents: read',
        'Pull requests from forks never get a token; run the plan for them without role-arn, or skip it.',
      ].join('\n'),
    );
  }
  const token = await core.getIDToken(audience);
  core.setSecret(token);
  return token;
}
