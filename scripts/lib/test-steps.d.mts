export interface Tally {
  passed: number;
  failed: number;
  failures: string[];
}
export function tally(): Tally;
export function step(name: string, command: string, args: string[], options?: object): boolean;
export function check(t: Tally, name: string, command: string, args: string[], options?: object): void;
export function clearResults(dir: string): void;
export function requireBundle(t: Tally, root?: string): void;
export function jestProject(
  t: Tally,
  project: string,
  options: { jest: string; resultsDir: string; extra?: string[]; cwd?: string },
): void;
