// Fuzzing the REST APIs: every Discord route (all versions) and every route of the original /api/v1
// API, with random and boundary path ids and
// bodies — wrong types, hostile Unicode (lone surrogates, zero-width, RTL, 4-byte emoji, NUL), very
// long strings, negative / huge / non-numeric snowflakes, prototype-pollution keys, junk bodies.
// Every answer must be a 2xx or a 4xx with a JSON error body ({code, message}), never a 5xx; afterwards the
// stored state holds exactly what the successful requests wrote (no row of a rejected request).
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../server/app.js';
import { discordAuthRoutes } from '../compat/rest/routes/auth.js';
import { v1Routes } from '../compat/v1/api.js';
import { channelRoutes } from '../compat/rest/routes/channels.js';
import { gatewayRoutes } from '../compat/rest/routes/gateway.js';
import { guildRoutes } from '../compat/rest/routes/guilds.js';
import { inviteRoutes } from '../compat/rest/routes/invites.js';
import { memberRoutes } from '../compat/rest/routes/members.js';
import { messageRoutes } from '../compat/rest/routes/messages.js';
import { moderationRoutes } from '../compat/rest/routes/moderation.js';
import { pinsRoutes } from '../compat/rest/routes/pins.js';
import { reactionRoutes } from '../compat/rest/routes/reactions.js';
import { roleRoutes } from '../compat/rest/routes/roles.js';
import { userRoutes } from '../compat/rest/routes/users.js';
import type { Route } from '../compat/rest/route.js';
import { registerUser, type TestUser } from './helpers/clients.js';
import { anyValue, fuzzCases, fuzzInBatches, hostileId, hostileString, pollutingObject, prototypeIsClean } from './helpers/fuzz.js';
import { createFuzzGuild } from './helpers/fuzz-guild.js';
import { WriteLedger } from './helpers/fuzz-ledger.js';
import { jsonOf, rawRequest, type RawResponse } from './helpers/raw-http.js';
import { startTestServer } from './helpers/server.js';

const CASES = fuzzCases();
const BATCH = 10;

let app: App;
let owner: TestUser;
/** real ids by path parameter name; resolved when a case runs (messages and channels grow) */
const pools: Record<string, string[]> = {};
/** what the fuzzed requests were told they wrote */
let written: WriteLedger;
let mainGuildId: string;
let dmId: string;

beforeAll(async () => {
  app = await startTestServer();
  const main = await createFuzzGuild(app.url);
  const { member, category, hidden, role, dm, invite, disposable, foreign } = main;
  owner = main.owner;
  mainGuildId = main.guild.id;
  dmId = dm.id;
  const c = owner.client;
  const voice = await c.channels.create.mutate({ guildId: mainGuildId, name: 'voice', type: 2 });
  const messages = await Promise.all([main.generalId, dm.id].map((channelId) => c.messages.send.mutate({ channelId, content: 'seed' })));

  Object.assign(pools, {
    guildId: [mainGuildId, foreign.guild.id],
    channelId: [main.generalId, hidden.id, voice.id, category.id, dm.id, foreign.generalId],
    messageId: messages.map((m) => m.id),
    userId: [owner.id, member.id, foreign.owner.id],
    roleId: [role.id, mainGuildId, foreign.guild.id],
    targetId: [role.id, mainGuildId, member.id],
    code: [invite.code],
    type: ['0', '1'],
    disposableGuildId: [disposable.id],
    disposableChannelId: [disposable.systemChannelId!],
    token: [owner.accessToken, member.accessToken],
  });
  written = new WriteLedger({
    channels: [main.generalId, category.id, voice.id, hidden.id],
    roles: [mainGuildId, role.id],
    messages: messages.map((m) => m.id),
  });
});

// ---- requests ----

