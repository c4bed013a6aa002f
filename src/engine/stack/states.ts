import {
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
  type CloudFormationClient,
  type Stack,
} from '@aws-sdk/client-cloudformation';
import { awsErrorName, errorMessage } from '../../errors.js';
import type { OutputValue } from '../../report/model.js';
import { RequestBudget, pacedPoll, type CheckResult } from '../pace.js';

/** What a run can do with a stack in a given state. */
export type StackStep =
  | { kind: 'create' }
  | { kind: 'create-over-review'; stackId: string }
  | { kind: 'update'; stack: Stack }
  | { kind: 'wait'; status: string }
  | { kind: 'recreate'; stackId: string }
  | { kind: 'stuck'; status: string; recovery: string };

const UPDATABLE = new Set([
  'CREATE_COMPLETE',
  'UPDATE_COMPLETE',
  'UPDATE_ROLLBACK_COMPLETE',
  'IMPORT_COMPLETE',
  'IMPORT_ROLLBACK_COMPLETE',
  // After a failure with rollback disabled, CloudFormation accepts a new update.
  'UPDATE_FAILED',
]);

/** Stack state → next step. REVIEW_IN_PROGRESS is a stack with no resources yet, so it takes a CREATE change set. */
export function nextStep(stack: Stack | undefined): StackStep {
  const status = stack?.StackStatus;
  if (!stack || !status || status === 'DELETE_COMPLETE') return { kind: 'create' };
  if (status === 'REVIEW_IN_PROGRESS') return { kind: 'create-over-review', stackId: stack.StackId ?? '' };
  if (UPDATABLE.has(status)) return { kind: 'update', stack };
  if (status.endsWith('_IN_PROGRESS')) return { kind: 'wait', status };
  if (status === 'ROLLBACK_COMPLETE') return { kind: 'recreate', stackId: stack.StackId ?? '' };
  return { kind: 'stuck', status, recovery: recoveryFor(status, stack.StackName ?? '') };
}

export function isInProgress(status: string | undefined): boolean {
  return !!status && status.endsWith('_IN_PROGRESS') && status !== 'REVIEW_IN_PROGRESS';
}

/** A state from which nothing moves without someone acting. */
export function isTerminal(status: string | undefined): boolean {
  return !!status && !status.endsWith('_IN_PROGRESS');
}

export function isSuccess(status: string | undefined): boolean {
  return status === 'CREATE_COMPLETE' || status === 'UPDATE_COMPLETE' || status === 'IMPORT_COMPLETE';
}

/**
 * The exact way out of a stuck state. `failed` are the logical IDs whose resources are in a *_FAILED state
 * (read separately, when the caller may), to skip or retain.
 */
export function recoveryFor(status: string, name: string, failed: string[] = []): string {
  const ids = failed.join(' ');
  switch (status) {
    case 'UPDATE_ROLLBACK_FAILED':
      return failed.length
        ? `Continue the rollback, skipping what failed to roll back (${failed.join(', ')}; check them afterwards): ` +
            `aws cloudformation continue-update-rollback --stack-name ${name} --resources-to-skip ${ids}, then run this deploy again.`
        : `Continue the rollback: aws cloudformation continue-update-rollback --stack-name ${name}, then run this deploy again.`;
    case 'ROLLBACK_FAILED':
    case 'DELETE_FAILED':
      return (
        `Delete the stack, retaining the resources that cannot be deleted: aws cloudformation delete-stack --stack-name ${name}` +
        ` --retain-resources ${ids || '<logical IDs>'} (check them first), then run this deploy again.`
      );
    case 'CREATE_FAILED':
      return `The first create failed with rollback disabled: inspect it, then aws cloudformation delete-stack --stack-name ${name} and run this deploy again.`;
    case 'IMPORT_ROLLBACK_FAILED':
      return `Fix the resources that failed to roll back the import (see the stack's events), then run this deploy again.`;
    default:
      return `Inspect the stack ${name} in the CloudFormation console; nothing was changed.`;
  }
}

export async function describeStack(cfn: CloudFormationClient, name: string): Promise<Stack | undefined> {
  try {
    const out = await cfn.send(new DescribeStacksCommand({ StackName: name }));
    return out.Stacks?.[0];
  } catch (error) {
    if (awsErrorName(error) === 'ValidationError' && /does not exist/.test(errorMessage(error)))
      return undefined;
    throw error;
  }
}

/** Polls the stack until no operation is in progress; undefined once it is gone. */
export async function waitForStack(
  cfn: CloudFormationClient,
  name: string,
  ctx: { deadline: number; signal?: AbortSignal },
  what: string,
): Promise<Stack | undefined> {
  let last = 'unknown';
  // A steady second (the run goes on the moment the other operation ends), within one request a second.
  const budget = new RequestBudget(1, 4);
  const settled = await pacedPoll(
    async (): Promise<CheckResult<{ stack: Stack | undefined }>> => {
      budget.spend();
      const stack = await describeStack(cfn, name);
      last = stack?.StackStatus ?? 'gone';
      if (!stack || stack.StackStatus === 'DELETE_COMPLETE') return { value: { stack: undefined } };
      return { value: isInProgress(stack.StackStatus) ? undefined : { stack } };
    },
    {
      what: `stack ${name}: ${what}`,
      deadline: ctx.deadline,
      signal: ctx.signal,
      budget,
      intervalMs: () => 1_000,
      describe: () => last,
    },
  );
  return settled.stack;
}

export function outputsOf(stack: Stack | undefined): OutputValue[] {
  return (stack?.Outputs ?? [])
    .filter((o) => o.OutputKey)
    .map((o) => ({ key: o.OutputKey ?? '', value: o.OutputValue ?? '', description: o.Description }));
}

/** Logical IDs of the stack's resources in a *_FAILED state; empty when they cannot be read (advice only). */
export async function failedResources(cfn: CloudFormationClient, name: string): Promise<string[]> {
  try {
    const out = await cfn.send(new DescribeStackResourcesCommand({ StackName: name }));
    return (out.StackResources ?? [])
      .filter((r) => r.ResourceStatus?.endsWith('_FAILED') && r.LogicalResourceId)
      .map((r) => r.LogicalResourceId ?? '');
  } catch {
    return [];
  }
}
