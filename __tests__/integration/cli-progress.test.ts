/**
 * The live line while a change set is slow (the fidelity layer makes CloudFormation take its time, as AWS does):
 * a spinner redrawn in place under a pseudo-terminal (`script` from util-linux), plain lines at least every 5 s
 * in a log. And the report a terminal shows carries no markdown or HTML.
 */
import { jest } from '@jest/globals';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { startFidelity, type Fidelity } from '../../scripts/lib/fidelity/index.mjs';
import { makeWorkspace, REPO_ROOT } from '../../scripts/lib/runner.mjs';
import { motoEndpoint, resetMoto } from './harness/moto.js';

const CLI = join(REPO_ROOT, 'dist/cli/index.js');
let fid: Fidelity;
let workspace = '';

beforeAll(async () => {
  fid = await startFidelity({ upstream: motoEndpoint() });
  ({ workspace } = makeWorkspace({ 'stack.yaml': { from: 'templates/example-app.yaml' } }));
});
afterAll(() => fid.close());
beforeEach(async () => {
  await resetMoto();
  fid.reset();
});

const env = (): NodeJS.ProcessEnv => ({
  PATH: process.env.PATH,
  HOME: workspace,
  TERM: 'xterm-256color',
  AWS_ENDPOINT_URL: fid.url,
  AWS_REGION: 'eu-west-1',
  AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'laptop-secret',
  AWS_EC2_METADATA_DISABLED: 'true',
  NODE_NO_WARNINGS: '1',
});
function runChild(
  file: string,
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(file, args, { cwd: workspace, env: env() });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

const PLAN = ['plan', '--stack-name', 'slow', '--template', 'stack.yaml', '--permissions', 'off'];
const ESC = String.fromCharCode(27);
const ANSI = new RegExp(`${ESC}\\[[0-9;]*[A-Za-z]`, 'g');

jest.setTimeout(60_000);

describe('progress while CloudFormation takes its time', () => {
  it('draws a spinner with the elapsed time and status on a terminal; the report is plain text', async () => {
    fid.scenario({ changeSet: { createSeconds: 3 } });
    const command = [process.execPath, CLI, ...PLAN].map((a) => `'${a}'`).join(' ');
    // Asynchronous: the fidelity layer answers from this process.
    const run = await runChild('script', ['-qfec', command, '/dev/null']);
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    const screen = run.stdout;
    // Redrawn in place: carriage return + erase line, a spinner frame, what is waited for, seconds, status.
    expect(screen).toMatch(
      new RegExp(
        `\r${ESC}\\[2K[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] Waiting for the change set to be created · [0-3] s · CREATE_(PENDING|IN_PROGRESS)`,
      ),
    );
    expect(screen).toMatch(/· [1-3] s · CREATE_IN_PROGRESS/);
    const report = screen.slice(screen.indexOf('slow: 2 to add — planned') - 40).replace(ANSI, '');
    expect(report).toContain('123456789012 · eu-west-1 · slow: 2 to add — planned');
    expect(report).toMatch(/\+ add {2}Queue/);
    expect(report).not.toMatch(/<\/?[a-z]+[ >]|\*\*|^\s*\||^> \[!|```|^#+ /m);
    // Colour on a terminal.
    expect(screen).toContain(`${ESC}[32m`);
  });

  it('writes plain lines at least every 5 s in a log (no terminal)', async () => {
    fid.scenario({ changeSet: { createSeconds: 6 } });
    const child = spawn(process.execPath, [CLI, ...PLAN], { cwd: workspace, env: env() });
    const lines: { at: number; text: string }[] = [];
    const started = Date.now();
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      for (const text of chunk.split('\n').filter(Boolean)) lines.push({ at: Date.now() - started, text });
    });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(0);
    const waits = lines.filter((l) => l.text.startsWith('Waiting for the change set'));
    expect(waits.length).toBeGreaterThanOrEqual(2);
    for (const [i, w] of waits.entries()) {
      if (i > 0) expect(w.at - (waits[i - 1]?.at ?? 0)).toBeLessThanOrEqual(5_500);
    }
    expect(waits.at(-1)?.text).toMatch(/ · [4-6] s · CREATE_IN_PROGRESS$/);
    expect(lines.map((l) => l.text).join('\n')).not.toContain('\r');
    expect(stdout).not.toMatch(ANSI);
  });
});
