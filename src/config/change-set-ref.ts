import { InputError } from '../errors.js';
import { CHANGE_SET_NAME } from './values.js';

/** A change set's ARN, as CreateChangeSet returns it (the plan's `change-set-id` output). */
export interface ChangeSetArn {
  arn: string;
  partition: string;
  region: string;
  accountId: string;
  name: string;
}

const CHANGE_SET_ARN =
  /^arn:(aws(?:-[a-z]+)*):cloudformation:([a-z]{2}(?:-[a-z]+)+-\d{1,2}):(\d{12}):changeSet\/([A-Za-z][A-Za-z0-9-]{0,127})\/([A-Za-z0-9-]{1,128})$/;

/** The parts of a change-set ARN; undefined for a plain name. */
export function parseChangeSetArn(value: string): ChangeSetArn | undefined {
  const m = CHANGE_SET_ARN.exec(value);
  if (!m) return undefined;
  return { arn: value, partition: m[1] ?? '', region: m[2] ?? '', accountId: m[3] ?? '', name: m[4] ?? '' };
}

/** The account of an IAM role ARN. */
function roleAccount(roleArn: string | undefined): string | undefined {
  return roleArn ? /^arn:[\w-]+:iam::(\d{12}):/.exec(roleArn)?.[1] : undefined;
}

/**
 * `change-set-name`: a name, or (for `mode: execute`) the ARN a plan reported, whose region must be this run's and
 * whose account must be the role's. Everything is checked before any AWS request.
 */
export function changeSetReference(
  value: string,
  run: { mode: string; region: string; roleArn?: string },
): string {
  if (!value.startsWith('arn:')) {
    if (!CHANGE_SET_NAME.test(value))
      throw new InputError(
        'change-set-name',
        value,
        'a change-set name (starts with a letter; letters, digits and hyphens; ≤ 128) or a change-set ARN',
      );
    return value;
  }
  const arn = parseChangeSetArn(value);
  if (!arn)
    throw new InputError(
      'change-set-name',
      value,
      'a change-set ARN such as arn:aws:cloudformation:eu-west-1:111111111111:changeSet/mad-release-0123456-42-1-plan-1a2b3c4d/0a1b2c3d-…, or a change-set name',
      "Pass the plan's change-set-id output unchanged.",
    );
  if (run.mode !== 'execute')
    throw new InputError(
      'change-set-name',
      value,
      "a change-set name: an ARN names an existing change set, which only 'mode: execute' runs",
      "Remove 'change-set-name' to let the plan name its change set, or set 'mode: execute'.",
    );
  if (arn.region !== run.region)
    throw new InputError(
      'change-set-name',
      value,
      `a change set in this run's region ${run.region}, but the ARN is in ${arn.region}`,
      `Pass the change-set-id the plan reported for ${run.region}, or set 'region' to ${arn.region}.`,
    );
  const account = roleAccount(run.roleArn);
  if (account && arn.accountId !== account)
    throw new InputError(
      'change-set-name',
      value,
      `a change set in the account of role-arn (${account}), but the ARN is in ${arn.accountId}`,
      'Pass the change-set-id the plan reported for this account.',
    );
  return value;
}
