/**
 * The CLI's commands: plan, deploy, execute, policy, bootstrap, doctor. One engine with the action; its inputs
 * are flags of the same name. Exit codes: 0 success, 1 a failure or refusal, 2 a mistake in the command line.
 */
import { VERSION } from '../version.js';
import { UsageError, parseArgs, type CommandSpec } from './args.js';
import { commandContext, type CommandContext, type Io } from './context.js';
import { describeForTerminal } from './errors.js';
import { printPolicies, runEngine, workspaceOf } from './run.js';

interface Command extends CommandSpec {
  summary: string;
  run(ctx: CommandContext): Promise<number>;
}

const COMMON = `Common flags:
  --profile NAME        the AWS profile (else the environment's credentials)
  --region REGION       the region (else AWS_REGION)
  --output FORMAT       text (default), markdown or json (--json for short)
  --verbose             debug lines, the generated policies, every event
  --no-color            no colour even on a terminal (NO_COLOR works too)
  --help                this help`;

function engineUsage(name: string, what: string, extra = ''): string {
  return `Usage: multi-account-deploy ${name} --stack-name NAME --template FILE [flags]

${what}

Every input of the action is a flag of the same name, e.g. --parameter-overrides 'Env=dev'
(repeat a flag for several lines). Files are read from the workspace: the current directory,
or --workspace DIR.${extra}

${COMMON}`;
}

const BOOTSTRAP_USAGE = `Usage: multi-account-deploy bootstrap --repo ORG/REPO --environment ENV --stack-name APP [flags]

Deploys templates/bootstrap.yaml into the account and region of your credentials: the roles GitHub
assumes for one repository and its environment, the CloudFormation execution role and the boundary.
Reuses the account's GitHub OIDC provider; safe to run again, and in a second region.

  --repo ORG/REPO           the repository, spelled as on GitHub (the subject is case-sensitive)
  --environment ENV         the GitHub environment that deploys to this account (repeatable)
  --stack-name APP          the application stack the roles may deploy (APP-* for a prefix)
  --pull-requests           let pull requests plan (the pull-request plan role)
  --default-branch BRANCH   the branch whose pushes plan releases (default main)
  --owner-id N --repository-id N
                            use GitHub's immutable subject form (repo:ORG@N/REPO@N:...)
  --audience AUD            the token audience (default sts.amazonaws.com)
  --ecr-repositories PATTERN  ECR repositories the deploy role keeps lifecycle policies on
  --bootstrap-stack-name NAME the bootstrap stack (default multi-account-deploy-bootstrap)
  --print                   print the StackSets commands for an AWS Organization instead

${COMMON}`;

const DOCTOR_USAGE = `Usage: multi-account-deploy doctor --role-arn ARN --repo ORG/REPO (--environment ENV | --ref REF | --pull-request) [flags]

Reads the role's trust policy and the account's GitHub OIDC provider with your credentials and says
whether the job described will be able to assume the role, and if not, the exact condition to change.
With --stack-name and --template it also checks the role's permissions against the policy it needs.

  --role-arn ARN            the role the workflow's role-arn names
  --repo ORG/REPO           the repository the job runs in, spelled as on GitHub
  --environment ENV         the job's environment: (it changes the token's subject)
  --ref REF                 the branch or tag of a job without an environment (main, refs/tags/v1)
  --pull-request            a job run for a pull request
  --owner-id N --repository-id N   the repository uses GitHub's immutable subject form
  --audience AUD            the action's audience input (default sts.amazonaws.com)
  --stack-name, --template, ...   the action's inputs, to check the role's permissions too

${COMMON}`;

