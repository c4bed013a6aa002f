/**
 * A small model of how ECR applies a lifecycle policy, written from the ECR user guide's rules, to check what a
 * policy expires without an AWS account (moto does not evaluate lifecycle policies):
 * - rules are applied from the lowest rulePriority to the highest;
 * - `tagged` selects images with at least one tag where every entry of tagPatternList (`*` = any characters,
 *   whole-tag match) / tagPrefixList matches some tag of the image; `untagged` images without tags; `any` all;
 * - imageCountMoreThan keeps the newest N selected images (by push time) and marks the rest; sinceImagePushed
 *   marks the selected images pushed more than N days ago;
 * - an image that matches the tagging requirements of a higher-priority rule can't be expired by a lower-priority
 *   rule, but it is still counted by it ("identified as if not expired").
 */
import type { LifecyclePolicy, LifecycleRule } from '../../../src/engine/ecr/policy.js';

export interface Image {
  name: string;
  tags: string[];
  /** Days since the image was pushed. */
  ageDays: number;
}

export function tagPatternMatches(pattern: string, tag: string): boolean {
  const source = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${source}$`).test(tag);
}

function selects(rule: LifecycleRule, image: Image): boolean {
  const s = rule.selection;
  if (s.tagStatus === 'untagged') return image.tags.length === 0;
  if (s.tagStatus === 'any') return true;
  if (image.tags.length === 0) return false;
  const patterns = s.tagPatternList ?? [];
  const prefixes = s.tagPrefixList ?? [];
  return (
    patterns.every((p) => image.tags.some((t) => tagPatternMatches(p, t))) &&
    prefixes.every((p) => image.tags.some((t) => t.startsWith(p)))
  );
}

/** The names of the images the policy expires, and which rule expires each. */
export function evaluate(policy: LifecyclePolicy, images: Image[]): Map<string, number> {
  const rules = [...policy.rules].sort((a, b) => a.rulePriority - b.rulePriority);
  const claimed = new Set<Image>();
  const expired = new Map<string, number>();
  for (const rule of rules) {
    const selected = images.filter((image) => selects(rule, image));
    const { countType, countNumber } = rule.selection;
    const marked =
      countType === 'imageCountMoreThan'
        ? [...selected].sort((a, b) => a.ageDays - b.ageDays).slice(countNumber)
        : countType === 'sinceImagePushed'
          ? selected.filter((image) => image.ageDays > countNumber)
          : [];
    for (const image of marked) {
      if (!claimed.has(image) && rule.action.type === 'expire') expired.set(image.name, rule.rulePriority);
    }
    for (const image of selected) claimed.add(image);
  }
  return expired;
}
