#!/usr/bin/env node
// The reusable workflow's bookkeeping between jobs, run from its checkout of the action (Node only, no
// dependencies). Matrix jobs cannot hand per-region outputs to later jobs, so every region's job writes a small
// report file (uploaded as an artifact) and later jobs read them:
//
//   promotion.mjs report                         one region's report, from the environment (see reportFromEnv)
//   promotion.mjs review  --reports DIR --change-set NAME --package-hash HASH
//                                                the prod plan's regions with a change set to execute → outputs
//                                                `regions` (JSON list), `change-sets` (JSON object region → the
//                                                change set's ARN) and `package-hash` (the package planned), and
//                                                what reviewers approve → summary
//   promotion.mjs summary --reports DIR          the promotion summary: stage diagram and table → summary
import { appendFileSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { RELEASE_PREFIX } from './change-set-names.mjs';

export class PromotionError extends Error {}

const STAGES = ['dev', 'staging', 'prod'];

/** One region's report, from the variables the workflow step sets (the action's outputs and the step outcome). */
export function reportFromEnv(env) {
  const outcome = env.OUTCOME || 'skipped';
  return {
    stack: env.STACK_NAME ?? '',
    stage: env.STAGE ?? '',
    region: env.REGION ?? '',
    step: env.STEP ?? '',
    outcome,
    result: env.RESULT || (outcome === 'success' ? 'unknown' : outcome === 'skipped' ? 'skipped' : 'failed'),
    accountId: env.ACCOUNT_ID || undefined,
    changeSetName: env.CHANGE_SET_NAME || undefined,
    changeSetId: env.CHANGE_SET_ID || undefined,
    hasChanges: env.HAS_CHANGES === 'true',
    destructive: env.DESTRUCTIVE === 'true',
    stackStatus: env.STACK_STATUS || undefined,
    packageHash: env.PACKAGE_HASH || undefined,
    note: env.NOTE || undefined,
  };
}

export function readReports(dir) {
  if (!dir || !existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')));
}

const CHANGE_SET_ARN =
  /^arn:aws[a-z-]*:cloudformation:([a-z0-9-]+):[0-9]{12}:changeSet\/([A-Za-z][A-Za-z0-9-]*)\/[A-Za-z0-9-]+$/;

/**
 * The prod plan's regions whose kept change set awaits execution, each with its change set's ARN (the execute job
 * executes by ARN, one per region: a matrix job's outputs cannot carry them). Every planned region must have kept a
 * release change set under this run's name, in its own region, from the package being promoted.
 */
export function review(reports, changeSetName, packageHash) {
  if (!changeSetName.startsWith(RELEASE_PREFIX))
    throw new PromotionError(
      `The change-set name "${changeSetName}" is not a release name (${RELEASE_PREFIX}…): refusing to execute it.`,
    );
  if (!/^[0-9a-f]{64}$/.test(packageHash ?? ''))
    throw new PromotionError(
      `The package hash "${packageHash ?? ''}" is not a sha256: the setup job did not package this run.`,
    );
  const plans = reports.filter((r) => r.stage === 'prod' && r.step === 'plan');
  if (plans.length === 0)
    throw new PromotionError('No prod plan report was found: the prod plan did not run.');
  const failed = plans.filter((r) => r.outcome !== 'success');
  if (failed.length)
    throw new PromotionError(
      `The prod plan failed in ${failed.map((r) => r.region).join(', ')}: nothing will be executed.`,
    );
  const planned = plans.filter((r) => r.result === 'planned');
  const changeSets = {};
  for (const r of planned) {
    if (r.changeSetName !== changeSetName)
      throw new PromotionError(
        `The prod plan in ${r.region} kept change set "${r.changeSetName ?? ''}", not "${changeSetName}": refusing to execute anything else.`,
      );
    const arn = CHANGE_SET_ARN.exec(r.changeSetId ?? '');
    if (!arn || arn[1] !== r.region || arn[2] !== changeSetName)
      throw new PromotionError(
        `The prod plan in ${r.region} reported change set ARN "${r.changeSetId ?? ''}", not one of change set "${changeSetName}" in ${r.region}: refusing to execute it.`,
      );
    if (r.packageHash !== packageHash)
      throw new PromotionError(
        `The prod plan in ${r.region} was made from package sha256 "${r.packageHash ?? ''}", not this run's ${packageHash}: refusing to execute it.`,
      );
    changeSets[r.region] = r.changeSetId;
  }
  const regions = planned.map((r) => r.region).sort();
  const lines = [`### prod: awaiting approval`, ''];
  if (regions.length === 0) {
    lines.push('The prod plan has no changes in any region: nothing to approve, nothing will be executed.');
  } else {
    lines.push(
      `Approving the \`prod\` environment executes change set \`${changeSetName}\` of stack \`${planned[0].stack}\` in each region below, by its ARN, once dev (and staging) succeeded; the action first checks the change set itself (template, parameters, capabilities, tags, role) against the package:`,
      '',
      '| region | account | changes | destructive | change set |',
      '|---|---|---|---|---|',
      ...planned.map(
        (r) =>
          `| ${r.region} | ${r.accountId ?? ''} | ${r.hasChanges ? 'yes' : 'outputs only'} | ${r.destructive ? '⚠ yes' : 'no'} | ${r.changeSetId} |`,
      ),
    );
    const unchanged = plans.filter((r) => r.result !== 'planned').map((r) => r.region);
    if (unchanged.length) lines.push('', `No changes in ${unchanged.join(', ')}.`);
  }
  return { regions, changeSets, packageHash, markdown: `${lines.join('\n')}\n` };
}

const MARK = { ok: '✓', failed: '✗', skipped: '–', waiting: '…', cancelled: '⊘' };

/** One stage's state for the diagram, from the jobs' results and the regions' reports. */
export function stageState(stage, needs, reports, event) {
  const mine = reports.filter((r) => r.stage === stage);
  const failedRegions = mine
    .filter((r) => r.outcome === 'failure' || r.result === 'failed')
    .map((r) => r.region);
  const jobResult = (id) => needs[id]?.result;
  let status;
  let detail;
  if (event === 'plan') {
    const result = jobResult('plan');
    const skippedNotice = mine.find((r) => r.result === 'skipped');
    status = failedRegions.length
      ? 'failed'
      : skippedNotice
        ? 'skipped'
        : mine.length
          ? 'ok'
          : statusOf(result);
    detail = skippedNotice?.note ?? describe(mine);
  } else if (stage === 'prod') {
    const plan = jobResult('prod-plan');
    const execute = jobResult('prod-execute');
    const reviewed = needs['prod-review'];
    if (plan === 'failure') {
      status = 'failed';
      detail = 'plan failed';
    } else if (execute === 'success') {
      status = 'ok';
      detail = describe(mine.filter((r) => r.step === 'execute'));
    } else if (
      execute === 'skipped' &&
      reviewed?.result === 'success' &&
      reviewed.outputs?.regions === '[]'
    ) {
      status = 'ok';
      detail = 'no changes';
    } else if (execute === 'failure') {
      status = 'failed';
      detail = failedRegions.length
        ? `failed in ${failedRegions.join(', ')}`
        : 'not executed (rejected or failed)';
    } else if (execute === 'cancelled' || plan === 'cancelled') {
      status = 'cancelled';
      detail = 'cancelled';
    } else {
      status = 'skipped';
      detail = 'not reached';
    }
  } else {
    const result = jobResult(stage);
    status = statusOf(result);
    detail =
      status === 'skipped'
        ? 'not reached'
        : failedRegions.length
          ? `failed in ${failedRegions.join(', ')}`
          : describe(mine);
  }
  return { stage, status, detail };
}

function statusOf(result) {
  if (result === 'success') return 'ok';
  if (result === 'failure') return 'failed';
  if (result === 'cancelled') return 'cancelled';
  return 'skipped';
}

function describe(reports) {
  if (reports.length === 0) return '';
  return reports.map((r) => `${r.region}: ${r.result}`).join(', ');
}

/** The promotion summary: `dev ✓ → prod ✓`, a mermaid diagram of the same, and one row per region and step. */
export function summary({ stack, event, needs, reports, packageHash, stages }) {
  const states = stages.map((s) => stageState(s, needs, reports, event));
  const line = states.map((s) => `${s.stage} ${MARK[s.status]}`).join(' → ');
  const title = event === 'plan' ? `Plan of ${stack}` : `Promotion of ${stack}`;
  const nodes = [];
  if (event !== 'plan' && packageHash)
    nodes.push(`  package["package<br/>sha256 ${packageHash.slice(0, 12)}"]:::ok`);
  for (const s of states) {
    const detail = s.detail ? `<br/>${escapeMermaid(s.detail)}` : '';
    nodes.push(`  ${s.stage}["${s.stage} ${MARK[s.status]}${detail}"]:::${s.status}`);
  }
  const ids = [...(event !== 'plan' && packageHash ? ['package'] : []), ...states.map((s) => s.stage)];
  const arrow = event === 'plan' ? ' --- ' : ' --> ';
  const lines = [
    `## ${title}: ${line}`,
    '',
    '```mermaid',
    'flowchart LR',
    ...nodes,
    `  ${ids.join(arrow)}`,
    '  classDef ok fill:#dafbe1,stroke:#1a7f37',
    '  classDef failed fill:#ffebe9,stroke:#cf222e',
    '  classDef skipped fill:#f6f8fa,stroke:#8c959f',
    '  classDef cancelled fill:#f6f8fa,stroke:#8c959f',
    '  classDef waiting fill:#fff8c5,stroke:#9a6700',
    '```',
    '',
  ];
  if (reports.length) {
    lines.push(
      '| stage | region | account | step | result | change set | stack status |',
      '|---|---|---|---|---|---|---|',
    );
    const order = (r) => [STAGES.indexOf(r.stage), ['plan', 'deploy', 'execute'].indexOf(r.step), r.region];
    const sorted = [...reports].sort((a, b) => compare(order(a), order(b)));
    for (const r of sorted) {
      const result = `${r.result}${r.destructive ? ' ⚠ destructive' : ''}`;
      lines.push(
        `| ${r.stage} | ${r.region} | ${r.accountId ?? ''} | ${r.step} | ${r.note ?? result} | ${r.changeSetName ?? ''} | ${r.stackStatus ?? ''} |`,
      );
    }
    lines.push('');
  }
  if (packageHash) lines.push(`Package sha256: \`${packageHash}\``, '');
  return `${lines.join('\n')}`;
}

function compare(a, b) {
  for (let i = 0; i < a.length; i++) {
    if (a[i] < b[i]) return -1;
    if (a[i] > b[i]) return 1;
  }
  return 0;
}

function escapeMermaid(text) {
  return text.replace(/"/g, '#quot;');
}

function parseArgs(argv) {
  const options = {};
  for (let i = 0; i < argv.length; i += 2) options[argv[i].replace(/^--/, '')] = argv[i + 1];
  return options;
}

function appendTo(variable, text) {
  const file = process.env[variable];
  if (file) appendFileSync(file, text);
  else process.stdout.write(text);
}

function main(argv) {
  const [command, ...rest] = argv;
  const options = parseArgs(rest);
  const env = process.env;
  if (command === 'report') {
    if (!options.out) throw new PromotionError('report needs --out FILE.');
    const report = reportFromEnv(env);
    mkdirSync(dirname(resolve(options.out)), { recursive: true });
    writeFileSync(options.out, `${JSON.stringify(report, null, 2)}\n`);
    console.log(`${report.stage} ${report.region} ${report.step}: ${report.result}`);
  } else if (command === 'review') {
    const { regions, changeSets, packageHash, markdown } = review(
      readReports(options.reports),
      options['change-set'] ?? '',
      options['package-hash'] ?? '',
    );
    appendTo('GITHUB_STEP_SUMMARY', markdown);
    if (env.GITHUB_OUTPUT)
      appendFileSync(
        env.GITHUB_OUTPUT,
        `regions=${JSON.stringify(regions)}\nchange-sets=${JSON.stringify(changeSets)}\npackage-hash=${packageHash}\n`,
      );
    console.log(`Regions to execute: ${JSON.stringify(regions)}`);
  } else if (command === 'summary') {
    const markdown = summary({
      stack: env.STACK_NAME ?? '',
      event: env.EVENT ?? '',
      needs: JSON.parse(env.NEEDS || '{}'),
      reports: readReports(options.reports),
      packageHash: env.PACKAGE_HASH || undefined,
      stages: JSON.parse(env.STAGES || '["dev","prod"]'),
    });
    appendTo('GITHUB_STEP_SUMMARY', `${markdown}\n`);
  } else {
    throw new PromotionError(`Unknown command "${command ?? ''}": use report, review or summary.`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  try {
    main(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof PromotionError)) throw error;
    console.log(`::error title=Promotion::${error.message}`);
    process.exit(1);
  }
}