function commands(inputs: readonly string[]): Command[] {
  const engineFlags = [...inputs.filter((i) => i !== 'mode'), 'workspace', 'role-arn'];
  const engine = (
    name: 'plan' | 'deploy' | 'execute',
    summary: string,
    what: string,
    extra = '',
  ): Command => ({
    name,
    summary,
    flags: engineFlags,
    switches: [],
    usage: engineUsage(name, what, extra),
    run: (ctx) => runEngine(ctx, name),
  });
  return [
    engine(
      'plan',
      'create a change set, show it, delete it (or keep it: --keep-change-set true)',
      'Shows what a deploy would change: creates a change set, reports it and deletes it.',
    ),
    engine(
      'deploy',
      'create a change set and execute it; destructive changes are refused unless allowed',
      'Creates a change set and executes it, following the stack until it settles. Destructive changes\nare refused unless --allow-destructive allows them.',
    ),
    engine(
      'execute',
      'execute a change set kept by an earlier plan (--change-set-name)',
      'Executes the change set a plan kept (--change-set-name), after checking it was made from these files.',
    ),
    {
      name: 'policy',
      summary: 'print the deploy and plan policies this configuration needs, as JSON',
      flags: [...engineFlags, 'account-id'],
      switches: [],
      usage: engineUsage(
        'policy',
        'Prints the least-privilege IAM policies of the deploy role and the plan role for this\nconfiguration, as JSON. The account comes from --account-id, else from your credentials.',
      ),
      run: printPolicies,
    },
    {
      name: 'bootstrap',
      summary: 'create the roles GitHub assumes in this account and region',
      flags: [
        'repo',
        'environment',
        'stack-name',
        'default-branch',
        'owner-id',
        'repository-id',
        'audience',
        'ecr-repositories',
        'bootstrap-stack-name',
        'timeout-minutes',
      ],
      switches: ['pull-requests', 'print'],
      usage: BOOTSTRAP_USAGE,
      run: async (ctx) => (await import('./bootstrap.js')).bootstrap(ctx),
    },
    {
      name: 'doctor',
      summary: 'say whether a workflow job can assume a role, and what to change if not',
      flags: [...engineFlags, 'repo', 'ref', 'owner-id', 'repository-id'],
      switches: ['pull-request'],
      usage: DOCTOR_USAGE,
      run: async (ctx) => (await import('./doctor.js')).doctor(ctx),
    },
  ];
}

function overview(list: Command[]): string {
  return `multi-account-deploy ${VERSION}

Usage: multi-account-deploy COMMAND [flags]     (multi-account-deploy COMMAND --help for its flags)

Commands:
${list.map((c) => `  ${c.name.padEnd(10)} ${c.summary}`).join('\n')}

Run it from your application's repository: files are read from the current directory.`;
}

export async function main(argv: readonly string[], inputs: readonly string[], io: Io): Promise<number> {
  const list = commands(inputs);
  const [first = '', ...rest] = argv;
  if (first === '--help' || first === '-h' || first === 'help') {
    io.stdout.write(`${overview(list)}\n`);
    return 0;
  }
  if (first === '--version') {
    io.stdout.write(`${VERSION}\n`);
    return 0;
  }
  // The flat form of earlier versions: `multi-account-deploy --mode plan --stack-name ...`.
  const flat = first.startsWith('--');
  const modeAt = argv.findIndex((a) => a === '--mode' || a.startsWith('--mode='));
  const flatMode = modeAt < 0 ? 'deploy' : (argv[modeAt]?.split('=')[1] ?? argv[modeAt + 1] ?? '');
  const name = flat ? flatMode : first;
  const command = list.find(
    (c) => c.name === name && (!flat || ['plan', 'deploy', 'execute'].includes(name)),
  );
  if (!command) {
    const what =
      first === ''
        ? 'No command given.'
        : flat
          ? `--mode is "${flatMode}": expected plan, deploy or execute.`
          : `Unknown command "${first}".`;
    io.stderr.write(`${what}\n\n${overview(list)}\n`);
    return 2;
  }
  // The flat form's --mode names the command; every other argument is the command's.
  const modeArgs = modeAt < 0 ? [] : argv[modeAt]?.includes('=') ? [modeAt] : [modeAt, modeAt + 1];
  const commandArgs = flat ? argv.filter((_, i) => !modeArgs.includes(i)) : rest;
  let ctx: CommandContext | undefined;
  try {
    const args = parseArgs(commandArgs, command);
    if (args.switches.has('help')) {
      io.stdout.write(`${command.usage}\n`);
      return 0;
    }
    ctx = commandContext(io, args, inputs, command.usage);
    return await command.run(ctx);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`${error.message}\n\n${error.usage}\n`);
      return 2;
    }
    const text = describeForTerminal(error, inputs, ctx ? workspaceOf(ctx) : io.cwd);
    io.stderr.write(`error: ${text}\n`);
    return 1;
  }
}
