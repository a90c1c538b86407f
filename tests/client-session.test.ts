// The client package's session handling (client/src/client.ts) against a real server whose access
// tokens live 6 s: the client renews its token before expiry, HTTP calls use the renewed one, and
// `streamEvents` moves to a connection with the new token, so the stream outlives the tokens it
// started with and delivers every message once.
import { createChatClient, type StreamEvent, type TokenPair } from '@chat-server/client';
import WebSocket from 'ws';
import { beforeAll, expect, it } from 'vitest';
import type { App } from '../server/app.js';
import { errorOf, httpClient, uniqueName } from './helpers/clients.js';
import { onCleanup } from './helpers/cleanup.js';
import { startTestServer } from './helpers/server.js';

let app: App;
beforeAll(async () => {
  app = await startTestServer({ ACCESS_TOKEN_TTL_SECONDS: '6' });
});

/** Resolves once `check` holds, polled every 50 ms. */
async function until(check: () => boolean, what: string, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

it('renews the access token before it expires and keeps the event stream across renewals', { timeout: 60_000 }, async () => {
  const renewed: (TokenPair | null)[] = [];
  const chat = createChatClient({
    url: app.url,
    WebSocket: WebSocket as unknown as typeof globalThis.WebSocket,
    renewBeforeMs: 3_000,
    reconnectDelayMs: () => 100,
    onSessionChange: (pair) => renewed.push(pair),
  });
  onCleanup(() => chat.close());
  const name = uniqueName('renew');
  const first = await chat.api.auth.register.mutate({ username: name, email: `${name}@example.test`, password: 'correct horse battery' });
  chat.setSession(first);

  const events: { id: string; event: StreamEvent }[] = [];
  const statuses: string[] = [];
  chat.streamEvents({ onEvent: (event, id) => events.push({ id, event }), onStatus: (s) => statuses.push(s) });
  await until(() => statuses.includes('online'), 'the stream to start');
  const messageIds = () => events.flatMap(({ event }) => (event.type === 'MESSAGE_CREATE' ? [event.data.id] : []));

  const guild = await chat.api.guilds.create.mutate({ name: 'Renewals' });
  const channelId = guild.systemChannelId!;
  const before = await chat.api.messages.send.mutate({ channelId, content: 'before' });
  await until(() => messageIds().includes(before.id), 'the first message');

  // Three renewals (one every 3 s): the first access token has expired by then.
  await until(() => renewed.length >= 3, 'three renewals');
  expect(renewed.every((p) => p !== null)).toBe(true);
  expect((await errorOf(httpClient(app.url, first.accessToken).users.me.query())).code).toBe('UNAUTHORIZED');

  // HTTP with the current token, and the stream still delivers: each message once, in order.
  const after = await chat.api.messages.send.mutate({ channelId, content: 'after' });
  await until(() => messageIds().includes(after.id), 'the message sent after the renewals');
  expect(messageIds()).toEqual([before.id, after.id]);
  expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
  // Moved to a new connection before each token expired: never ended by the server meanwhile.
  expect(statuses).not.toContain('offline');
  // Each renewal rotated the refresh token: the first one is used up (and presenting it ends the session).
  expect((await errorOf(httpClient(app.url).auth.refresh.mutate({ refreshToken: first.refreshToken }))).code).toBe('UNAUTHORIZED');
});

it('reports a refused renewal as the end of the session', { timeout: 30_000 }, async () => {
  const renewed: (TokenPair | null)[] = [];
  const name = uniqueName('revoked');
  const pair = await httpClient(app.url).auth.register.mutate({ username: name, email: `${name}@example.test`, password: 'correct horse battery' });
  const chat = createChatClient({ url: app.url, session: pair, renewBeforeMs: 5_000, onSessionChange: (p) => renewed.push(p) });
  onCleanup(() => chat.close());
  await httpClient(app.url, pair.accessToken).auth.logout.mutate();
  await until(() => renewed.length > 0, 'the renewal');
  expect(renewed).toEqual([null]);
  expect((await errorOf(chat.api.users.me.query())).code).toBe('UNAUTHORIZED');
});
