import {
  CloudFormationClient,
  DescribeStacksCommand,
  ListStacksCommand,
  type Stack,
} from '@aws-sdk/client-cloudformation';
import { motoEndpoint } from './moto.js';

/** A CloudFormation client on the test moto, for assertions (account 123456789012 unless keys say otherwise). */
export function cloudformation(): CloudFormationClient {
  return new CloudFormationClient({
    region: 'eu-west-1',
    endpoint: motoEndpoint(),
    credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'test' },
  });
}

/** Stacks that exist (not deleted), by name → status. */
export async function liveStacks(): Promise<Record<string, string>> {
  const out = await cloudformation().send(new ListStacksCommand({}));
  return Object.fromEntries(
    (out.StackSummaries ?? [])
      .filter((s) => s.StackStatus !== 'DELETE_COMPLETE')
      .map((s) => [s.StackName ?? '', s.StackStatus ?? '']),
  );
}

export async function describeStack(name: string): Promise<Stack | undefined> {
  const out = await cloudformation().send(new DescribeStacksCommand({ StackName: name }));
  return out.Stacks?.[0];
}
