#!/usr/bin/env node
import { createRequire as __madRequire } from 'node:module'; const require = __madRequire(import.meta.url);
import{cancellationSignal,deploy,maskedReport,parseSettings,renderMarkdown,secretValues}from"../chunks/chunk-7IF6FSVC.js";import"../chunks/chunk-IOYCCIDK.js";import"../chunks/chunk-M574LBMO.js";import{VERSION,clientFactory,provenanceFrom}from"../chunks/chunk-PLMIAP35.js";import{describeError}from"../chunks/chunk-7H52DNZC.js";import"../chunks/chunk-7LN6GPV4.js";import"../chunks/chunk-WY2BMHTQ.js";import"../chunks/chunk-3SAHKWZ4.js";import"../chunks/chunk-VQG4XPCL.js";import"../chunks/chunk-BRQV4Y5B.js";import"../chunks/chunk-VM2RFWWM.js";import"../chunks/chunk-JUNKQXWR.js";import"../chunks/chunk-MTVPCVT5.js";import"../chunks/chunk-32CUC4IZ.js";import"../chunks/chunk-HJMDVEGP.js";function consoleLogger(options={}){let out=options.stream??process.stderr,secrets=new Set,scrub=text=>{let result=text;for(let secret of secrets)result=result.split(secret).join("***");return result},write=(prefix,message)=>{out.write(`${prefix}${scrub(message)}
`)};return{info:m=>write("",m),warn:m=>write("warning: ",m),error:m=>write("error: ",m),debug:m=>{options.verbose&&write("debug: ",m)},async group(title,fn){return write("",`\u2500\u2500 ${title}`),fn()},mask:secret=>{secret.length>=4&&secrets.add(secret)}}}var USAGE=`multi-account-deploy ${VERSION}

Usage: multi-account-deploy --stack-name NAME --template FILE [--mode plan|deploy|execute] [options]

Every input of the action is a flag of the same name (e.g. --parameter-overrides 'Env=dev',
repeat a flag for several lines). role-arn is not used here: the credentials come from the
environment or --profile (AWS_PROFILE). Prints the report as markdown on stdout.
  --profile NAME   the AWS profile to use
  --json           print the report as JSON instead of markdown
  --verbose        print debug lines`,CLI_INPUTS=["region","audience","role-session-name","role-duration-seconds","stack-name","template","parameters","parameter-overrides","tags","capabilities","execution-role-arn","template-bucket","mode","change-set-name","keep-change-set","allow-destructive","allow-broadening","on-create-failure","termination-protection","timeout-minutes","environment","ecr-repositories","ecr-lifecycle-policy","permissions","deploy-role","export-credentials","drift"];async function main(argv,env=process.env){let flags=new Map,switches=new Set;for(let i=0;i<argv.length;i++){let arg=argv[i]??"";if(arg==="--help"||arg==="-h")return process.stdout.write(`${USAGE}
`),0;if(arg==="--json"||arg==="--verbose"){switches.add(arg.slice(2));continue}let m=/^--([a-z][a-z0-9-]*)(?:=(.*))?$/.exec(arg);if(!m?.[1]||m[1]!=="profile"&&m[1]!=="role-arn"&&!CLI_INPUTS.includes(m[1]))return process.stderr.write(`Unknown argument "${arg}".

${USAGE}
`),2;let value=m[2]??argv[++i];if(value===void 0)return process.stderr.write(`Flag --${m[1]} needs a value.
`),2;flags.set(m[1],[...flags.get(m[1])??[],value])}if(flags.has("profile")&&(env.AWS_PROFILE=flags.get("profile")?.[0]),flags.has("role-arn"))return process.stderr.write(`--role-arn is for GitHub OIDC; use --profile with a profile that assumes the role.
`),2;let logger=consoleLogger({verbose:switches.has("verbose")});try{let settings=parseSettings(name=>(flags.get(name)??[]).join(`
`),{workspace:process.cwd(),defaultRegion:env.AWS_REGION||env.AWS_DEFAULT_REGION,provenance:provenanceFrom(env)}),signal=cancellationSignal(),{report}=await deploy(settings,{clients:clientFactory(settings.region,settings.environment,signal),logger,signal}),secrets=secretValues(settings);return process.stdout.write(switches.has("json")?`${JSON.stringify(maskedReport(report,secrets),null,2)}
`:renderMarkdown(report,{secrets})),report.result==="failed"?(logger.error([report.failure?.message,report.failure?.hint].filter(Boolean).join(`
`)),1):0}catch(error){return logger.error(describeError(error)),1}}process.exitCode=await main(process.argv.slice(2));export{CLI_INPUTS,main};
