/**
 * `bootstrap`: deploys templates/bootstrap.yaml into the account and region of the caller's credentials, through
 * the engine like any deploy (a change set, destructive changes refused), for one repository and its environments.
 * `--print` writes the StackSets commands for an AWS Organization instead.
 */
import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { relative } from 'node:path';
import { clientFactory, createClients } from '../aws/clients.js';
import { cancellationSignal } from '../cancel.js';
import { parseSettings } from '../config/index.js';
import { provenanceFrom } from '../config/provenance.js';
import { UserError } from '../errors.js';
import { deploy } from '../engine/deploy.js';
import { findGithubProvider, parseRepo } from '../engine/doctor/index.js';
import { partitionOf } from '../engine/permissions/index.js';
import { renderText } from '../report/text.js';
import { UsageError, flag } from './args.js';
import {
  BOOTSTRAP_TEMPLATE,
  bootstrapParameters,
  rolesFrom,
  subjects,
  toolRoot,
  type BootstrapRequest,
  type BootstrapRoles,
} from './bootstrap-template.js';
import { callerIdentity, printReport, requireRegion, type CommandContext } from './context.js';

const DEFAULT_STACK = 'multi-account-deploy-bootstrap';
const ENVIRONMENT = /^[\w.-]{1,255}$/;
const APP_STACK = /^[A-Za-z][A-Za-z0-9-]{0,126}\*?$/;

export async function bootstrap(ctx: CommandContext): Promise<number> {
  const request = requestFrom(ctx);
  const stackName = flag(ctx.args, 'bootstrap-stack-name') || DEFAULT_STACK;
  if (ctx.args.switches.has('print')) {
    ctx.io.stdout.write(stackSetCommands(request, stackName));
    return 0;
  }
  const caller = await callerIdentity(ctx, request.region);
  request.existingProviderArn = await providerToReuse(request.region, stackName);
  const settings = parseSettings(
    (name) =>
      ({
        'stack-name': stackName,
        template: BOOTSTRAP_TEMPLATE,
        'parameter-overrides': bootstrapParameters(request).join('\n'),
        capabilities: 'CAPABILITY_NAMED_IAM',
        mode: 'deploy',
        permissions: 'off',
        // The bootstrap's purpose is to grant these roles their access; its template is this tool's own.
        'allow-broadening': 'true',
        region: request.region,
        'timeout-minutes': flag(ctx.args, 'timeout-minutes'),
      })[name] ?? '',
    { workspace: toolRoot(), defaultRegion: request.region, provenance: provenanceFrom(ctx.io.env) },
  );
  ctx.logger.info(
    `Bootstrapping ${request.repo} in account ${caller.accountId}, ${request.region}${request.existingProviderArn ? ` (reusing the OIDC provider ${request.existingProviderArn})` : ''}.`,
  );
  const { report } = await deploy(settings, {
    clients: clientFactory(request.region),
    logger: ctx.logger,
    signal: cancellationSignal(),
  });
  const roles = rolesFrom(report.outputs, request, caller.accountId, partitionOf(request.region));
  if (ctx.format === 'json') {
    ctx.io.stdout.write(`${JSON.stringify({ report, roles, subjects: subjects(request) }, null, 2)}\n`);
  } else if (ctx.format === 'markdown') {
    printReport(ctx, report, []);
  } else {
    // The stack's own outputs are listed below as roles; the report shows what changed.
    ctx.io.stdout.write(
      renderText(
        { ...report, outputs: [], parameters: [] },
        { color: ctx.color && Boolean(ctx.io.stdout.isTTY) },
      ),
    );
    if (report.result !== 'failed') ctx.io.stdout.write(summary(request, roles));
  }
  return report.result === 'failed' ? 1 : 0;
}

function requestFrom(ctx: CommandContext): BootstrapRequest {
  const repo = parseRepo(flag(ctx.args, 'repo'));
  const environments = ctx.args.values.get('environment') ?? [];
  const bad = environments.find((e) => !ENVIRONMENT.test(e));
  if (bad !== undefined)
    throw new UsageError(
      `--environment is "${bad}": expected a GitHub environment name such as prod.`,
      ctx.usage,
    );
  const pullRequests = ctx.args.switches.has('pull-requests');
  if (environments.length === 0 && !pullRequests)
    throw new UsageError(
      'Give the environment that deploys to this account (--environment prod), or --pull-requests.',
      ctx.usage,
    );
  const stackName = flag(ctx.args, 'stack-name');
  if (!APP_STACK.test(stackName))
    throw new UsageError(
      `--stack-name is ${stackName ? `"${stackName}"` : 'missing'}: expected the application's stack name (the action's stack-name), or a prefix ending in *.`,
      ctx.usage,
    );
  const ownerId = flag(ctx.args, 'owner-id') || undefined;
  const repositoryId = flag(ctx.args, 'repository-id') || undefined;
  if (
    Boolean(ownerId) !== Boolean(repositoryId) ||
    [ownerId, repositoryId].some((v) => v && !/^\d+$/.test(v))
  )
    throw new UsageError(
      '--owner-id and --repository-id go together, both numbers (GitHub’s immutable IDs).',
      ctx.usage,
    );
  const defaultBranch = flag(ctx.args, 'default-branch') || 'main';
  return {
    repo,
    environments,
    stackName,
    pullRequests,
    defaultBranch,
    ownerId,
    repositoryId,
    audience: flag(ctx.args, 'audience') || 'sts.amazonaws.com',
    ecrRepositories: flag(ctx.args, 'ecr-repositories'),
    region: ctx.args.switches.has('print') && !ctx.region ? '' : requireRegion(ctx),
  };
}

