// Fuzzing the tRPC API over HTTP (POST /trpc/<path> for mutations, GET ?input= for queries, plus
// wrong methods, batches, junk bodies and unknown paths) with inputs built from each procedure's own
// input keys: real ids, hostile values of every type, prototype-pollution keys. Every error must be
// a 4xx tRPC error, never a 5xx; the stored state afterwards holds exactly what the successful calls
// wrote. events.stream gets the same treatment over WebSocket.
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { App } from '../server/app.js';
import { appRouter } from '../server/routers/index.js';
import { registerUser, wsClient, type TestUser } from './helpers/clients.js';
import { anyValue, fuzzCases, fuzzInBatches, fuzzParams, hostileId, hostileString, pollutingObject, prototypeIsClean } from './helpers/fuzz.js';
import { createFuzzGuild } from './helpers/fuzz-guild.js';
import { WriteLedger } from './helpers/fuzz-ledger.js';
import { jsonOf, rawRequest, type RawResponse } from './helpers/raw-http.js';
import { startTestServer } from './helpers/server.js';

const CASES = fuzzCases();
const BATCH = 10;

interface ProcedureInfo {
  path: string;
  type: 'query' | 'mutation' | 'subscription';
  keys: string[];
}

/** Every procedure with its type and the keys of its input object. */
const PROCEDURES: ProcedureInfo[] = Object.entries(appRouter._def.procedures as unknown as Record<string, { _def: { type: ProcedureInfo['type']; inputs: unknown[] } }>).map(
  ([path, p]) => {
    let schema = p._def.inputs[0] as z.ZodType | undefined;
    while (schema instanceof z.ZodOptional || schema instanceof z.ZodPipe) schema = schema instanceof z.ZodOptional ? (schema.unwrap() as z.ZodType) : (schema.in as z.ZodType);
    return { path, type: p._def.type, keys: schema instanceof z.ZodObject ? Object.keys(schema.shape) : [] };
  },
);
const HTTP_PROCEDURES = PROCEDURES.filter((p) => p.type !== 'subscription');

let app: App;
let owner: TestUser;
let member: TestUser;
let written: WriteLedger;
let mainGuildId: string;
let dmId: string;
const pools: Record<string, string[]> = {};

beforeAll(async () => {
  app = await startTestServer();
  const main = await createFuzzGuild(app.url);
  const { category, hidden, role, dm, invite, disposable, foreign } = main;
  owner = main.owner;
  member = main.member;
  mainGuildId = main.guild.id;
  dmId = dm.id;
  const c = owner.client;
  const seed = await c.messages.send.mutate({ channelId: main.generalId, content: 'seed' });
  const bot = await c.auth.createBot.mutate({ username: `fuzzbot_${process.pid}` });
  Object.assign(pools, {
    guildId: [mainGuildId, foreign.guild.id],
    channelId: [main.generalId, hidden.id, category.id, dm.id, foreign.generalId],
    messageId: [seed.id],
    userId: [owner.id, member.id, foreign.owner.id],
    roleId: [role.id, mainGuildId, foreign.guild.id],
    targetId: [role.id, mainGuildId, member.id],
    parentId: [category.id],
    botId: [bot.bot.id],
    code: [invite.code],
    login: [owner.username],
    'guilds.delete guildId': [disposable.id],
    'channels.delete channelId': [disposable.systemChannelId!],
  });
  written = new WriteLedger({ channels: [main.generalId, category.id, hidden.id], roles: [mainGuildId, role.id], messages: [seed.id] });
});

// ---- calls ----

/** Plausible values by input key; anything else gets values of any type. */
const plausibleByKey: Record<string, fc.Arbitrary<unknown>> = {
  content: fc.oneof(fc.string({ minLength: 1, maxLength: 40 }), hostileString),
  nonce: fc.oneof(fc.string({ maxLength: 25 }), fc.integer()),
  embeds: fc.array(fc.record({ title: fc.string({ maxLength: 300 }), color: fc.integer({ min: -1, max: 0x1000000 }), url: fc.oneof(fc.webUrl(), hostileString) }, { requiredKeys: [] }), { maxLength: 11 }),
  emoji: fc.oneof(fc.constantFrom('👍', '🎉', '❤️', 'x', 'name:123'), hostileString),
  name: fc.oneof(fc.string({ minLength: 2, maxLength: 20 }), hostileString),
  username: fc.stringMatching(/^[a-z0-9_.]{2,34}$/),
  password: fc.oneof(fc.constant('correct horse battery'), fc.string({ maxLength: 20 })),
  type: fc.constantFrom(0, 1, 2, 4),
  status: fc.constantFrom('online', 'idle', 'dnd', 'invisible', 'offline'),
  limit: fc.integer({ min: -1, max: 1001 }),
  allow: fc.constantFrom('0', '1024', '8'),
  deny: fc.constantFrom('0', '1024'),
  permissions: fc.oneof(fc.constantFrom('0', '8', '1024'), fc.bigInt({ min: 0n, max: 1n << 65n }).map(String)),
  maxAge: fc.integer({ min: -1, max: 700_000 }),
  maxUses: fc.integer({ min: -1, max: 101 }),
  position: fc.integer({ min: -1, max: 11 }),
  rateLimitPerUser: fc.integer({ min: -1, max: 30 }),
  nick: fc.oneof(fc.constant(null), fc.string({ maxLength: 40 })),
  email: fc.oneof(fc.emailAddress(), hostileString),
  permissionOverwrites: fc.array(fc.record({ id: fc.oneof(fc.constant('ROLE'), hostileId), type: fc.oneof(fc.constantFrom(0, 1), anyValue), deny: fc.constantFrom('0', '1024') }, { requiredKeys: [] }), { maxLength: 2 }),
};

