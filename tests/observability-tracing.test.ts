// OpenTelemetry traces as a collector receives them: the real entry point exports OTLP/HTTP (JSON)
// to an in-test receiver when OTEL_EXPORTER_OTLP_ENDPOINT is set, continuing the caller's trace
// (traceparent), and exports nothing when it is not.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addBotToGuild } from './helpers/bots.js';
import { registerUser, uniqueName, wsClient } from './helpers/clients.js';
import { createGuild, type GuildFixture } from './helpers/guilds.js';
import { logLines } from './helpers/logs.js';
import { spawnServer, type ServerProcess } from './helpers/server.js';

interface OtlpValue {
  stringValue?: string;
  intValue?: string | number;
  boolValue?: boolean;
  doubleValue?: number;
}
interface OtlpAttribute {
  key: string;
  value: OtlpValue;
}
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes?: OtlpAttribute[];
}
interface OtlpExport {
  resourceSpans: { resource: { attributes: OtlpAttribute[] }; scopeSpans: { spans: OtlpSpan[] }[] }[];
}
interface Received {
  path: string;
  contentType: string | undefined;
  /** the raw body, to look for secrets anywhere in it */
  text: string;
  service: string[];
  spans: OtlpSpan[];
}

const SERVER_KIND = 2;
const CLIENT_KIND = 3;

const attr = (attrs: OtlpAttribute[] | undefined, key: string) => {
  const v = attrs?.find((a) => a.key === key)?.value;
  return v && (v.stringValue ?? v.intValue ?? v.boolValue ?? v.doubleValue);
};

/** An OTLP/HTTP trace receiver: records every export it is sent. */
function startReceiver() {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (text += chunk));
    req.on('end', () => {
      const body = JSON.parse(text) as OtlpExport;
      received.push({
        path: req.url ?? '',
        contentType: req.headers['content-type'],
        text,
        service: body.resourceSpans.map((r) => String(attr(r.resource.attributes, 'service.name'))),
        spans: body.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans)),
      });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  return { server, received };
}

const receiver = startReceiver();
let receiverUrl: string;
let traced: ServerProcess;
let untraced: ServerProcess;

beforeAll(async () => {
  await new Promise<void>((resolve) => receiver.server.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.server.address() as AddressInfo).port}`;
  traced = await spawnServer({ OTEL_EXPORTER_OTLP_ENDPOINT: receiverUrl, OTEL_SERVICE_NAME: 'chat-traced' });
  // Tracing off, with the receiver as a trap: were an exporter made anyway, the standard
  // per-signal variable would send its spans here.
  untraced = await spawnServer({ OTEL_EXPORTER_OTLP_ENDPOINT: '', OTEL_SERVICE_NAME: 'chat-untraced', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${receiverUrl}/v1/traces` });
});

afterAll(() => new Promise<void>((resolve) => receiver.server.close(() => resolve())));

/** A guild with a bot in it, on `url`; the bot's token for Discord REST. */
async function guildWithBot(url: string): Promise<{ fx: GuildFixture; botToken: string }> {
  const fx = await createGuild(url);
  const bot = await fx.owner.client.auth.createBot.mutate({ username: uniqueName('bot') });
  await addBotToGuild(fx.owner.client, bot.bot.id, fx.guild.id);
  return { fx, botToken: bot.token };
}

function sendAsBot(url: string, botToken: string, channelId: string, traceparent: string) {
  return fetch(`${url}/api/v10/channels/${channelId}/messages`, {
    method: 'POST',
    headers: { authorization: `Bot ${botToken}`, 'content-type': 'application/json', traceparent },
    body: JSON.stringify({ content: 'traced hello' }),
  });
}

const hex = (bytes: number) => randomBytes(bytes).toString('hex');

