// Gateway op 8 REQUEST_GUILD_MEMBERS (issue 23, item 10) and the members.search procedure behind
// it: the name filter applies before the limit, big guilds come in several chunks, the nonce is
// echoed, presences come when asked for (with GUILD_PRESENCES), user_ids report not_found.
import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../server/app.js';
import { errorOf, registerUser, uniqueName, type TestUser } from './helpers/clients.js';
import { connectGateway, type GatewayPayload, type RawGateway } from './helpers/gateway.js';
import { createGuild, seedMembers } from './helpers/guilds.js';
import { startTestServer } from './helpers/server.js';

const GUILDS = 1 << 0;
const GUILD_MEMBERS = 1 << 1;
const GUILD_PRESENCES = 1 << 8;

let app: App;
let owner: TestUser;
let guildId: string;
/** registered in this order, so in user id order */
let early: TestUser[];
let qq: TestUser[];
let nicked: TestUser;
let requester: RawGateway;

const ids = (chunk: GatewayPayload) => chunk.d.members.map((m: { user: { id: string } }) => m.user.id);

/** Every GUILD_MEMBERS_CHUNK answering `nonce`, once chunk_count of them have arrived. */
async function chunks(gw: RawGateway, nonce: string): Promise<GatewayPayload[]> {
  const first = await gw.dispatch('GUILD_MEMBERS_CHUNK', (d) => d.nonce === nonce);
  const all = () => gw.received.filter((p) => p.t === 'GUILD_MEMBERS_CHUNK' && p.d.nonce === nonce);
  await gw.next(() => all().length >= first.d.chunk_count);
  return all();
}

beforeAll(async () => {
  app = await startTestServer();
  owner = await registerUser(app.url, uniqueName('owner'));
  early = [await registerUser(app.url, uniqueName('aa')), await registerUser(app.url, uniqueName('aa'))];
  qq = [await registerUser(app.url, uniqueName('qq')), await registerUser(app.url, uniqueName('QQ'))];
  nicked = await registerUser(app.url, uniqueName('zz'));
  const fx = await createGuild(app.url, { owner, members: [...early, ...qq, nicked] });
  guildId = fx.guild.id;
  await owner.client.members.setNick.mutate({ guildId, userId: nicked.id, nick: 'qqNick' });
  requester = await connectGateway(app.url);
  await requester.identify(early[0]!.accessToken, GUILDS | GUILD_MEMBERS);
});

describe('REQUEST_GUILD_MEMBERS with a query', () => {
  it('matches username or nickname prefixes case-insensitively, then applies the limit', async () => {
    requester.send(8, { guild_id: guildId, query: 'qq', limit: 2, nonce: 'q-limit' });
    requester.send(8, { guild_id: guildId, query: 'Qq', limit: 10, nonce: 'q-all' });
    const [limited] = await chunks(requester, 'q-limit');
    const [all] = await chunks(requester, 'q-all');
    expect(ids(limited!)).toEqual(qq.map((u) => u.id));
    expect(ids(all!)).toEqual([...qq, nicked].map((u) => u.id));
    expect(all!.d).toMatchObject({ guild_id: guildId, chunk_index: 0, chunk_count: 1, nonce: 'q-all' });
  });

  it('treats LIKE wildcards in the query as text', async () => {
    requester.send(8, { guild_id: guildId, query: '%', limit: 10, nonce: 'wild' });
    requester.send(8, { guild_id: guildId, query: 'a_', limit: 10, nonce: 'underscore' });
    requester.send(8, { guild_id: guildId, query: 'aa_', limit: 10, nonce: 'literal' });
    const [wild, underscore, literal] = (await Promise.all(['wild', 'underscore', 'literal'].map((n) => chunks(requester, n)))).map((c) => c[0]);
    expect(ids(wild!)).toEqual([]);
    expect(ids(underscore!)).toEqual([]); // "aa_..." starts with "aa", not "a_"
    expect(ids(literal!)).toEqual(early.map((u) => u.id));
  });
});