/**
 * The account's GitHub OIDC provider, unless this region's bootstrap stack made it (then it stays the stack's:
 * naming it as "existing" would make CloudFormation delete it).
 */
async function providerToReuse(region: string, stackName: string): Promise<string | undefined> {
  const clients = createClients({ region });
  const found = await findGithubProvider(await clients.iam());
  if (!found) return undefined;
  try {
    const { Stacks } = await clients.cloudformation.send(new DescribeStacksCommand({ StackName: stackName }));
    const existing = Stacks?.[0]?.Parameters?.find((p) => p.ParameterKey === 'ExistingOidcProviderArn');
    if (existing && !existing.ParameterValue) return undefined;
  } catch (error) {
    if (!/does not exist/.test(String((error as Error).message))) throw error;
  }
  return found.arn;
}

function summary(request: BootstrapRequest, roles: BootstrapRoles): string {
  const s = subjects(request);
  const env = request.environments[0] ?? 'ENV';
  const lines = [
    '',
    'Roles:',
    ...(roles.pullRequestPlanRole ? [`  pull-request plan role  ${roles.pullRequestPlanRole}`] : []),
    `  release planner         ${roles.releasePlanRole}`,
    `  deploy role             ${roles.deployRole}`,
    `  execution role          ${roles.executionRole}`,
    `  permissions boundary    ${roles.boundary}`,
    '',
    'Trusted subjects (exactly as GitHub sends them):',
    ...[...s.pullRequests, ...s.release, ...s.deploy].map((x) => `  ${x}`),
    '',
    'In your repository, .github/workflows/deploy.yml:',
    '  jobs:',
    '    deploy:',
    '      uses: ORG/multi-account-deploy/.github/workflows/deploy.yml@v1',
    '      permissions: { id-token: write, contents: read, pull-requests: write }',
    '      with:',
    `        stack-name: ${request.stackName.replace(/\*$/, 'NAME')}`,
    '        template: stack.yaml',
    `        regions: ${request.region}`,
    `        ${env}-role-arn: ${roles.deployRole}`,
    `        ${env}-plan-role-arn: ${roles.pullRequestPlanRole ?? roles.releasePlanRole}`,
    ...(env === 'prod' ? [`        prod-release-role-arn: ${roles.releasePlanRole}`] : []),
    `        ${env}-execution-role-arn: ${roles.executionRole}`,
    '',
    `Check a job before it runs: multi-account-deploy doctor --role-arn ${roles.deployRole} --repo ${request.repo} --environment ${env}`,
    '',
  ];
  return lines.join('\n');
}

/** The same bootstrap for every account of an AWS Organization, through a service-managed StackSet. */
function stackSetCommands(request: BootstrapRequest, stackSetName: string): string {
  const template = relative(process.cwd(), `${toolRoot()}/${BOOTSTRAP_TEMPLATE}`);
  const regions = request.region ? [request.region] : ['REGION'];
  const json = (lines: string[]) =>
    JSON.stringify(
      lines.map((l) => {
        const at = l.indexOf('=');
        return { ParameterKey: l.slice(0, at), ParameterValue: l.slice(at + 1) };
      }),
    );
  const params = (region: string) => bootstrapParameters({ ...request, region, existingProviderArn: '' });
  if (request.environments.length > 1)
    throw new UserError('--print takes one --environment: each environment is its own organizational unit.');
  return [
    `# One StackSet for the organization; each environment's accounts (an OU) get their own instances.`,
    `# Accounts that already have a GitHub OIDC provider: add ExistingOidcProviderArn to their overrides.`,
    `aws cloudformation create-stack-set --stack-set-name ${stackSetName} \\`,
    `  --template-body file://${template} --capabilities CAPABILITY_NAMED_IAM \\`,
    `  --permission-model SERVICE_MANAGED --auto-deployment Enabled=true,RetainStacksOnAccountRemoval=true \\`,
    `  --parameters '${json(params(regions[0] ?? 'REGION'))}'`,
    ...regions.flatMap((region) => [
      `aws cloudformation create-stack-instances --stack-set-name ${stackSetName} \\`,
      `  --deployment-targets OrganizationalUnitIds=OU_OF_${(request.environments[0] ?? 'ENV').toUpperCase()} --regions ${region} \\`,
      `  --parameter-overrides '${json(params(region))}'`,
    ]),
    '',
  ].join('\n');
}
