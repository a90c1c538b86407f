// Guild message search over real HTTP (GET /guilds/{g}/messages/search) and tRPC: full-text content,
// the filters, paging with total_results, Discord's response shape, and above all that messages of a
// channel the caller cannot read (VIEW_CHANNEL or READ_MESSAGE_HISTORY missing) never appear or count.
import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Permissions } from '../shared/permissions.js';
import { errorOf, type TestUser } from './helpers/clients.js';
import { expectError, expectShape, messageShape, startDiscordGuild, type DiscordApi } from './helpers/compat-rest.js';
import type { GuildFixture } from './helpers/guilds.js';

let fx: GuildFixture, memberUser: TestUser, owner: DiscordApi, member: DiscordApi, outsider: DiscordApi;
let hiddenId: string, noHistoryId: string, otherId: string;
/** a word no other test's message contains */
const word = () => `w${randomBytes(4).toString('hex')}`;

const searchShape = z.object({ doing_deep_historical_index: z.literal(false), total_results: z.number().int(), messages: z.array(z.array(messageShape).length(1)) });

async function search(api: DiscordApi, query: string) {
  const res = await api('GET', `/guilds/${fx.guild.id}/messages/search?${query}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  const body = expectShape(searchShape, res.body);
  return { total: body.total_results, messages: body.messages.map(([m]) => m!), contents: body.messages.map(([m]) => m!.content) };
}
async function post(api: DiscordApi, channelId: string, body: Record<string, unknown> | string) {
  const res = await api('POST', `/channels/${channelId}/messages`, typeof body === 'string' ? { content: body } : body);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return (res.body as { id: string }).id;
}
async function channel(name: string, overwrites: { id: string; type: number; allow: string; deny: string }[] = []) {
  return ((await owner('POST', `/guilds/${fx.guild.id}/channels`, { name, permission_overwrites: overwrites })).body as { id: string }).id;
}

beforeAll(async () => {
  ({ fx, memberUser, owner, member, outsider } = await startDiscordGuild(1));
  hiddenId = await channel('hidden', [{ id: fx.guild.id, type: 0, allow: '0', deny: String(Permissions.VIEW_CHANNEL) }]);
  noHistoryId = await channel('no-history', [{ id: memberUser.id, type: 1, allow: '0', deny: String(Permissions.READ_MESSAGE_HISTORY) }]);
  otherId = await channel('other');
});

describe('GET /guilds/{guild.id}/messages/search', () => {
  it('finds words in content, newest first, in Discord\'s shape; phrases, exclusions and edits work', async () => {
    const [a, b] = [word(), word()];
    await post(member, fx.generalId, `the ${a} is here`);
    await post(owner, otherId, `Another ${a.toUpperCase()}, and ${b}`);
    await post(member, fx.generalId, `nothing to see`);
    const found = await search(member, `content=${a}`);
    expect(found.total).toBe(2);
    expect(found.contents).toEqual([`Another ${a.toUpperCase()}, and ${b}`, `the ${a} is here`]);
    expect(found.messages[0]).toMatchObject({ channel_id: otherId, author: { id: fx.owner.id } });
    expect(found.messages[0]!.reactions).toBeUndefined();
    expect((await search(member, `content=${encodeURIComponent(`${a} -${b}`)}`)).contents).toEqual([`the ${a} is here`]);
    expect((await search(member, `content=${encodeURIComponent(`"${a} is"`)}`)).contents).toEqual([`the ${a} is here`]);
    expect((await search(member, `content=${word()}`)).total).toBe(0);

    const edited = word();
    const id = await post(member, fx.generalId, 'before the edit');
    expect((await member('PATCH', `/channels/${fx.generalId}/messages/${id}`, { content: `after the ${edited}` })).status).toBe(200);
    expect((await search(member, `content=${edited}`)).messages.map((m) => m.id)).toEqual([id]);
    expect((await member('DELETE', `/channels/${fx.generalId}/messages/${id}`)).status).toBe(204);
    expect((await search(member, `content=${edited}`)).total).toBe(0);
  });

  it('never shows or counts messages of channels the searcher cannot view or read the history of', async () => {
    const secret = word();
    await post(owner, hiddenId, `hidden ${secret}`);
    await post(owner, noHistoryId, `unreadable ${secret}`);
    await post(owner, fx.generalId, `visible ${secret}`);
    expect(await search(member, `content=${secret}`)).toMatchObject({ total: 1, contents: [`visible ${secret}`] });
    expect(await search(member, `content=${secret}&channel_id=${hiddenId}&channel_id=${noHistoryId}`)).toMatchObject({ total: 0, contents: [] });
    expect(await search(member, `author_id=${fx.owner.id}&channel_id=${hiddenId}`)).toMatchObject({ total: 0 });
    // The owner reads everything: the messages exist, they were only hidden from the member.
    expect((await search(owner, `content=${secret}`)).total).toBe(3);
    // Granting the history makes that channel searchable at once (permission caches are invalidated).
    await owner('PUT', `/channels/${noHistoryId}/permissions/${memberUser.id}`, { type: 1, allow: '0', deny: '0' });
    expect((await search(member, `content=${secret}`)).total).toBe(2);
    await owner('PUT', `/channels/${noHistoryId}/permissions/${memberUser.id}`, { type: 1, allow: '0', deny: String(Permissions.READ_MESSAGE_HISTORY) });
  });

  it('filters by author, channel, mentions, @everyone, pinned, has, and min_id/max_id', async () => {
    const tag = word();
    const byMember = await post(member, fx.generalId, `${tag} plain`);
    const mention = await post(owner, fx.generalId, `${tag} hi <@${memberUser.id}>`);
    const link = await post(owner, otherId, `${tag} see https://example.com/x`);
    const embed = await post(owner, otherId, { content: `${tag} embed`, embeds: [{ title: 'card' }] });
    const everyone = await post(owner, fx.generalId, `${tag} @everyone`);
    expect((await owner('PUT', `/channels/${fx.generalId}/messages/pins/${byMember}`)).status).toBe(204);
    const ids = async (q: string) => (await search(member, `content=${tag}&${q}`)).messages.map((m) => m.id);

    expect(await ids(`author_id=${memberUser.id}`)).toEqual([byMember]);
    expect(await ids(`author_id=${memberUser.id}&author_id=${fx.owner.id}`)).toEqual([everyone, embed, link, mention, byMember]);
    expect(await ids(`channel_id=${otherId}`)).toEqual([embed, link]);
    expect(await ids(`mentions=${memberUser.id}`)).toEqual([mention]);
    expect(await ids('mention_everyone=true')).toEqual([everyone]);
    expect(await ids('pinned=true')).toEqual([byMember]);
    expect(await ids('has=link')).toEqual([link]);
    expect(await ids('has=embed')).toEqual([embed]);
    expect(await ids('has=-link&has=-embed&pinned=false')).toEqual([everyone, mention]);
    expect(await ids(`min_id=${mention}&max_id=${everyone}`)).toEqual([embed, link]);
    expect(await ids(`sort_order=asc&limit=2`)).toEqual([byMember, mention]);
  });

  it('pages with limit and offset while total_results counts every match', async () => {
    const tag = word();
    const posted: string[] = [];
    for (let i = 0; i < 7; i++) posted.push(await post(member, fx.generalId, `${tag} number ${i}`));
    const newestFirst = [...posted].reverse();
    const first = await search(member, `content=${tag}&limit=3`);
    expect({ total: first.total, ids: first.messages.map((m) => m.id) }).toEqual({ total: 7, ids: newestFirst.slice(0, 3) });
    const last = await search(member, `content=${tag}&limit=3&offset=6`);
    expect({ total: last.total, ids: last.messages.map((m) => m.id) }).toEqual({ total: 7, ids: newestFirst.slice(6) });
    expect(await search(member, `content=${tag}&offset=7`)).toMatchObject({ total: 7, messages: [] });
  });

  it('refuses bad input with 50035 and the field, non-members with Unknown Guild', async () => {
    const field = async (query: string, name: string) => {
      const res = expectError(await member('GET', `/guilds/${fx.guild.id}/messages/search?${query}`), 400, 50035);
      // arrays report the failing element's index below the field (has.0)
      expect(Object.keys(res.errors ?? {}), JSON.stringify(res.errors)).toEqual([name]);
    };
    await field('limit=26', 'limit');
    await field('limit=0', 'limit');
    await field('offset=9976', 'offset');
    await field('has=image', 'has');
    await field('max_id=abc', 'max_id');
    await field('author_id=x', 'author_id');
    await field('pinned=maybe', 'pinned');
    await field(`content=${'a'.repeat(1025)}`, 'content');
    expectError(await outsider('GET', `/guilds/${fx.guild.id}/messages/search?content=x`), 404, 10004);
    expectError(await member('GET', `/guilds/1234567890123/messages/search?content=x`), 404, 10004);
  });
});

describe('tRPC messages.search', () => {
  it('returns the same matches with totalResults, and refuses non-members', async () => {
    const tag = word();
    const id = await post(member, fx.generalId, `${tag} via trpc`);
    await post(owner, hiddenId, `${tag} hidden`);
    const found = await memberUser.client.messages.search.query({ guildId: fx.guild.id, content: tag });
    expect(found.totalResults).toBe(1);
    expect(found.messages.map((m) => m.id)).toEqual([id]);
    const stranger = await errorOf(memberUser.client.messages.search.query({ guildId: '1234567890123', content: tag }));
    expect(stranger.code).toBe('NOT_FOUND');
  });
});
