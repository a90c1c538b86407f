// The server's log as an operator reads it: stdout of the real entry point, JSON lines only, with an
// access line per HTTP request and lines for every WebSocket session, request ids echoed to clients.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logFormat } from '../server/observability/logger.js';
import { prettyLine } from '../server/observability/pretty.js';
import { registerUser, type TestUser } from './helpers/clients.js';
import { collectEvents } from './helpers/events.js';
import { connectGateway } from './helpers/gateway.js';
import { createGuild } from './helpers/guilds.js';
import { logLines, waitForLog, type LogLine } from './helpers/logs.js';
import { rawRequest } from './helpers/raw-http.js';
import { ROOT, spawnServer, type ServerProcess } from './helpers/server.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let server: ServerProcess;
let user: TestUser;

beforeAll(async () => {
  server = await spawnServer({ NODE_ENV: 'production' }, [
    process.execPath,
    '--import',
    'tsx',
    '--import',
    path.join(ROOT, 'tests/helpers/warn-on-sigusr2.mjs'),
    path.join(ROOT, 'server/main.ts'),
  ]);
  user = await registerUser(server.url);
});

afterAll(() => {
  // Whatever the tests above made the server do, its stdout stayed JSON and stderr stayed empty.
  expect(() => logLines(server)).not.toThrow();
  expect(server.output()).toBe(server.stdout());
});

const requestLine = (requestId: string) => waitForLog(server, (l) => l.msg === 'request' && l.requestId === requestId);

describe('access log', () => {
  it('writes one info line per request with method, route template, status, duration, user id and the request id it echoes', async () => {
    const res = await rawRequest(server.url, 'GET', '/api/v10/users/@me', { headers: { authorization: `Bearer ${user.accessToken}`, 'x-request-id': 'trace-abc_123' } });
    expect(res.status).toBe(200);
    expect(res.headers['x-request-id']).toBe('trace-abc_123');
    const line = await requestLine('trace-abc_123');
    expect(line).toMatchObject({ level: 30, method: 'GET', route: '/api/users/@me', status: 200, userId: user.id, ip: '127.0.0.1' });
    expect(line).not.toHaveProperty('path'); // a raw path can carry a secret: tests/abuse-secrets.test.ts
    expect(line.durationMs).toBeGreaterThanOrEqual(0);
    expect(logLines(server).filter((l) => l.requestId === 'trace-abc_123')).toHaveLength(1);
  });

  it('names the tRPC procedures of a /trpc request, and has no user id when the caller is not authenticated', async () => {
    const ok = await fetch(`${server.url}/trpc/users.me`, { headers: { authorization: `Bearer ${user.accessToken}`, 'x-request-id': 'trpc-me-1' } });
    expect(ok.status).toBe(200);
    expect(await requestLine('trpc-me-1')).toMatchObject({ route: '/trpc', procedures: 'users.me', status: 200, userId: user.id });

    const denied = await fetch(`${server.url}/trpc/users.me`, { headers: { 'x-request-id': 'trpc-anon-1' } });
    expect(denied.status).toBe(401);
    const line = await requestLine('trpc-anon-1');
    expect(line).toMatchObject({ route: '/trpc', status: 401 });
    expect(line.userId).toBeUndefined();
  });

  it('replaces an unusable X-Request-Id (unsafe characters, too long) with a generated one, and echoes an id on every answer', async () => {
    for (const given of ['has space', 'x'.repeat(129), 'quote"d', '']) {
      const res = await rawRequest(server.url, 'GET', '/no/such/path', { headers: { 'x-request-id': given } });
      expect(res.status).toBe(404);
      const id = res.headers['x-request-id'] as string;
      expect(id).toMatch(UUID);
      expect(await requestLine(id)).toMatchObject({ route: 'other', status: 404 });
    }
    const preflight = await rawRequest(server.url, 'OPTIONS', '/api/v10/users/@me', { headers: { origin: 'https://x.example', 'access-control-request-method': 'GET' } });
    expect(preflight.headers['x-request-id']).toMatch(UUID);
  });
});

