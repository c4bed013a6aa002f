#!/usr/bin/env node
import { createRequire as __madRequire } from 'node:module'; const require = __madRequire(import.meta.url);
import{printPolicies,runEngine,workspaceOf}from"../chunks/chunk-QQQ3MMSV.js";import{UsageError,commandContext,describeForTerminal,parseArgs}from"../chunks/chunk-QCSC4MLT.js";import"../chunks/chunk-DXJHHLA2.js";import"../chunks/chunk-HWUQVJAL.js";import{VERSION}from"../chunks/chunk-RUGW3ST7.js";import"../chunks/chunk-IOYCCIDK.js";import"../chunks/chunk-NX3UXNX7.js";import"../chunks/chunk-LUYO744S.js";import"../chunks/chunk-4MKP6KHT.js";import"../chunks/chunk-7LN6GPV4.js";import"../chunks/chunk-WY2BMHTQ.js";import"../chunks/chunk-3SAHKWZ4.js";import"../chunks/chunk-VQG4XPCL.js";import"../chunks/chunk-BRQV4Y5B.js";import"../chunks/chunk-VM2RFWWM.js";import"../chunks/chunk-JUNKQXWR.js";import"../chunks/chunk-MTVPCVT5.js";import"../chunks/chunk-32CUC4IZ.js";import"../chunks/chunk-HJMDVEGP.js";var COMMON=`Common flags:
  --profile NAME        the AWS profile (else the environment's credentials)
  --region REGION       the region (else AWS_REGION)
  --output FORMAT       text (default), markdown or json (--json for short)
  --verbose             debug lines, the generated policies, every event
  --no-color            no colour even on a terminal (NO_COLOR works too)
  --help                this help`;function engineUsage(name,what,extra=""){return`Usage: multi-account-deploy ${name} --stack-name NAME --template FILE [flags]

${what}

Every input of the action is a flag of the same name, e.g. --parameter-overrides 'Env=dev'
(repeat a flag for several lines). Files are read from the workspace: the current directory,
or --workspace DIR.${extra}

${COMMON}`}var BOOTSTRAP_USAGE=`Usage: multi-account-deploy bootstrap --repo ORG/REPO --environment ENV --stack-name APP [flags]

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

${COMMON}`,DOCTOR_USAGE=`Usage: multi-account-deploy doctor --role-arn ARN --repo ORG/REPO (--environment ENV | --ref REF | --pull-request) [flags]

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

${COMMON}`;function commands(inputs){let engineFlags=[...inputs.filter(i=>i!=="mode"),"workspace","role-arn"],engine=(name,summary,what,extra="")=>({name,summary,flags:engineFlags,switches:[],usage:engineUsage(name,what,extra),run:ctx=>runEngine(ctx,name)});return[engine("plan","create a change set, show it, delete it (or keep it: --keep-change-set true)","Shows what a deploy would change: creates a change set, reports it and deletes it."),engine("deploy","create a change set and execute it; destructive changes are refused unless allowed",`Creates a change set and executes it, following the stack until it settles. Destructive changes
are refused unless --allow-destructive allows them.`),engine("execute","execute a change set kept by an earlier plan (--change-set-name)","Executes the change set a plan kept (--change-set-name), after checking it was made from these files."),{name:"policy",summary:"print the deploy and plan policies this configuration needs, as JSON",flags:[...engineFlags,"account-id"],switches:[],usage:engineUsage("policy",`Prints the least-privilege IAM policies of the deploy role and the plan role for this
configuration, as JSON. The account comes from --account-id, else from your credentials.`),run:printPolicies},{name:"bootstrap",summary:"create the roles GitHub assumes in this account and region",flags:["repo","environment","stack-name","default-branch","owner-id","repository-id","audience","ecr-repositories","bootstrap-stack-name","timeout-minutes"],switches:["pull-requests","print"],usage:BOOTSTRAP_USAGE,run:async ctx=>(await import("../chunks/bootstrap-HOC76PEF.js")).bootstrap(ctx)},{name:"doctor",summary:"say whether a workflow job can assume a role, and what to change if not",flags:[...engineFlags,"repo","ref","owner-id","repository-id"],switches:["pull-request"],usage:DOCTOR_USAGE,run:async ctx=>(await import("../chunks/doctor-GLP3BRFO.js")).doctor(ctx)}]}function overview(list){return`multi-account-deploy ${VERSION}

Usage: multi-account-deploy COMMAND [flags]     (multi-account-deploy COMMAND --help for its flags)

Commands:
${list.map(c=>`  ${c.name.padEnd(10)} ${c.summary}`).join(`
`)}

Run it from your application's repository: files are read from the current directory.`}async function main(argv,inputs,io){let list=commands(inputs),[first="",...rest]=argv;if(first==="--help"||first==="-h"||first==="help")return io.stdout.write(`${overview(list)}
`),0;if(first==="--version")return io.stdout.write(`${VERSION}
`),0;let flat=first.startsWith("--"),modeAt=argv.findIndex(a=>a==="--mode"||a.startsWith("--mode=")),flatMode=modeAt<0?"deploy":argv[modeAt]?.split("=")[1]??argv[modeAt+1]??"",name=flat?flatMode:first,command=list.find(c=>c.name===name&&(!flat||["plan","deploy","execute"].includes(name)));if(!command){let what=first===""?"No command given.":flat?`--mode is "${flatMode}": expected plan, deploy or execute.`:`Unknown command "${first}".`;return io.stderr.write(`${what}

${overview(list)}
`),2}let modeArgs=modeAt<0?[]:argv[modeAt]?.includes("=")?[modeAt]:[modeAt,modeAt+1],commandArgs=flat?argv.filter((_,i)=>!modeArgs.includes(i)):rest,ctx;try{let args=parseArgs(commandArgs,command);return args.switches.has("help")?(io.stdout.write(`${command.usage}
`),0):(ctx=commandContext(io,args,inputs,command.usage),await command.run(ctx))}catch(error){if(error instanceof UsageError)return io.stderr.write(`${error.message}

${error.usage}
`),2;let text=describeForTerminal(error,inputs,ctx?workspaceOf(ctx):io.cwd);return io.stderr.write(`error: ${text}
`),1}}var CLI_INPUTS=["region","audience","role-session-name","role-duration-seconds","stack-name","template","parameters","parameter-overrides","tags","capabilities","execution-role-arn","template-bucket","mode","change-set-name","keep-change-set","allow-destructive","allow-broadening","on-create-failure","termination-protection","timeout-minutes","environment","ecr-repositories","ecr-lifecycle-policy","permissions","deploy-role","export-credentials","drift"];process.exitCode=await main(process.argv.slice(2),CLI_INPUTS,{env:process.env,cwd:process.cwd(),stdout:process.stdout,stderr:process.stderr});export{CLI_INPUTS};