/** Every Discord route, and every route of the original /api/v1 API (with its own well-formed bodies). */
const ROUTES: { route: Route; prefixes: string[]; v1?: true }[] = [
  ...discordAuthRoutes.map((route) => ({ route, prefixes: ['/api/v10', '/api'] })),
  ...[...gatewayRoutes, ...userRoutes, ...guildRoutes, ...channelRoutes, ...messageRoutes, ...reactionRoutes, ...pinsRoutes, ...memberRoutes, ...moderationRoutes, ...roleRoutes, ...inviteRoutes].map((route) => ({
    route,
    prefixes: ['/api/v10', '/api/v9', '/api/v6', '/api'],
  })),
  ...v1Routes.map((route) => ({ route, prefixes: ['/api/v1'], v1: true as const })),
];

/** A path parameter: a real id of its kind (by pool index, resolved at run time) or anything else. */
type Param = { pool: string; index: number } | { raw: string; encode: boolean };
interface RestCase {
  route: number;
  prefix: number;
  params: Param[];
  auth: 'owner' | 'member' | 'none' | 'garbage';
  body: { json: unknown } | { raw: string; contentType: string } | null;
}

const DESTRUCTIVE: Record<string, string> = {
  'DELETE /guilds/:guildId': 'disposableGuildId',
  'DELETE /channels/:channelId': 'disposableChannelId',
};

const overwrite = fc.record({ id: fc.oneof(fc.constantFrom('ROLE', 'USER'), hostileId), type: fc.oneof(fc.constantFrom(0, 1), anyValue), allow: fc.oneof(fc.constantFrom('0', '1024', '8'), anyValue), deny: fc.oneof(fc.constantFrom('0', '1024'), anyValue) }, { requiredKeys: [] });
const plausible = (arb: fc.Arbitrary<unknown>) => fc.oneof({ weight: 2, arbitrary: arb }, { weight: 1, arbitrary: anyValue });
const text = (max: number) => fc.string({ minLength: 1, maxLength: max });
/** Every body field any route reads, each with plausible values and values of any type. */
const bodyFields = {
  content: plausible(fc.oneof(text(40), hostileString)),
  nonce: plausible(fc.oneof(text(25), fc.integer())),
  enforce_nonce: plausible(fc.boolean()),
  message_reference: plausible(fc.record({ message_id: fc.oneof(fc.constant('MESSAGE'), hostileId) })),
  name: plausible(fc.oneof(text(20), hostileString)),
  type: plausible(fc.constantFrom(0, 1, 2, 4, 5)),
  topic: plausible(fc.oneof(text(30), fc.constant(null))),
  position: plausible(fc.integer({ min: -1, max: 20 })),
  parent_id: plausible(fc.oneof(fc.constant(null), hostileId)),
  nsfw: plausible(fc.boolean()),
  rate_limit_per_user: plausible(fc.integer({ min: -1, max: 30 })),
  permission_overwrites: plausible(fc.array(overwrite, { maxLength: 3 })),
  id: plausible(hostileId),
  allow: plausible(fc.constantFrom('0', '1024', '2048', '8', 1024)),
  deny: plausible(fc.constantFrom('0', '1024', '2048')),
  max_age: plausible(fc.integer({ min: -1, max: 700_000 })),
  max_uses: plausible(fc.integer({ min: -1, max: 200 })),
  nick: plausible(fc.oneof(text(40), fc.constant(null))),
  color: plausible(fc.integer({ min: -1, max: 0x1000000 })),
  colors: plausible(fc.record({ primary_color: fc.integer() })),
  permissions: plausible(fc.oneof(fc.bigInt({ min: 0n, max: 1n << 65n }).map(String), fc.integer())),
  hoist: plausible(fc.boolean()),
  mentionable: plausible(fc.boolean()),
  icon: plausible(fc.oneof(text(10), fc.constant(null))),
  description: plausible(fc.oneof(text(30), fc.constant(null))),
  system_channel_id: plausible(fc.oneof(fc.constant(null), hostileId)),
  recipient_id: plausible(hostileId),
  global_name: plausible(fc.oneof(text(40), fc.constant(null))),
  avatar: plausible(fc.oneof(text(10), fc.constant(null))),
  username: plausible(fc.stringMatching(/^[a-z0-9_.]{2,34}$/)),
  login: plausible(fc.oneof(fc.constant(''), text(20))),
  password: plausible(text(20)),
  email: plausible(fc.oneof(fc.emailAddress(), text(20))),
  refresh_token: plausible(text(40)),
  // the original /api/v1 API's
  display_name: plausible(fc.oneof(text(40), fc.constant(null))),
  avatar_url: plausible(fc.oneof(text(10), fc.constant(null))),
  bio: plausible(fc.oneof(text(200), fc.constant(null))),
  icon_url: plausible(fc.oneof(text(10), fc.constant(null))),
  reply_to: plausible(fc.oneof(fc.constant('MESSAGE'), hostileId)),
  attachments: plausible(fc.array(text(10), { maxLength: 2 })),
  channelId: plausible(fc.oneof(fc.constant('CHANNEL'), hostileId)),
  maxAge: plausible(fc.integer({ min: -1, max: 700_000 })),
  maxUses: plausible(fc.integer({ min: -1, max: 200 })),
  temporary: plausible(fc.boolean()),
  roles: plausible(fc.array(fc.oneof(fc.constant('ROLE'), hostileId), { maxLength: 3 })),
  communication_disabled_until: plausible(fc.oneof(fc.constant(null), fc.date({ noInvalidDate: true }).map((d) => d.toISOString()), text(20))),
  delete_message_seconds: plausible(fc.integer({ min: -1, max: 700_000 })),
  delete_message_days: plausible(fc.integer({ min: -1, max: 8 })),
  user_ids: plausible(fc.array(fc.oneof(fc.constant('MEMBER'), hostileId), { maxLength: 3 })),
};