describe('tracing', () => {
  // The two tests run in this order: the server with tracing off is stopped in the first, and the
  // traced server's final flush in the second is the later marker that proves it sent nothing.
  it('with OTEL_EXPORTER_OTLP_ENDPOINT unset: answers requests, stops gracefully, and writes no trace id', async () => {
    const { fx, botToken } = await guildWithBot(untraced.url);
    const res = await sendAsBot(untraced.url, botToken, fx.generalId, `00-${hex(16)}-${hex(8)}-01`);
    expect(res.status).toBe(200);
    expect(await untraced.stop()).toBe(0);
    const requests = logLines(untraced).filter((l) => l.msg === 'request');
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.filter((l) => 'traceId' in l)).toEqual([]);
  });

  it('exports HTTP → tRPC → query spans of a Discord REST send under the caller’s trace, without secrets or raw ids', async () => {
    const { fx, botToken } = await guildWithBot(traced.url);
    const me = await registerUser(traced.url);
    // a procedure over the tRPC WebSocket gets a span too (a root: no HTTP request around it)
    expect((await wsClient(traced.url, me.accessToken).client.users.me.query()).id).toBe(me.id);

    const traceId = hex(16);
    const callerSpanId = hex(8);
    const res = await sendAsBot(traced.url, botToken, fx.generalId, `00-${traceId}-${callerSpanId}-01`);
    expect(res.status).toBe(200);
    const message = (await res.json()) as { id: string };

    // Graceful shutdown exports every queued span before the process exits.
    expect(await traced.stop()).toBe(0);
    expect(receiver.received.length).toBeGreaterThan(0);
    for (const r of receiver.received) {
      expect(r.path).toBe('/v1/traces');
      expect(r.contentType).toMatch(/^application\/json/);
    }
    // the marker: the server without tracing stopped before this flush and sent nothing
    expect(new Set(receiver.received.flatMap((r) => r.service))).toEqual(new Set(['chat-traced']));

    const spans = receiver.received.flatMap((r) => r.spans);
    const inTrace = spans.filter((s) => s.traceId === traceId);
    const httpSpans = inTrace.filter((s) => s.kind === SERVER_KIND);
    expect(httpSpans).toHaveLength(1);
    const request = httpSpans[0]!;
    expect(request.parentSpanId).toBe(callerSpanId);
    expect(request.name).toBe('POST /api/channels/:channelId/messages');
    expect(attr(request.attributes, 'http.route')).toBe('/api/channels/:channelId/messages');
    expect(attr(request.attributes, 'http.response.status_code')).toBe(200);

    const send = inTrace.filter((s) => s.name === 'messages.send');
    expect(send).toHaveLength(1);
    expect(send[0]!.parentSpanId).toBe(request.spanId);
    expect(attr(send[0]!.attributes, 'trpc.code')).toBe('OK');
    const queries = inTrace.filter((s) => s.parentSpanId === send[0]!.spanId && s.kind === CLIENT_KIND);
    // the permission reads, then the message row (messages.send writes it with one WITH … INSERT statement)
    expect(queries.map((q) => q.name)).toContain('SELECT');
    expect(queries.filter((q) => /INSERT INTO messages\b/.test(String(attr(q.attributes, 'db.query.text'))))).toHaveLength(1);
    for (const q of queries) expect(attr(q.attributes, 'db.system.name')).toBe('postgresql');
    // every span of the trace hangs off the caller's span through the request span
    const ids = new Set(inTrace.map((s) => s.spanId));
    for (const s of inTrace) if (s !== request) expect(ids.has(s.parentSpanId!), s.name).toBe(true);

    const wsCall = spans.filter((s) => s.name === 'users.me' && !s.parentSpanId);
    expect(wsCall.length).toBeGreaterThanOrEqual(1);

    // Nothing a request path or header carried: no token, no channel or message id, anywhere.
    for (const r of receiver.received) {
      expect(r.text).not.toContain(botToken);
      expect(r.text).not.toContain(botToken.split('.')[0]);
      expect(r.text).not.toContain(fx.generalId);
      expect(r.text).not.toContain(message.id);
    }

    // The access log line of the request names the trace.
    const line = logLines(traced).find((l) => l.msg === 'request' && l.traceId === traceId);
    expect(line).toMatchObject({ method: 'POST', route: '/api/channels/:channelId/messages', status: 200 });
  });
});
