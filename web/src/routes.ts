// The app's few routes, on the History API (the server answers these paths with index.html, see
// APP_ROUTES in server/http/static-site.ts):
//   /login, /register            signed-out screens
//   /channels/@me                 signed in, no server open: direct messages
//   /channels/@me/{channel}       a direct-message channel
//   /channels/{guild}/{channel?}  a server and one of its channels
//   /invite/{code}                an invite: preview, then join (after signing in)
import { useSyncExternalStore } from 'react';

export type Route =
  | { name: 'login' | 'register' | 'home' }
  | { name: 'guild'; guildId: string; channelId: string | null }
  | { name: 'dm'; channelId: string }
  | { name: 'invite'; code: string };

export function parseRoute(path: string): Route {
  const parts = path.split('/').filter(Boolean);
  if (parts[0] === 'login' || parts[0] === 'register') return { name: parts[0] };
  if (parts[0] === 'invite' && parts[1]) return { name: 'invite', code: parts[1] };
  if (parts[0] === 'channels' && parts[1] === '@me' && parts[2]) return { name: 'dm', channelId: parts[2] };
  if (parts[0] === 'channels' && parts[1] && parts[1] !== '@me') return { name: 'guild', guildId: parts[1], channelId: parts[2] ?? null };
  return { name: 'home' };
}

const listeners = new Set<() => void>();
window.addEventListener('popstate', () => listeners.forEach((l) => l()));

export function navigate(path: string, replace = false) {
  if (path === location.pathname) return;
  if (replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  listeners.forEach((l) => l());
}

export function usePath(): string {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => void listeners.delete(l);
    },
    () => location.pathname,
  );
}

export const channelPath = (guildId: string, channelId?: string | null) => `/channels/${guildId}${channelId ? `/${channelId}` : ''}`;
export const dmPath = (channelId: string) => `/channels/@me/${channelId}`;
