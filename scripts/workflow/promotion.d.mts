export class PromotionError extends Error {}
export interface StageReport {
  stack: string;
  stage: string;
  region: string;
  step: string;
  outcome: string;
  result: string;
  accountId?: string;
  changeSetName?: string;
  changeSetId?: string;
  hasChanges: boolean;
  destructive: boolean;
  stackStatus?: string;
  packageHash?: string;
  note?: string;
}
export function reportFromEnv(env: Record<string, string | undefined>): StageReport;
export function readReports(dir: string): StageReport[];
export function review(
  reports: StageReport[],
  changeSetName: string,
  packageHash: string,
): { regions: string[]; changeSets: Record<string, string>; packageHash: string; markdown: string };
export function summary(options: {
  stack: string;
  event: string;
  needs: Record<string, { result?: string; outputs?: Record<string, string> }>;
  reports: StageReport[];
  packageHash?: string;
  stages: string[];
}): string;
