// The signed-in session. The refresh token lives in an HttpOnly cookie that only /auth/session
// receives (see README "Web app"); this module holds the short-lived access token in memory,
// renews it before it expires, and tells listeners when it changes (the live stream reconnects
// with the new one).
import { createTRPCClient, httpLink, TRPCClientError } from '@trpc/client';
import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import type { WebSessionRouter } from '../../../server/routers/web-session.js';

type SessionOutput = inferRouterOutputs<WebSessionRouter>['login'];
export type SelfUser = SessionOutput['user'];
export type LoginInput = inferRouterInputs<WebSessionRouter>['login'];
export type RegisterInput = inferRouterInputs<WebSessionRouter>['register'];

/** Renew when this much of the access token's life is left. */
const RENEW_BEFORE_MS = 60_000;

export interface Session {
  user(): SelfUser | null;
  /** a valid access token (renewed first when it is about to expire); throws when signed out */
  accessToken(): Promise<string>;
  /** picks up the cookie's session after a reload; false when there is none */
  resume(): Promise<boolean>;
  login(input: LoginInput): Promise<void>;
  register(input: RegisterInput): Promise<void>;
  logout(): Promise<void>;
  /** called with the user after every sign-in and token renewal, with null on sign-out */
  onChange(listener: (user: SelfUser | null) => void): () => void;
}

export class SignedOut extends Error {}

export function createSession(): Session {
  let current: { token: string; expiresAt: number; user: SelfUser } | null = null;
  let renewTimer: ReturnType<typeof setTimeout> | undefined;
  let renewing: Promise<void> | null = null;
  const listeners = new Set<(user: SelfUser | null) => void>();

  const api = createTRPCClient<WebSessionRouter>({
    links: [httpLink({ url: '/auth/session', headers: () => (current ? { authorization: `Bearer ${current.token}` } : {}) })],
  });

  function set(next: SessionOutput | null) {
    clearTimeout(renewTimer);
    current = next ? { token: next.accessToken, expiresAt: Date.now() + next.expiresIn * 1000, user: next.user } : null;
    if (current) renewTimer = setTimeout(() => void renew().catch(() => {}), Math.max(1000, current.expiresAt - Date.now() - RENEW_BEFORE_MS));
    for (const l of listeners) l(current?.user ?? null);
  }

  /**
   * One renewal at a time, across tabs too (Web Locks): each refresh token works once, and the
   * server revokes a session whose refresh token is used twice.
   */
  function renew(): Promise<void> {
    renewing ??= (async () => {
      try {
        const refresh = () => api.refresh.mutate();
        set(await (navigator.locks ? navigator.locks.request('chat-session-refresh', refresh) : refresh()));
      } catch (err) {
        if (err instanceof TRPCClientError && err.data?.code === 'UNAUTHORIZED') set(null);
        throw err;
      } finally {
        renewing = null;
      }
    })();
    return renewing;
  }

  return {
    user: () => current?.user ?? null,
    async accessToken() {
      if (current && current.expiresAt - Date.now() < RENEW_BEFORE_MS / 2) await renew();
      if (!current) throw new SignedOut('signed out');
      return current.token;
    },
    async resume() {
      try {
        await renew();
        return true;
      } catch {
        return false;
      }
    },
    async login(input) {
      set(await api.login.mutate(input));
    },
    async register(input) {
      set(await api.register.mutate(input));
    },
    async logout() {
      try {
        if (current) await api.logout.mutate();
      } finally {
        set(null);
      }
    },
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
