import { readFileSync } from 'node:fs';
import { EXAMPLES, renderExample } from '../../../scripts/lib/examples.mjs';
import * as markdown from '../../../src/report/markdown.js';
import { REPO_ROOT } from '../../../scripts/lib/runner.mjs';

describe('docs/examples', () => {
  it.each(EXAMPLES.map((e) => [e.out, e]))(
    '%s is what the renderer writes today (npm run examples)',
    (_, example) => {
      expect(readFileSync(`${REPO_ROOT}/${example.out}`, 'utf8')).toBe(
        renderExample(markdown, example, REPO_ROOT),
      );
    },
  );

  it('shows a NoEcho parameter masked', () => {
    expect(readFileSync(`${REPO_ROOT}/docs/examples/comment.md`, 'utf8')).toContain(
      '| `DatabasePassword` | `****` |',
    );
  });
});
