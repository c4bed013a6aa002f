import {
  GetTemplateCommand,
  type Change,
  type CloudFormationClient,
  type Stack,
} from '@aws-sdk/client-cloudformation';
import { isRecord, readTemplateDocument } from '../../config/template.js';
import type { Settings } from '../../config/settings.js';
import type { Logger } from '../../logger.js';
import type { DeployReport, ResourceChange } from '../../report/model.js';
import { classify, needsDeployedTemplate, sortChanges, type TemplateSide } from '../impact/index.js';
import type { StackChangeContext } from './context.js';
import { withNestedChanges } from './nested.js';

/**
 * The change set's changes, nested ones included, classified and in a stable order, logged one line each.
 * Where the answer carries no property values, the templates stand in (the deployed one read only if needed).
 */
export async function describeChanges(
  settings: Settings,
  ctx: StackChangeContext,
  changeSet: NonNullable<DeployReport['changeSet']> | undefined,
  raw: Change[],
  stack: Stack | undefined,
) {
  const cfn = ctx.clients.cloudformation;
  const all = await withNestedChanges(cfn, raw);
  const templates = {
    current: templateSide(
      settings.template.body,
      settings.parameters.flatMap((p) => (p.value !== undefined ? [[p.key, p.value] as const] : [])),
    ),
    deployed:
      stack && needsDeployedTemplate(all)
        ? await deployedSide(ctx.bestEffort.cloudformation, stack)
        : undefined,
  };
  const changes = sortChanges(
    all.flatMap(({ change, parents }) => classify(change, parents, templates) ?? []),
  );
  logChanges(ctx.logger, changes);
  return {
    changeSet,
    changes,
    otherChanges: changes.length === 0,
    destructive: changes.filter((c) => c.destructive).map((c) => c.logicalId),
  };
}

function templateSide(
  body: string | undefined,
  parameters: (readonly [string, string])[],
): TemplateSide | undefined {
  if (body === undefined) return undefined;
  try {
    const root = readTemplateDocument(body);
    return { resources: isRecord(root.Resources) ? root.Resources : {}, parameters: new Map(parameters) };
  } catch {
    return undefined;
  }
}

/** The deployed template and parameters, as the "before" of changes that came without values. */
async function deployedSide(cfn: CloudFormationClient, stack: Stack): Promise<TemplateSide | undefined> {
  try {
    const out = await cfn.send(
      new GetTemplateCommand({ StackName: stack.StackId ?? stack.StackName, TemplateStage: 'Original' }),
    );
    return templateSide(
      out.TemplateBody,
      (stack.Parameters ?? []).flatMap((p) =>
        p.ParameterKey && p.ParameterValue !== undefined ? [[p.ParameterKey, p.ParameterValue] as const] : [],
      ),
    );
  } catch {
    return undefined;
  }
}

function logChanges(logger: Logger, changes: ResourceChange[]): void {
  if (changes.length === 0) {
    logger.info('The change set changes no resources (e.g. only Outputs).');
    return;
  }
  for (const c of changes) {
    logger.info(
      `  ${c.destructive || c.broadening ? '!' : ' '} ${c.action.padEnd(11)} ${c.logicalId} (${c.type})${c.stateful && c.destructive ? ' — holds data' : ''}${c.broadening ? ` — ${c.broadening.join('; ')}` : ''}`,
    );
  }
}