describe('WebSocket session lines', () => {
  const sessionLines = (requestId: string) => logLines(server).filter((l) => l.requestId === requestId && l.msg.startsWith('ws '));

  it('gateway: open, identify, close with code and duration; a resume on a new connection', async () => {
    const g = await connectGateway(server.url);
    const ready = await g.identify(user.accessToken);
    const sessionId = ready.d.session_id as string;
    g.close(4000); // not 1000/1001: the session stays resumable
    await g.closed;
    const identify = await waitForLog(server, (l) => l.msg === 'ws identify' && l.sessionId === sessionId);
    expect(identify).toMatchObject({ endpoint: 'gateway', userId: user.id });
    const closed = await waitForLog(server, (l) => l.msg === 'ws close' && l.requestId === identify.requestId);
    expect(closed).toMatchObject({ endpoint: 'gateway', code: 4000, userId: user.id, sessionId });
    expect(closed.durationMs).toBeGreaterThanOrEqual(0);
    expect(sessionLines(identify.requestId).map((l) => l.msg)).toEqual(['ws open', 'ws identify', 'ws close']);

    const again = await connectGateway(server.url);
    await again.next((p) => p.op === 10);
    again.send(6, { token: user.accessToken, session_id: sessionId, seq: ready.s });
    await again.dispatch('RESUMED');
    again.close(1000);
    const resume = await waitForLog(server, (l) => l.msg === 'ws resume' && l.sessionId === sessionId);
    expect(resume).toMatchObject({ endpoint: 'gateway', userId: user.id });
    expect(resume.requestId).not.toBe(identify.requestId);
    expect(await waitForLog(server, (l) => l.msg === 'ws close' && l.requestId === resume.requestId)).toMatchObject({ code: 1000, sessionId });
  });

  it('tRPC: open, identify from the connection params, close with the user id', async () => {
    const other = await registerUser(server.url);
    const events = await collectEvents(server.url, other.accessToken);
    const identify = await waitForLog(server, (l) => l.msg === 'ws identify' && l.endpoint === 'trpc' && l.userId === other.id);
    events.close();
    const closed = await waitForLog(server, (l) => l.msg === 'ws close' && l.requestId === identify.requestId);
    expect(closed).toMatchObject({ endpoint: 'trpc', userId: other.id });
    expect(typeof closed.code).toBe('number');
    expect(sessionLines(identify.requestId).map((l) => l.msg)).toEqual(['ws open', 'ws identify', 'ws close']);
  });
});

describe('process warnings', () => {
  it('reach the log as JSON lines (warn level), not as text on stderr', async () => {
    server.child.kill('SIGUSR2');
    const line = await waitForLog(server, (l) => l.msg === 'process warning');
    expect(line.level).toBe(40);
    expect(line.warning).toMatchObject({ name: 'TestWarning', code: 'TEST_WARNING', message: 'test warning from SIGUSR2' });
  });

  it("reads with several relations inside Prisma's transactions raise no pg deprecation (queries on one connection run in turn)", async () => {
    const { owner, guild } = await createGuild(server.url, { memberCount: 1 });
    const channel = await owner.client.channels.create.mutate({ guildId: guild.id, name: 'second' });
    const invite = await owner.client.invites.create.mutate({ channelId: channel.id, maxAge: 0 });
    await owner.client.invites.get.query({ code: invite.code });
    // a request after them all: its line is written after any warning they caused
    await fetch(`${server.url}/trpc/users.me`, { headers: { authorization: `Bearer ${owner.accessToken}`, 'x-request-id': 'after-relations' } });
    await requestLine('after-relations');
    const warnings = logLines(server).filter((l: LogLine) => l.msg === 'process warning' && l.warning.name === 'DeprecationWarning');
    expect(warnings).toEqual([]);
  });
});

describe('log format', () => {
  it('is JSON unless a developer runs the server at a terminal (LOG_FORMAT=auto), or as configured', () => {
    expect(logFormat('auto', 'development', true)).toBe('pretty');
    expect(logFormat('auto', 'development', false)).toBe('json');
    expect(logFormat('auto', 'production', true)).toBe('json');
    expect(logFormat('json', 'development', true)).toBe('json');
    expect(logFormat('pretty', 'production', false)).toBe('pretty');
  });

  it('pretty lines show time, level, message and the fields, and an error stack below', () => {
    const json = JSON.stringify({ level: 30, time: Date.UTC(2026, 0, 2, 3, 4, 5, 6), pid: 1, msg: 'request', route: '/trpc', status: 200, note: 'a b' });
    expect(prettyLine(json, false)).toBe('03:04:05.006 INFO  request route=/trpc status=200 note="a b"\n');
    const err = prettyLine(JSON.stringify({ level: 50, time: 0, msg: 'failed', err: { message: 'boom', stack: 'Error: boom\n    at x' } }), false);
    expect(err).toBe('00:00:00.000 ERROR failed \nError: boom\n    at x\n');
  });
});