/** A well-formed body per route (placeholders resolved at run time), for cases that change one field of it. */
const BASES: Record<string, Record<string, unknown>> = {
  'POST /auth/register': { username: 'USERNAME', email: 'EMAIL', password: 'correct horse battery' },
  'POST /auth/login': { login: 'OWNER', password: 'correct horse battery' },
  'POST /auth/refresh': { refresh_token: 'not a refresh token' },
  'PATCH /users/@me': { global_name: 'Fuzzy', avatar: null },
  'POST /users/@me/channels': { recipient_id: 'MEMBER' },
  'POST /guilds': { name: 'fuzz guild' },
  'PATCH /guilds/:guildId': { name: 'fuzzed', description: 'about' },
  'POST /guilds/:guildId/channels': { name: 'fuzz', type: 0, permission_overwrites: [{ id: 'ROLE', type: 0, allow: '0', deny: '1024' }] },
  'PATCH /channels/:channelId': { name: 'renamed', topic: 'topic' },
  'PUT /channels/:channelId/permissions/:targetId': { type: 0, allow: '0', deny: '2048' },
  'POST /channels/:channelId/messages': {
    content: 'hello',
    nonce: 'n1',
    enforce_nonce: true,
    embeds: [{ title: 't', color: 255, footer: { text: 'f', icon_url: 'https://example.com/i.png' }, fields: [{ name: 'n', value: 'v' }] }],
    allowed_mentions: { parse: ['users'], replied_user: false },
  },
  'POST /channels/:channelId/messages/bulk-delete': { messages: ['1234567890123', '1234567890124'] },
  'PATCH /channels/:channelId/messages/:messageId': { content: 'edited' },
  'POST /channels/:channelId/invites': { max_age: 0, max_uses: 0 },
  'PATCH /guilds/:guildId/members/@me': { nick: 'nick' },
  'PATCH /guilds/:guildId/members/:userId': { nick: 'nick', roles: [], communication_disabled_until: null },
  'PUT /guilds/:guildId/bans/:userId': { delete_message_seconds: 60 },
  'POST /guilds/:guildId/bulk-ban': { user_ids: ['MEMBER'], delete_message_seconds: 0 },
  'POST /guilds/:guildId/roles': { name: 'role', permissions: '0', color: 0 },
  'PATCH /guilds/:guildId/roles/:roleId': { name: 'role', permissions: '1024' },
};