/** A value for an input key: a real id of its kind (resolved when the call is made), a plausible value, or anything. */
type Value = { pool: number } | { value: unknown } | { absent: true };
interface TrpcCase {
  procedure: number;
  input: { fields: Record<string, Value>; extra: unknown } | { whole: unknown };
  auth: 'owner' | 'member' | 'none' | 'garbage';
  /** 'right' uses the procedure's method; the others test the transport */
  transport: 'right' | 'wrong-method' | 'batch' | 'junk-body' | 'unknown-path';
}

function caseArb(): fc.Arbitrary<TrpcCase> {
  return fc.nat({ max: HTTP_PROCEDURES.length - 1 }).chain((procedure) => {
    const { keys } = HTTP_PROCEDURES[procedure]!;
    const field = (key: string): fc.Arbitrary<Value> =>
      fc.oneof(
        { weight: pools[key] ? 4 : 0, arbitrary: fc.nat().map((pool) => ({ pool })) },
        { weight: plausibleByKey[key] ? 3 : 0, arbitrary: (plausibleByKey[key] ?? fc.constant(null)).map((value) => ({ value })) },
        { weight: 1, arbitrary: fc.oneof(anyValue, hostileId).map((value) => ({ value })) },
        { weight: 1, arbitrary: fc.constant({ absent: true as const }) },
      );
    const fields = fc.record(Object.fromEntries(keys.map((k) => [k, field(k)])));
    return fc.record({
      procedure: fc.constant(procedure),
      input: fc.oneof(
        { weight: 9, arbitrary: fc.record({ fields, extra: fc.oneof({ weight: 5, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: pollutingObject }) }) },
        { weight: 1, arbitrary: fc.record({ whole: anyValue }) },
      ),
      auth: fc.constantFrom('owner', 'owner', 'owner', 'owner', 'owner', 'owner', 'owner', 'member', 'none', 'garbage'),
      transport: fc.constantFrom('right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'wrong-method', 'batch', 'junk-body', 'unknown-path'),
    }) as fc.Arbitrary<TrpcCase>;
  });
}

function resolveInput(path: string, input: TrpcCase['input']): unknown {
  if ('whole' in input) return input.whole;
  const out: Record<string, unknown> = input.extra ? { ...(input.extra as object) } : {};
  for (const [key, v] of Object.entries(input.fields)) {
    if ('absent' in v) continue;
    if ('value' in v) {
      out[key] = key === 'permissionOverwrites' && Array.isArray(v.value) ? v.value.map((o: { id?: unknown } | null) => (o?.id === 'ROLE' ? { ...o, id: pools.roleId![0] } : o)) : v.value;
    } else {
      const list = pools[`${path} ${key}`] ?? pools[key]!;
      out[key] = list[v.pool % list.length];
    }
  }
  return out;
}

interface Sent {
  path: string;
  input: unknown;
  transport: TrpcCase['transport'];
}

async function call(c: TrpcCase): Promise<{ sent: Sent; res: RawResponse }> {
  const proc = HTTP_PROCEDURES[c.procedure]!;
  const input = resolveInput(proc.path, c.input);
  // logging out would end the fuzzing session
  const endsSession = ['auth.logout', 'auth.logoutAll'].includes(proc.path);
  const token = { owner: endsSession ? 'garbage' : owner.accessToken, member: endsSession ? 'garbage' : member.accessToken, none: '', garbage: 'eyJhbGciOiJub25lIn0.e30.' }[c.auth];
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  const json = JSON.stringify(input) ?? 'null';
  const isQuery = proc.type === 'query';
  const method = c.transport === 'wrong-method' ? (isQuery ? 'POST' : 'GET') : isQuery ? 'GET' : 'POST';
  const path = c.transport === 'unknown-path' ? `${proc.path}.nope` : proc.path;
  let url = `/trpc/${path}`;
  let body: string | undefined;
  if (c.transport === 'batch') url += '?batch=1';
  const payload = c.transport === 'batch' ? JSON.stringify({ 0: input }) : json;
  if (method === 'GET') url += `${url.includes('?') ? '&' : '?'}input=${encodeURIComponent(payload)}`;
  else {
    body = c.transport === 'junk-body' ? String(input).slice(0, 100) : payload;
    headers['content-type'] = 'application/json';
  }
  const res = await rawRequest(app.url, method, url, { headers, body });
  return { sent: { path: proc.path, input, transport: c.transport }, res };
}

/** Notes what a successful call wrote, and new ids for later cases. */
function track({ sent, res }: { sent: Sent; res: RawResponse }) {
  if (res.status !== 200 || !['right', 'batch'].includes(sent.transport)) return;
  type Result = { result?: { data?: { id?: string; content?: string; channelId?: string } } };
  const body = jsonOf(res) as Result | Result[];
  const data = (Array.isArray(body) ? body[0] : body)?.result?.data;
  const input = sent.input as Record<string, string>;
  if ((sent.path === 'messages.send' || sent.path === 'messages.edit') && data?.id) {
    written.messageWritten(data.id, data.channelId!, data.content!);
    if (sent.path === 'messages.send') pools.messageId!.push(data.id);
  }
  if (sent.path === 'messages.delete') written.deletedMessages.add(input.messageId!);
  if (sent.path === 'messages.bulkDelete') written.bulkDeleted(input.channelId!, (sent.input as { messageIds?: unknown }).messageIds);
  if (sent.path === 'messages.pin') written.pinnedIn.add(input.channelId!);
  if (sent.path === 'channels.create' && data?.id) {
    written.channels.add(data.id);
    pools.channelId!.push(data.id);
    pools['channels.delete channelId']!.push(data.id);
  }
  if (sent.path === 'channels.delete') written.deletedChannels.add(input.channelId!);
  if (sent.path === 'roles.create' && data?.id) written.roles.add(data.id);
}

/** 200, or a tRPC error with a 4xx status in both the HTTP status and the error's data. */
function checkAnswer({ sent, res }: { sent: Sent; res: RawResponse }) {
  const what = `${sent.transport} ${sent.path} ${JSON.stringify(sent.input)?.slice(0, 400)} -> ${res.status} ${res.text.slice(0, 300)}`;
  expect(res.status, what).toBeGreaterThanOrEqual(200);
  expect(res.status, what).toBeLessThan(500);
  if (res.status === 200) return;
  const body = jsonOf(res);
  // a request line over Node's header limit never reaches tRPC: the HTTP server's own JSON error
  if (res.status === 431) return void expect(body, what).toEqual({ code: 0, message: '431: Request Header Fields Too Large' });
  const errors = (Array.isArray(body) ? body : [body]) as { error?: { message?: unknown; data?: { code?: unknown; httpStatus?: number } } }[];
  for (const e of errors) {
    expect(e?.error?.message, what).toBeTypeOf('string');
    expect(e?.error?.data?.code, what).toBeTypeOf('string');
    expect(e?.error?.data?.httpStatus, what).toBeLessThan(500);
  }
}

describe('tRPC fuzzing', () => {
  it(`${CASES} random calls over ${HTTP_PROCEDURES.length} procedures: 4xx tRPC errors only, never 5xx; nothing half-written`, async () => {
    const { sent, statuses } = await fuzzInBatches({ cases: CASES, batchSize: BATCH, arb: caseArb(), send: call, track, check: checkAnswer });
    expect(prototypeIsClean(), 'Object.prototype was polluted').toBe(true);
    await written.verify(owner.client, mainGuildId, [dmId]);
    console.log(`tRPC fuzz: ${sent} calls; statuses ${JSON.stringify(statuses)}; ${written.messages.size} messages, ${written.channels.size} channels, ${written.roles.size} roles written`);
  }, 300_000);

  it('events.stream over WebSocket: any input either starts the stream or fails with a 4xx error', async () => {
    const { client } = wsClient(app.url, owner.accessToken);
    const outcomes: Record<string, number> = {};
    await fc.assert(
      fc.asyncProperty(fc.oneof(anyValue, fc.record({ lastEventId: fc.oneof(hostileString, hostileId, anyValue) })), async (input) => {
        // A frame over the WebSocket limit is refused with 1009 before tRPC sees it, and tRPC's
        // client then re-sends it on every reconnect (fuzz-regressions pins the 1009); keep the
        // property to frames the server reads.
        fc.pre(Buffer.byteLength(JSON.stringify(input) ?? '') < app.deps.config.MAX_BODY_BYTES / 2);
        const outcome = await new Promise<string>((resolve) => {
          const sub = client.events.stream.subscribe(input as never, {
            onStarted: () => {
              sub.unsubscribe();
              resolve('started');
            },
            onError: (err) => resolve(String((err.data as { code?: string } | undefined)?.code)),
          });
          // no answer at all fails this case (with its seed), not the whole test on its timeout
          setTimeout(() => {
            sub.unsubscribe();
            resolve('no answer in 10 s');
          }, 10_000).unref();
        });
        outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
        expect(['started', 'BAD_REQUEST'], JSON.stringify(input)).toContain(outcome);
      }),
      fuzzParams(300),
    );
    console.log(`events.stream fuzz: ${JSON.stringify(outcomes)}`);
  }, 120_000);
});
