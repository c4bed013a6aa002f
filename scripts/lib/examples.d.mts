export interface MarkdownModule {
  renderMarkdown(report: never, options: object): string;
  COMMENT_LIMIT: number;
  SUMMARY_LIMIT: number;
}

export interface Example {
  report: string;
  out: string;
  what: string;
  options(markdown: MarkdownModule): object;
}

export const EXAMPLES: Example[];
export function renderExample(markdown: MarkdownModule, example: Example, root: string): string;
