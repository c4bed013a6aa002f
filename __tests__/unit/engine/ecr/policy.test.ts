import { readFileSync } from 'node:fs';
import {
  DEFAULT_POLICY,
  MAX_POLICY_LENGTH,
  MIN_POLICY_LENGTH,
  canonicalOrUndefined,
  canonicalPolicy,
  parseLifecyclePolicy,
  type LifecyclePolicy,
} from '../../../../src/engine/ecr/policy.js';
import { InputError } from '../../../../src/errors.js';
import { evaluate, tagPatternMatches, type Image } from '../../helpers/ecr-evaluator.js';

const TEMPLATE = new URL('../../../../templates/ecr-lifecycle-policy.json', import.meta.url);

const rule = (
  rulePriority: number,
  selection: Record<string, unknown>,
  extra: Record<string, unknown> = {},
) => ({
  rulePriority,
  description: `rule ${rulePriority}`,
  selection,
  action: { type: 'expire' },
  ...extra,
});
const UNTAGGED = { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 1 };
const TAGGED = {
  tagStatus: 'tagged',
  tagPatternList: ['dev-*'],
  countType: 'imageCountMoreThan',
  countNumber: 5,
};

function failure(policy: unknown): InputError {
  try {
    parseLifecyclePolicy(typeof policy === 'string' ? policy : JSON.stringify(policy), 'ecr/policy.json');
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error('expected an InputError');
}

describe('the default lifecycle policy', () => {
  it('is the template file, as bundled', () => {
    expect(DEFAULT_POLICY).toEqual(JSON.parse(readFileSync(TEMPLATE, 'utf8')));
  });

  it('is valid and within ECR length limits, as the file and as put', () => {
    const file = readFileSync(TEMPLATE, 'utf8');
    expect(file.length).toBeGreaterThanOrEqual(MIN_POLICY_LENGTH);
    expect(file.length).toBeLessThanOrEqual(MAX_POLICY_LENGTH);
    const canonical = parseLifecyclePolicy(file, 'templates/ecr-lifecycle-policy.json');
    expect(canonical.length).toBeLessThanOrEqual(MAX_POLICY_LENGTH);
  });

  it('has no any rule, or has it last', () => {
    const rules = DEFAULT_POLICY.rules;
    const any = rules.filter((r) => r.selection.tagStatus === 'any');
    for (const r of any) expect(r.rulePriority).toBe(Math.max(...rules.map((x) => x.rulePriority)));
  });

  describe('evaluated on images (ECR semantics, see helpers/ecr-evaluator.ts)', () => {
    const images: Image[] = [
      { name: 'untagged, 2 days', tags: [], ageDays: 2 },
      { name: 'testing, 4 days', tags: ['testing'], ageDays: 4 },
      { name: 'testing-pr-7, 4 days', tags: ['testing-pr-7'], ageDays: 4 },
      { name: 'builder, 5 days', tags: ['builder'], ageDays: 5 },
      { name: 'a1b2c3d, 4 days', tags: ['a1b2c3d'], ageDays: 4 },
      { name: 'full sha, 9 days', tags: ['0123456789abcdef0123456789abcdef01234567'], ageDays: 9 },
      { name: 'latest, 400 days', tags: ['latest'], ageDays: 400 },
      { name: 'main, 400 days', tags: ['main'], ageDays: 400 },
      { name: 'v1.2.3, 400 days', tags: ['v1.2.3'], ageDays: 400 },
      { name: 'v1.2.3 + its sha, 400 days', tags: ['v2.0.0', 'f00dfee'], ageDays: 400 },
      { name: 'main + testing, 30 days', tags: ['main', 'testing'], ageDays: 30 },
      { name: 'develop, 30 days', tags: ['develop'], ageDays: 30 },
      { name: 'feature-x, 30 days', tags: ['feature-x'], ageDays: 30 },
      { name: '1.2.3, 30 days', tags: ['1.2.3'], ageDays: 30 },
      { name: 'develop + its sha, 30 days', tags: ['develop', 'b4d5e6f'], ageDays: 30 },
      { name: 'RC1, 30 days', tags: ['RC1'], ageDays: 30 },
      { name: 'untagged, 0 days', tags: [], ageDays: 0 },
      { name: 'testing, 2 days', tags: ['testing'], ageDays: 2 },
      { name: 'a1b2c3e, 2 days', tags: ['a1b2c3e'], ageDays: 2 },
    ];
    const expired = evaluate(DEFAULT_POLICY, images);

    it.each([
      'untagged, 2 days',
      'testing, 4 days',
      'testing-pr-7, 4 days',
      'builder, 5 days',
      'a1b2c3d, 4 days',
      'full sha, 9 days',
    ])('expires %s', (name) => {
      expect(expired.has(name)).toBe(true);
    });

    it.each([
      'latest, 400 days',
      'main, 400 days',
      'v1.2.3, 400 days',
      'v1.2.3 + its sha, 400 days',
      'main + testing, 30 days',
      'develop, 30 days',
      'feature-x, 30 days',
      '1.2.3, 30 days',
      'develop + its sha, 30 days',
      'RC1, 30 days',
      'untagged, 0 days',
      'testing, 2 days',
      'a1b2c3e, 2 days',
    ])('never expires %s', (name) => {
      expect(expired.has(name)).toBe(false);
    });

    it('expires exactly the expected images (nothing else)', () => {
      expect([...expired.keys()].sort()).toEqual(
        [
          'untagged, 2 days',
          'testing, 4 days',
          'testing-pr-7, 4 days',
          'builder, 5 days',
          'a1b2c3d, 4 days',
          'full sha, 9 days',
        ].sort(),
      );
    });
  });

  it('fixes the one-character-prefix bug: such a rule would expire develop, feature-x and 1.2.3', () => {
    // The guide's way: a prefix per hex character catches every tag that starts with one.
    const prefixRules: LifecyclePolicy = {
      rules: [...'0123456789abcdef'].map((c, i) => ({
        rulePriority: i + 1,
        selection: {
          tagStatus: 'tagged' as const,
          tagPrefixList: [c],
          countType: 'sinceImagePushed' as const,
          countUnit: 'days',
          countNumber: 3,
        },
        action: { type: 'expire' as const },
      })),
    };
    const images = ['develop', 'feature-x', '1.2.3'].map((t) => ({ name: t, tags: [t], ageDays: 30 }));
    expect([...evaluate(prefixRules, images).keys()].sort()).toEqual(['1.2.3', 'develop', 'feature-x']);
    expect(evaluate(DEFAULT_POLICY, images).size).toBe(0);
  });
});

describe('the evaluator', () => {
  it('matches ECR tag patterns as whole tags with * for any characters', () => {
    expect(tagPatternMatches('prod*', 'prod')).toBe(true);
    expect(tagPatternMatches('prod*', 'prod1')).toBe(true);
    expect(tagPatternMatches('prod*', 'xprod')).toBe(false);
    expect(tagPatternMatches('v*.*.*', 'v1.2.3')).toBe(true);
    expect(tagPatternMatches('v*.*.*', 'v1.2')).toBe(false);
    expect(tagPatternMatches('*g*', 'develop')).toBe(false);
    expect(tagPatternMatches('*v*', 'develop')).toBe(true);
  });

  it('keeps the newest N images with imageCountMoreThan and lets a higher-priority rule protect an image', () => {
    const policy = {
      rules: [
        rule(1, { ...TAGGED, tagPatternList: ['keep'], countNumber: 100 }),
        rule(2, { ...TAGGED, countNumber: 1 }),
      ],
    } as unknown as LifecyclePolicy;
    const images = [
      { name: 'new', tags: ['dev-3'], ageDays: 1 },
      { name: 'old', tags: ['dev-2'], ageDays: 2 },
      { name: 'older, kept', tags: ['dev-1', 'keep'], ageDays: 3 },
    ];
    expect([...evaluate(policy, images).keys()]).toEqual(['old']);
  });
});

describe('parseLifecyclePolicy', () => {
  const valid = { rules: [rule(1, UNTAGGED), rule(2, TAGGED)] };

  it('returns the canonical text: rules by priority, keys sorted, no whitespace', () => {
    const text = parseLifecyclePolicy(JSON.stringify(valid, null, 2), 'p.json');
    expect(text).not.toMatch(/\n|": /);
    expect(text.indexOf('"rulePriority":1')).toBeLessThan(text.indexOf('"rulePriority":2'));
    expect(
      text.startsWith('{"rules":[{"action":{"type":"expire"},"description":"rule 1","rulePriority":1,'),
    ).toBe(true);
  });

  it('treats reordered rules, reordered keys and reordered tag lists as the same policy', () => {
    const a = { rules: [rule(1, UNTAGGED), rule(2, { ...TAGGED, tagPatternList: ['dev-*', 'x*'] })] };
    const b = {
      rules: [
        {
          action: { type: 'expire' },
          selection: { ...TAGGED, tagPatternList: ['x*', 'dev-*'] },
          description: 'rule 2',
          rulePriority: 2,
        },
        {
          selection: {
            countNumber: 1,
            countUnit: 'days',
            countType: 'sinceImagePushed',
            tagStatus: 'untagged',
          },
          rulePriority: 1,
          action: { type: 'expire' },
          description: 'rule 1',
        },
      ],
    };
    expect(canonicalOrUndefined(JSON.stringify(b, null, 4))).toBe(canonicalPolicy(a as LifecyclePolicy));
  });

  it('tells different policies apart', () => {
    const other = { rules: [rule(1, UNTAGGED), rule(2, { ...TAGGED, countNumber: 6 })] };
    expect(canonicalPolicy(other as LifecyclePolicy)).not.toBe(canonicalPolicy(valid as LifecyclePolicy));
    expect(canonicalOrUndefined('not json')).toBeUndefined();
  });

  it.each([
    ['not JSON', '{ rules: [', /not valid JSON/],
    ['no rules', { rules: [] }, /"rules" is not a non-empty list/],
    ['an unknown top-level field', { ...valid, version: 1 }, /unknown top-level field\(s\) version/],
    [
      'duplicate priorities',
      { rules: [rule(1, UNTAGGED), rule(1, TAGGED)] },
      /rule #2 \(rulePriority 1\): rulePriority 1 is already used by rule #1/,
    ],
    [
      'an any rule that is not last',
      {
        rules: [
          rule(5, { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 10 }),
          rule(6, TAGGED),
        ],
      },
      /rule #1 \(rulePriority 5\): selection.tagStatus is "any", so its rulePriority must be the highest/,
    ],
    [
      'a tagged rule without a tag list',
      { rules: [rule(3, { tagStatus: 'tagged', countType: 'imageCountMoreThan', countNumber: 1 })] },
      /rule #1 \(rulePriority 3\): selection.tagStatus is "tagged", so selection.tagPatternList or selection.tagPrefixList is required/,
    ],
    [
      'an untagged rule with a tag list',
      { rules: [rule(1, { ...UNTAGGED, tagPrefixList: ['x'] })] },
      /rule #1 \(rulePriority 1\): selection.tagPrefixList is only allowed when tagStatus is "tagged"/,
    ],
    [
      'countUnit with imageCountMoreThan',
      { rules: [rule(2, { ...TAGGED, countUnit: 'days' })] },
      /rule #1 \(rulePriority 2\): selection.countUnit is only allowed with the time-based count types/,
    ],
    [
      'sinceImagePushed without countUnit',
      { rules: [rule(1, { tagStatus: 'untagged', countType: 'sinceImagePushed', countNumber: 1 })] },
      /selection.countUnit must be "days" with countType sinceImagePushed/,
    ],
    [
      'more than four wildcards in a pattern',
      { rules: [rule(1, { ...TAGGED, tagPatternList: ['a*b*c*d*e*f'] })] },
      /selection.tagPatternList pattern "a\*b\*c\*d\*e\*f" has more than 4 wildcards/,
    ],
    [
      'a misspelt field',
      { rules: [rule(1, { ...TAGGED, tagPatternlist: ['x'] })] },
      /unknown field "selection.tagPatternlist"/,
    ],
    [
      'a zero count',
      { rules: [rule(1, { ...TAGGED, countNumber: 0 })] },
      /selection.countNumber must be a whole number ≥ 1/,
    ],
    [
      'an unknown action',
      { rules: [rule(1, TAGGED, { action: { type: 'delete' } })] },
      /action.type must be one of expire/,
    ],
  ])('rejects %s, naming the input, the rule and the field', (_what, policy, message) => {
    const error = failure(policy);
    expect(error.input).toBe('ecr-lifecycle-policy');
    expect(error.message).toContain(`Input 'ecr-lifecycle-policy' is "ecr/policy.json"`);
    expect(error.message).toMatch(message);
  });

  it('rejects a policy over 30,720 characters', () => {
    const rules = Array.from({ length: 200 }, (_, i) =>
      rule(i + 1, { ...TAGGED, tagPatternList: [`tag-${i}-${'x'.repeat(100)}*`] }),
    );
    expect(failure({ rules }).message).toMatch(/100–30720 characters .* it has \d{5} without whitespace/);
  });
});
