import { DescribeEventsCommand, type CloudFormationClient } from '@aws-sdk/client-cloudformation';

/** One pre-deployment validation error: where in the template, and why. */
export interface ValidationFinding {
  path?: string;
  logicalId?: string;
  reason: string;
}

/**
 * AWS's early validation of a change set that FAILED: DescribeEvents' OperationEvents of type
 * VALIDATION_ERROR, each with its ValidationPath. An endpoint without DescribeEvents (or any error)
 * gives [], and the caller falls back on the change set's status reason.
 */
export async function validationErrors(
  cfn: CloudFormationClient,
  stackName: string,
  changeSetId: string,
): Promise<ValidationFinding[]> {
  const found: ValidationFinding[] = [];
  try {
    let token: string | undefined;
    for (let page = 0; page < 20; page++) {
      const out = await cfn.send(
        new DescribeEventsCommand({
          ...(changeSetId.startsWith('arn:') ? {} : { StackName: stackName }),
          ChangeSetName: changeSetId,
          NextToken: token,
        }),
      );
      for (const e of out.OperationEvents ?? []) {
        if (e.EventType !== 'VALIDATION_ERROR') continue;
        const reason = e.ValidationStatusReason ?? e.ResourceStatusReason ?? e.ValidationName;
        if (!reason) continue;
        found.push({
          path: e.ValidationPath || undefined,
          logicalId: e.LogicalResourceId || undefined,
          reason:
            e.ValidationName && !reason.includes(e.ValidationName)
              ? `${e.ValidationName}: ${reason}`
              : reason,
        });
      }
      token = out.NextToken;
      if (!token) break;
    }
  } catch {
    // Unsupported (moto), not allowed, or throttled: the status reason still says what failed.
    return found;
  }
  return found;
}

/** "Resources/Bucket/Properties/BucketName: reason", one per line. */
export function formatValidation(findings: ValidationFinding[]): string {
  return findings
    .map((f) => `${f.path ?? (f.logicalId ? `Resources/${f.logicalId}` : 'template')}: ${f.reason}`)
    .join('\n');
}
