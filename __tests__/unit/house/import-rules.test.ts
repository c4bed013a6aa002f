import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ESLint } from 'eslint';

// The house rules run in `npm test` through ESLint. Each case writes a file that breaks one rule into src/
// for a moment and checks ESLint refuses it, so a rule that stopped working fails here.
const probe = join('src', 'engine', `zz-probe-${process.pid}`);
const reportProbe = join('src', 'report', `zz-probe-${process.pid}.ts`);

afterAll(() => {
  rmSync(probe, { recursive: true, force: true });
  rmSync(reportProbe, { force: true });
});

async function rulesBroken(files: Record<string, string>): Promise<string[]> {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, text);
  }
  const results = await new ESLint().lintFiles(Object.keys(files));
  return [...new Set(results.flatMap((r) => r.messages.map((m) => m.ruleId ?? m.message)))].sort();
}

describe('the house rules', () => {
  it('refuse an import cycle', async () => {
    const broken = await rulesBroken({
      [join(probe, 'a.ts')]: "import { b } from './b.js';\nexport const a = (): unknown => b;\n",
      [join(probe, 'b.ts')]: "import { a } from './a.js';\nexport const b = (): unknown => a;\n",
    });
    expect(broken).toContain('import-x/no-cycle');
  }, 60_000);

  it("refuse an import of another room's internals, and allow its entry module", async () => {
    const broken = await rulesBroken({
      [reportProbe]:
        "import { changeSetName } from '../engine/stack/change-set.js';\nexport const n = changeSetName;\n",
    });
    expect(broken).toEqual(['import-x/no-restricted-paths']);
    const allowed = await rulesBroken({
      [reportProbe]:
        "import { runStackChange } from '../engine/stack/index.js';\nexport const r = runStackChange;\n",
    });
    expect(allowed).toEqual([]);
  }, 60_000);

  it('refuse @actions/* outside src/action/ and an SDK client built outside src/aws/', async () => {
    const broken = await rulesBroken({
      [join(probe, 'edge.ts')]:
        "import * as core from '@actions/core';\nimport { STSClient } from '@aws-sdk/client-sts';\n" +
        'export const c = core;\nexport const s = new STSClient({});\n',
    });
    expect(broken).toEqual(['no-restricted-imports', 'no-restricted-syntax']);
  }, 60_000);
});