describe('REQUEST_GUILD_MEMBERS for everyone', () => {
  it('sends a guild of more than 1000 members in chunks of 1000, each with chunk_index/chunk_count and the nonce', async () => {
    const big = await createGuild(app.url, { owner, members: [early[1]!] });
    const seeded = await seedMembers(app, big.guild.id, 1001);
    const gw = await connectGateway(app.url);
    await gw.identify(early[1]!.accessToken, GUILDS | GUILD_MEMBERS);
    gw.send(8, { guild_id: big.guild.id, query: '', limit: 0, nonce: 'everyone' });
    gw.send(8, { guild_id: big.guild.id, query: '', limit: 1001, nonce: 'first-1001' });
    const everyone = await chunks(gw, 'everyone');
    expect(everyone.map((c) => [c.d.chunk_index, c.d.chunk_count, c.d.members.length])).toEqual([
      [0, 2, 1000],
      [1, 2, 3],
    ]);
    expect(new Set(everyone.flatMap(ids))).toEqual(new Set([owner.id, early[1]!.id, ...seeded]));
    const first1001 = await chunks(gw, 'first-1001');
    expect(first1001.map((c) => c.d.members.length)).toEqual([1000, 1]);
    gw.close();
  });
});

describe('REQUEST_GUILD_MEMBERS options', () => {
  it('includes presences only when asked and the session has GUILD_PRESENCES', async () => {
    const online = await connectGateway(app.url);
    await online.identify(qq[0]!.accessToken, GUILDS); // qq[0] is online
    const withIntent = await connectGateway(app.url);
    await withIntent.identify(owner.accessToken, GUILDS | GUILD_MEMBERS | GUILD_PRESENCES);
    withIntent.send(8, { guild_id: guildId, query: 'qq', limit: 10, presences: true, nonce: 'p' });
    const [withPresences] = await chunks(withIntent, 'p');
    expect(withPresences!.d.presences).toContainEqual(expect.objectContaining({ user: { id: qq[0]!.id }, status: 'online' }));
    expect(withPresences!.d.presences.map((p: { user: { id: string } }) => p.user.id)).not.toContain(qq[1]!.id); // offline
    requester.send(8, { guild_id: guildId, query: 'qq', limit: 10, presences: true, nonce: 'no-intent' });
    const [withoutIntent] = await chunks(requester, 'no-intent');
    expect(withoutIntent!.d.presences).toBeUndefined();
    online.close();
    withIntent.close();
  });

  it('answers user_ids with the members found and not_found; a nonce over 32 bytes is ignored', async () => {
    const stranger = await registerUser(app.url);
    requester.send(8, { guild_id: guildId, user_ids: [nicked.id, stranger.id], nonce: 'by-id' });
    const [byId] = await chunks(requester, 'by-id');
    expect(ids(byId!)).toEqual([nicked.id]);
    expect(byId!.d.not_found).toEqual([stranger.id]);
    requester.send(8, { guild_id: guildId, user_ids: [nicked.id], nonce: 'x'.repeat(33) });
    const unnamed = await requester.dispatch('GUILD_MEMBERS_CHUNK', (d) => d.nonce === undefined && d.members[0]?.user.id === nicked.id);
    expect(unnamed.d.chunk_count).toBe(1);
  });
});

describe('members.search over tRPC', () => {
  it('searches by prefix with a limit, and refuses bad input with BAD_REQUEST', async () => {
    const found = await early[0]!.client.members.search.query({ guildId, query: 'QQ', limit: 2 });
    expect(found.members.map((m) => m.user.id)).toEqual(qq.map((u) => u.id));
    expect(found.notFound).toEqual([]);
    expect(found.presences).toBeUndefined();
    expect(await errorOf(early[0]!.client.members.search.query({ guildId, limit: -1 }))).toMatchObject({ code: 'BAD_REQUEST' });
    expect(await errorOf(early[0]!.client.members.search.query({ guildId, query: 'a\u0000' }))).toMatchObject({ code: 'BAD_REQUEST' });
    const outsider = await registerUser(app.url);
    expect(await errorOf(outsider.client.members.search.query({ guildId }))).toMatchObject({ code: 'NOT_FOUND', reason: 'UNKNOWN_GUILD' });
  });
});
