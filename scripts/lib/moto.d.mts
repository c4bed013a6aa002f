export function freePort(): Promise<number>;
export function startMoto(): Promise<{ endpoint: string; pid: number | undefined; stop(): Promise<void> }>;
export function resetMoto(endpoint: string): Promise<void>;
export function createRepositories(endpoint: string, account: string, names: string[]): Promise<void>;
export function createRole(
  endpoint: string,
  account: string,
  name: string,
  options?: { boundary?: boolean },
): Promise<void>;
export function createGithubOidcProvider(endpoint: string, account: string, audience?: string): Promise<void>;