/** The original /api/v1 API's well-formed bodies, where they differ from Discord's. */
const V1_BASES: Record<string, Record<string, unknown>> = {
  ...BASES,
  'POST /auth/login': { email: 'OWNER_EMAIL', password: 'correct horse battery' },
  'PATCH /users/@me': { display_name: 'Fuzzy', avatar_url: null, bio: 'fuzzing' },
  'POST /guilds': { name: 'fuzz guild', icon_url: null, description: 'about' },
  'PATCH /guilds/:guildId': { name: 'fuzzed', description: 'about' },
  'POST /guilds/:guildId/channels': { name: 'fuzz', type: 'text', topic: 'topic' },
  'POST /channels/:channelId/messages': { content: 'hello', reply_to: 'MESSAGE', attachments: [] },
  'POST /guilds/:guildId/invites': { channelId: 'CHANNEL', maxUses: 0, maxAge: 0, temporary: false },
};

/** The base with one field set to a value of its kind or of any type, or removed. */
function oneFieldChanged(base: Record<string, unknown>): fc.Arbitrary<Record<string, unknown>> {
  const keys = Object.keys(base);
  const fieldArb = (k: string) => (bodyFields as Record<string, fc.Arbitrary<unknown>>)[k] ?? anyValue;
  return fc.oneof(
    { weight: 2, arbitrary: fc.constant(base) },
    { weight: 6, arbitrary: fc.constantFrom(...keys).chain((k) => fieldArb(k).map((v) => ({ ...base, [k]: v }))) },
    { weight: 1, arbitrary: fc.constantFrom(...keys).map((k) => Object.fromEntries(Object.entries(base).filter(([key]) => key !== k))) },
    { weight: 1, arbitrary: pollutingObject.map((p) => ({ ...(p as object), ...base })) },
  );
}

function caseArb(): fc.Arbitrary<RestCase> {
  const param: fc.Arbitrary<Param> = fc.oneof(
    { weight: 4, arbitrary: fc.nat().map((index) => ({ pool: '', index })) },
    { weight: 1, arbitrary: fc.record({ raw: hostileId, encode: fc.boolean() }) },
  );
  const randomBody = fc.oneof(
    { weight: 8, arbitrary: fc.record(bodyFields, { requiredKeys: [] }).map((json) => ({ json })) },
    { weight: 1, arbitrary: fc.tuple(fc.record(bodyFields, { requiredKeys: [] }), pollutingObject).map(([b, p]) => ({ json: { ...(p as object), ...b } })) },
    { weight: 1, arbitrary: fc.record({ raw: fc.oneof(hostileString, fc.jsonValue().map((v) => JSON.stringify(v))), contentType: fc.constantFrom('application/json', 'text/plain', 'application/json; charset=utf-8', 'multipart/form-data') }) },
  );
  return fc.nat({ max: ROUTES.length - 1 }).chain((route) => {
    const { method, path } = ROUTES[route]!.route;
    const base = (ROUTES[route]!.v1 ? V1_BASES : BASES)[`${method} ${path}`];
    const body = base ? fc.oneof({ weight: 3, arbitrary: oneFieldChanged(base).map((json) => ({ json })) }, { weight: 1, arbitrary: randomBody }) : randomBody;
    return fc.record({
      route: fc.constant(route),
      prefix: fc.nat(),
      // as many as the longest route has (…/reactions/:emoji/:type/:userId)
      params: fc.array(param, { minLength: 5, maxLength: 5 }),
      auth: fc.constantFrom('owner', 'owner', 'owner', 'owner', 'owner', 'owner', 'owner', 'owner', 'member', 'none', 'garbage'),
      body: fc.oneof({ weight: 12, arbitrary: body }, { weight: 1, arbitrary: fc.constant(null) }),
    });
  });
}

