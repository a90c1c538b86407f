import jwt from 'jsonwebtoken';
import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../server/app.js';
import { registerUser } from './helpers/clients.js';
import { collectEvents } from './helpers/events.js';
import { startTestServer } from './helpers/server.js';

let app: App;
beforeAll(async () => {
  app = await startTestServer({ RESUME_WINDOW_EVENTS: '20' });
});

describe('events.stream basics', () => {
  it('delivers the user their own USER_UPDATE, and not to another user', async () => {
    const a = await registerUser(app.url);
    const b = await registerUser(app.url);
    const sa = await collectEvents(app.url, a.accessToken);
    const sb = await collectEvents(app.url, b.accessToken);
    await a.client.users.updateMe.mutate({ displayName: 'Alice A' });
    const got = await sa.waitFor((e) => e.type === 'USER_UPDATE');
    expect(got.event.data).toMatchObject({ id: a.id, displayName: 'Alice A' });
    expect(got.id).toMatch(/^\d+-\d+-[0-9a-f]{24}$/);
    await b.client.users.updateMe.mutate({ displayName: 'Bob B' });
    await sb.waitFor((e) => e.type === 'USER_UPDATE');
    expect(sa.received.filter((r) => r.event.type === 'USER_UPDATE').map((r) => (r.event.data as { id: string }).id)).toEqual([a.id]);
    sa.close();
    sb.close();
  });

  it('rejects a stream without a valid token', async () => {
    const s = await collectEvents(app.url, 'not-a-token');
    const err = await s.waitForError();
    expect(String((err as Error).message)).toMatch(/Unauthorized/i);
    expect(s.received).toEqual([]);
    s.close();
  });

  it('ends the stream when the session is logged out', async () => {
    const a = await registerUser(app.url);
    const s = await collectEvents(app.url, a.accessToken);
    await a.client.auth.logout.mutate();
    const err = await s.waitForError(4000);
    expect(String((err as Error).message)).toMatch(/revoked/);
    s.close();
  });

  it('ends the stream when its access token expires, and delivers nothing after that', async () => {
    const a = await registerUser(app.url);
    const claims = jwt.decode(a.accessToken) as { sid: string; sub: string };
    const shortLived = jwt.sign({ sid: claims.sid, typ: 'access' }, app.deps.config.JWT_SECRET, { algorithm: 'HS256', subject: claims.sub, expiresIn: 2 });
    const exp = (jwt.decode(shortLived) as { exp: number }).exp * 1000;
    const s = await collectEvents(app.url, shortLived);
    await a.client.users.updateMe.mutate({ displayName: 'before expiry' });
    await s.waitFor((e) => e.type === 'USER_UPDATE');
    const err = await s.waitForError(exp - Date.now() + 1000);
    expect(Date.now()).toBeGreaterThanOrEqual(exp - 50);
    expect(String((err as Error).message)).toMatch(/expired/);
    await a.client.users.updateMe.mutate({ displayName: 'after expiry' });
    await new Promise((r) => setTimeout(r, 300));
    expect(s.received.map((r) => (r.event.data as { displayName?: string }).displayName)).toEqual(['before expiry']);
    s.close();
  });
});

describe('resume', () => {
  it('a client reconnecting with lastEventId gets exactly what it missed, in order', async () => {
    const a = await registerUser(app.url);
    const s1 = await collectEvents(app.url, a.accessToken);
    await a.client.users.updateMe.mutate({ displayName: 'v1' });
    const first = await s1.waitFor((e) => e.type === 'USER_UPDATE');
    s1.close();
    for (const name of ['v2', 'v3', 'v4']) await a.client.users.updateMe.mutate({ displayName: name });
    const s2 = await collectEvents(app.url, a.accessToken, first.id);
    const got = await s2.waitForCount((e) => e.type === 'USER_UPDATE', 3);
    expect(got.map((r) => (r.event.data as { displayName: string }).displayName)).toEqual(['v2', 'v3', 'v4']);
    await a.client.users.updateMe.mutate({ displayName: 'v5' });
    await s2.waitFor((e) => e.type === 'USER_UPDATE' && (e.data as { displayName: string }).displayName === 'v5');
    const names = s2.received.map((r) => (r.event.data as { displayName: string }).displayName);
    expect(names).toEqual(['v2', 'v3', 'v4', 'v5']);
    s2.close();
  });

  it('beyond the resume window the client is told to resync', async () => {
    const a = await registerUser(app.url);
    const s1 = await collectEvents(app.url, a.accessToken);
    await a.client.users.updateMe.mutate({ displayName: 'start' });
    const first = await s1.waitFor((e) => e.type === 'USER_UPDATE');
    s1.close();
    for (let i = 0; i < 30; i++) await a.client.users.updateMe.mutate({ displayName: `n${i}` });
    const s2 = await collectEvents(app.url, a.accessToken, first.id);
    const r = await s2.waitFor(() => true);
    expect(r.event.type).toBe('RESYNC_REQUIRED');
    await a.client.users.updateMe.mutate({ displayName: 'after' });
    await s2.waitFor((e) => e.type === 'USER_UPDATE');
    expect(s2.received.map((x) => x.event.type)).toEqual(['RESYNC_REQUIRED', 'USER_UPDATE']);
    s2.close();
  });
});
