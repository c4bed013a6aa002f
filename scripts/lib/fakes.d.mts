import type { IncomingMessage, Server, ServerResponse } from 'node:http';

export interface LoopbackServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}
export function listen(
  handler: (req: IncomingMessage, res: ServerResponse, body: string) => void | Promise<void>,
): Promise<LoopbackServer>;

export function fakeJwt(claims: Record<string, unknown>): string;

export interface OidcServer extends LoopbackServer {
  requests: { audience: string | null; authorization: string | undefined }[];
  tokens: string[];
}
export function startOidc(claims?: Record<string, unknown>): Promise<OidcServer>;

export interface FakeComment {
  id: number;
  body: string;
  user: { login: string; type: string };
}
export interface GithubApi extends LoopbackServer {
  comments: Map<number, FakeComment[]>;
  requests: { method: string; path: string; body: string }[];
  forbid: boolean;
}
export function startGithubApi(): Promise<GithubApi>;