const pick = (pool: string, index: number) => {
  const list = pools[pool] ?? [];
  return list.length ? list[index % list.length]! : 'none';
};

let registered = 0;
const PLACEHOLDERS: Record<string, () => string> = {
  OWNER: () => owner.username,
  OWNER_EMAIL: () => `${owner.username}@example.test`,
  CHANNEL: () => pick('channelId', 0),
  MEMBER: () => pools.userId![1]!,
  USERNAME: () => `fuzz_${process.pid}_${++registered}`,
  EMAIL: () => `fuzz_${process.pid}_${registered}@example.test`,
};

/** Replaces body placeholders by real ids. */
function resolveBody(json: unknown): unknown {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return json;
  const b = Object.fromEntries(
    Object.entries(json as Record<string, unknown>).map(([k, v]) => [k, typeof v === 'string' && Object.hasOwn(PLACEHOLDERS, v) ? PLACEHOLDERS[v]!() : v]),
  );
  const lastMessage = () => pick('messageId', (pools.messageId?.length ?? 1) - 1);
  const ref = b.message_reference as { message_id?: unknown } | undefined;
  if (ref && ref.message_id === 'MESSAGE') b.message_reference = { message_id: lastMessage() };
  if (b.reply_to === 'MESSAGE') b.reply_to = lastMessage();
  if (Array.isArray(b.permission_overwrites)) {
    b.permission_overwrites = b.permission_overwrites.map((o: { id?: unknown }) =>
      o && o.id === 'ROLE' ? { ...o, id: pools.roleId![0] } : o && o.id === 'USER' ? { ...o, id: pools.userId![1] } : o,
    );
  }
  return b;
}

/** UTF-8 percent-encoding of one code unit or point; a lone surrogate becomes its (invalid) 3-byte form. */
function percentEncode(ch: string): string {
  try {
    return encodeURIComponent(ch);
  } catch {
    const u = ch.charCodeAt(0);
    return [0xe0 | (u >> 12), 0x80 | ((u >> 6) & 0x3f), 0x80 | (u & 0x3f)].map((b) => `%${b.toString(16).toUpperCase()}`).join('');
  }
}

/** A path segment: fully encoded, or raw where HTTP allows (so "%ZZ", "..", "@me" arrive as they are). */
function pathSegment(value: string, encode: boolean): string {
  return Array.from(value)
    .map((ch) => (encode || !/^[\x21-\x7e]$/.test(ch) || '/?#'.includes(ch) ? percentEncode(ch) : ch))
    .join('');
}

interface Sent {
  method: string;
  pattern: string;
  path: string;
  params: Record<string, string>;
  body: unknown;
}

async function send(c: RestCase): Promise<{ sent: Sent; res: RawResponse }> {
  const { route, prefixes } = ROUTES[c.route]!;
  const prefix = prefixes[c.prefix % prefixes.length]!;
  const key = `${route.method} ${route.path}`;
  const params: Record<string, string> = {};
  let i = 0;
  const path = route.path.replace(/:(\w+)/g, (_m, name: string) => {
    const p = c.params[i++]!;
    const value = 'pool' in p ? pick(DESTRUCTIVE[key] ?? name, p.index) : p.raw;
    params[name] = value;
    return pathSegment(value, 'pool' in p || p.encode);
  });
  // logging out would end the fuzzing session: only other tokens may
  const token = { owner: key.endsWith('/auth/logout') ? 'garbage' : pools.token![0]!, member: key.endsWith('/auth/logout') ? 'garbage' : pools.token![1]!, none: '', garbage: 'Bot eyJhbGciOiJub25lIn0.e30.' }[c.auth];
  const headers: Record<string, string> = token ? { authorization: token.startsWith('Bot ') ? token : `Bot ${token}` } : {};
  let body: string | undefined;
  let sentBody: unknown;
  if (c.body && ['POST', 'PUT', 'PATCH'].includes(route.method)) {
    if ('json' in c.body) {
      sentBody = resolveBody(c.body.json);
      body = JSON.stringify(sentBody);
      headers['content-type'] = 'application/json';
    } else {
      body = c.body.raw;
      headers['content-type'] = c.body.contentType;
    }
  }
  const res = await rawRequest(app.url, route.method, `${prefix}${path}`, { headers, body });
  return { sent: { method: route.method, pattern: route.path, path: `${prefix}${path}`, params, body: sentBody }, res };
}

