import type { Masker } from './mask.js';
import type { DeployReport } from './model.js';

/** What a section may show; the renderer narrows it until the text fits. */
export interface SectionContext {
  /** Property values, event lists and other long details are shown. */
  details: boolean;
  /** The most items a list (changes, warnings) shows; the rest are counted in a note. */
  maxRows: number;
  mask: Masker;
  /** Markdown naming where the full report is, for notes about what was left out. */
  fullReport: string;
}

/** One part of the report: its lines, or nothing to leave itself out. */
export type Section = (report: DeployReport, ctx: SectionContext) => string[] | string | undefined;
