import { ecrSection } from '../../../src/report/ecr-section.js';
import { renderMarkdown } from '../../../src/report/markdown.js';
import { ECR_PHASE, type DeployReport, type EcrFinding } from '../../../src/report/model.js';

function report(ecr: EcrFinding[]): DeployReport {
  return {
    region: 'eu-west-1',
    stackName: 'app',
    mode: 'plan',
    result: 'planned',
    changes: [],
    destructive: [],
    parameters: [],
    outputs: [],
    events: [],
    ecr,
    timings: [{ phase: ECR_PHASE, ms: 1234 }],
    notes: [],
  };
}

describe('ecrSection', () => {
  it('renders nothing when the run had no ECR phase', () => {
    expect(ecrSection(report([]), { maxRows: 100 })).toEqual([]);
    expect(renderMarkdown(report([]))).not.toContain('ECR lifecycle policies');
  });

  it('counts the statuses and lists the repositories, changes first, in a collapsed table', () => {
    const text = ecrSection(
      report([
        { repository: 'app/a', status: 'unchanged' },
        { repository: 'app/c', status: 'would-update' },
        { repository: 'app/b', status: 'would-create' },
      ]),
      { maxRows: 100 },
    ).join('\n');
    expect(text).toContain(
      '**ECR lifecycle policies:** 3 repositories in 1.2 s — 1 would be created, 1 would be updated, 1 unchanged',
    );
    expect(text).toContain('<details><summary>Repositories</summary>');
    const rows = text.split('\n').filter((l) => l.startsWith('| `'));
    expect(rows).toEqual([
      '| `app/b` | would be created |',
      '| `app/c` | would be updated |',
      '| `app/a` | unchanged |',
    ]);
  });

  it('caps the table', () => {
    const many = Array.from({ length: 5 }, (_, i) => ({ repository: `r${i}`, status: 'created' as const }));
    const text = ecrSection(report(many), { maxRows: 2 }).join('\n');
    expect(text.split('\n').filter((l) => l.startsWith('| `'))).toHaveLength(2);
    expect(text).toContain('…and 3 more repositories.');
  });

  it('is part of the markdown report', () => {
    expect(renderMarkdown(report([{ repository: 'app/a', status: 'created' }]))).toContain(
      '**ECR lifecycle policies:** 1 repository in 1.2 s — 1 created',
    );
  });
});