/** Notes what a successful request wrote, and new ids for later cases. */
function track({ sent, res }: { sent: Sent; res: RawResponse }) {
  if (res.status >= 300) return;
  const key = `${sent.method} ${sent.pattern}`;
  const out = jsonOf(res) as { id?: string; content?: string } | undefined;
  if (key === 'POST /channels/:channelId/messages' && out?.id) {
    written.messageWritten(out.id, sent.params.channelId!, out.content!);
    pools.messageId!.push(out.id);
  }
  if (key === 'PATCH /channels/:channelId/messages/:messageId' && out?.id) written.messageWritten(out.id, sent.params.channelId!, out.content!);
  if (key === 'DELETE /channels/:channelId/messages/:messageId') written.deletedMessages.add(sent.params.messageId!);
  if (key === 'POST /channels/:channelId/messages/bulk-delete') written.bulkDeleted(sent.params.channelId!, (sent.body as { messages?: unknown }).messages);
  if (sent.method === 'PUT' && sent.pattern.includes('/pins/')) written.pinnedIn.add(sent.params.channelId!);
  if (key === 'POST /guilds/:guildId/channels' && out?.id) {
    written.channels.add(out.id);
    pools.channelId!.push(out.id);
    pools.disposableChannelId!.push(out.id);
  }
  if (key === 'DELETE /channels/:channelId') written.deletedChannels.add(sent.params.channelId!);
  if (key === 'POST /guilds/:guildId/roles' && out?.id) written.roles.add(out.id);
}

/** A 2xx, or a 4xx with a JSON error body ({code, message}; a Discord 429 has Discord's rate-limit body). */
function checkAnswer({ sent, res }: { sent: Sent; res: RawResponse }) {
  const what = `${sent.method} ${sent.path.slice(0, 300)} ${JSON.stringify(sent.body)?.slice(0, 400)} -> ${res.status} ${res.text.slice(0, 300)}`;
  expect(res.status, what).toBeGreaterThanOrEqual(200);
  expect(res.status, what).toBeLessThan(500);
  if (res.text) expect(res.headers['content-type'], what).toBe('application/json');
  if (res.status < 400) return;
  const body = jsonOf(res) as Record<string, unknown> | undefined;
  expect(body, what).toBeTypeOf('object');
  expect(body!.message, what).toBeTypeOf('string');
  if (res.status === 429 && !sent.path.startsWith('/api/v1/')) expect(body!.retry_after, what).toBeTypeOf('number');
  else expect(body!.code, what).toBeTypeOf('number');
}

describe('REST fuzzing', () => {
  it(`${CASES} random requests over every route: 2xx or 4xx with an error body, never 5xx; nothing half-written`, async () => {
    const { sent, statuses } = await fuzzInBatches({ cases: CASES, batchSize: BATCH, arb: caseArb(), send, track, check: checkAnswer });
    expect(prototypeIsClean(), 'Object.prototype was polluted').toBe(true);
    await written.verify(owner.client, mainGuildId, [dmId]);
    console.log(`REST fuzz: ${sent} requests over ${ROUTES.length} routes; statuses ${JSON.stringify(statuses)}; ${written.messages.size} messages, ${written.channels.size} channels, ${written.roles.size} roles written`);
  }, 300_000);
});
