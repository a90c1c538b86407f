// Real tRPC clients (HTTP and WebSocket) and small helpers to make users and guilds.
import { createTRPCClient, createWSClient, httpLink, TRPCClientError, wsLink } from '@trpc/client';
import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import type { AppRouter } from '../../server/routers/index.js';
import { onCleanup } from './cleanup.js';

export type Client = ReturnType<typeof httpClient>;

export function httpClient(baseUrl: string, token?: string | (() => string | undefined)) {
  return createTRPCClient<AppRouter>({
    links: [
      httpLink({
        url: `${baseUrl}/trpc`,
        headers: () => {
          const t = typeof token === 'function' ? token() : token;
          return t ? { authorization: `Bearer ${t}` } : {};
        },
      }),
    ],
  });
}

/** A WebSocket tRPC client authenticated through connectionParams; closed after the test file. */
export function wsClient(baseUrl: string, token: string) {
  const ws = createWSClient({
    url: `${baseUrl.replace(/^http/, 'ws')}/trpc`,
    WebSocket: WebSocket as unknown as typeof globalThis.WebSocket,
    connectionParams: () => ({ token }),
    retryDelayMs: () => 200 + Math.random() * 200,
  });
  const client = createTRPCClient<AppRouter>({ links: [wsLink({ client: ws })] });
  onCleanup(() => ws.close());
  return { ws, client };
}

export interface TestUser {
  id: string;
  username: string;
  accessToken: string;
  refreshToken: string;
  client: Client;
}

export const uniqueName = (prefix = 'user') => `${prefix}_${randomBytes(5).toString('hex')}`;

export async function registerUser(baseUrl: string, name = uniqueName()): Promise<TestUser> {
  const res = await httpClient(baseUrl).auth.register.mutate({ username: name, email: `${name}@example.test`, password: 'correct horse battery' });
  return {
    id: res.user.id,
    username: name,
    accessToken: res.accessToken,
    refreshToken: res.refreshToken,
    client: httpClient(baseUrl, res.accessToken),
  };
}

/** The tRPC error code of a failed call (e.g. "FORBIDDEN"), failing the test if it succeeded. */
export async function errorOf(p: Promise<unknown>): Promise<{ code: string; reason?: string; message: string; httpStatus?: number }> {
  try {
    await p;
  } catch (err) {
    if (err instanceof TRPCClientError) {
      const data = err.data as { code: string; reason?: string; httpStatus?: number } | undefined;
      return { code: data?.code ?? 'UNKNOWN', reason: data?.reason, message: err.message, httpStatus: data?.httpStatus };
    }
    throw err;
  }
  throw new Error('expected the call to fail, but it succeeded');
}
