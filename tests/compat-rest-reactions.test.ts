// Discord REST and gateway: reactions — every route, Unicode emoji URL-encoded, Unknown Emoji,
// permissions, the 20-emoji limit, `reactions` with `me` per viewer, idempotence, exact counts under
// concurrency, and the four gateway events with their intents.
import { beforeAll, describe, expect, it } from 'vitest';
import { Permissions } from '../shared/permissions.js';
import type { App } from '../server/app.js';
import { registerUser, type TestUser } from './helpers/clients.js';
import { discordApi, expectError, expectShape, messageShape, startDiscordGuild, userShape, type DiscordApi } from './helpers/compat-rest.js';
import { connectGateway } from './helpers/gateway.js';
import type { GuildFixture } from './helpers/guilds.js';

let app: App, fx: GuildFixture, memberUser: TestUser, owner: DiscordApi, member: DiscordApi, outsider: DiscordApi;
beforeAll(async () => {
  ({ app, fx, memberUser, owner, member, outsider } = await startDiscordGuild(1));
});

async function newMessage(channelId = fx.generalId) {
  const res = await owner('POST', `/channels/${channelId}/messages`, { content: 'react to me' });
  return (res.body as { id: string }).id;
}

const path = (messageId: string, rest = '', channelId = fx.generalId) => `/channels/${channelId}/messages/${messageId}/reactions${rest}`;
const enc = encodeURIComponent;

async function reactionsOn(api: DiscordApi, messageId: string) {
  const res = await api('GET', `/channels/${fx.generalId}/messages/${messageId}`);
  return expectShape(messageShape, res.body).reactions ?? [];
}

describe('reactions over REST', () => {
  it('PUT @me adds (idempotently), the message shows count and me per viewer, GET lists the users', async () => {
    const id = await newMessage();
    for (let i = 0; i < 2; i++) expect((await member('PUT', path(id, `/${enc('👍')}/@me`))).status).toBe(204);
    expect((await owner('PUT', path(id, `/${enc('👍🏽')}/@me`))).status).toBe(204);
    expect((await owner('PUT', path(id, `/${enc('👍')}/@me`))).status).toBe(204);
    expect(await reactionsOn(member, id)).toEqual([
      { emoji: { id: null, name: '👍' }, count: 2, count_details: { burst: 0, normal: 2 }, me: true, me_burst: false, burst_colors: [] },
      { emoji: { id: null, name: '👍🏽' }, count: 1, count_details: { burst: 0, normal: 1 }, me: false, me_burst: false, burst_colors: [] },
    ]);
    const users = (await member('GET', path(id, `/${enc('👍')}`))).body as unknown[];
    expect(users.map((u) => expectShape(userShape, u).id).sort()).toEqual([fx.owner.id, memberUser.id].sort());
    const [first] = [fx.owner.id, memberUser.id].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
    const after = (await member('GET', `${path(id, `/${enc('👍')}`)}?after=${first}&limit=1`)).body as { id: string }[];
    expect(after).toHaveLength(1);
    expect(after[0]!.id).not.toBe(first);
    expect((await member('GET', `${path(id, `/${enc('👍')}`)}?type=1`)).body).toEqual([]);
  });

  it('DELETE @me, someone else (MANAGE_MESSAGES), one emoji, and all', async () => {
    const id = await newMessage();
    for (const e of ['😀', '🎉']) for (const api of [owner, member]) await api('PUT', path(id, `/${enc(e)}/@me`));
    expect((await member('DELETE', path(id, `/${enc('😀')}/@me`))).status).toBe(204);
    expect((await member('DELETE', path(id, `/${enc('😀')}/@me`))).status).toBe(204); // nothing left to remove: still fine
    expectError(await member('DELETE', path(id, `/${enc('🎉')}/${fx.owner.id}`)), 403, 50013);
    expect((await owner('DELETE', path(id, `/${enc('🎉')}/${memberUser.id}`))).status).toBe(204);
    expect((await reactionsOn(owner, id)).map((r) => [r.emoji.name, r.count])).toEqual([['😀', 1], ['🎉', 1]]);
    expectError(await member('DELETE', path(id, `/${enc('😀')}`)), 403, 50013);
    expect((await owner('DELETE', path(id, `/${enc('😀')}`))).status).toBe(204);
    expect((await reactionsOn(owner, id)).map((r) => r.emoji.name)).toEqual(['🎉']);
    expect((await owner('DELETE', path(id))).status).toBe(204);
    expect(await reactionsOn(owner, id)).toEqual([]);
  });

  it('unknown or malformed emoji are 10014; unknown messages 10008; outsiders 10003; nothing is stored', async () => {
    const id = await newMessage();
    for (const e of ['notanemoji', 'smile:1234567890123', 'a:smile:1234567890123', '👍👍', '%F0']) {
      const res = await member('PUT', path(id, `/${e === '%F0' ? e : enc(e)}/@me`));
      if (e === '%F0') expect(res.status).toBe(404); // an undecodable path is no route at all
      else expectError(res, 400, 10014);
    }
    expectError(await member('PUT', path('1234567890123', `/${enc('👍')}/@me`)), 404, 10008);
    expectError(await outsider('PUT', path(id, `/${enc('👍')}/@me`)), 404, 10003);
    expect(await app.deps.db.reaction.count({ where: { messageId: BigInt(id) } })).toBe(0);
  });

  it('needs READ_MESSAGE_HISTORY to react and ADD_REACTIONS to be first with an emoji', async () => {
    const id = await newMessage();
    await owner('PUT', path(id, `/${enc('✅')}/@me`));
    const deny = async (perm: bigint) => owner('PUT', `/channels/${fx.generalId}/permissions/${memberUser.id}`, { type: 1, allow: '0', deny: String(perm) });
    try {
      await deny(Permissions.ADD_REACTIONS);
      expectError(await member('PUT', path(id, `/${enc('❌')}/@me`)), 403, 50013);
      expect((await member('PUT', path(id, `/${enc('✅')}/@me`))).status).toBe(204); // joining an existing one is fine
      await deny(Permissions.READ_MESSAGE_HISTORY);
      expectError(await member('PUT', path(id, `/${enc('✅')}/@me`)), 403, 50013);
    } finally {
      await owner('DELETE', `/channels/${fx.generalId}/permissions/${memberUser.id}`);
    }
    expect((await reactionsOn(owner, id)).map((r) => [r.emoji.name, r.count])).toEqual([['✅', 2]]);
  });

  it('at most 20 different emoji per message (30010); concurrent reactions count exactly', async () => {
    const id = await newMessage();
    const emoji = [...'😀😁😂🤣😃😄😅😆😉😊😋😎😍😘🥰😗😙🥲😚🙂🤗'].slice(0, 21);
    expect(emoji).toHaveLength(21);
    // 21 different emoji at once: exactly 20 get in
    const results = await Promise.all(emoji.map((e) => owner('PUT', path(id, `/${enc(e)}/@me`))));
    expect(results.filter((r) => r.status === 204)).toHaveLength(20);
    expectError(results.find((r) => r.status !== 204)!, 400, 30010);
    expect(await reactionsOn(owner, id)).toHaveLength(20);

    const crowd = await Promise.all(Array.from({ length: 4 }, () => registerUser(app.url)));
    const invite = (await owner('POST', `/channels/${fx.generalId}/invites`, { max_age: 0 })).body as { code: string };
    await Promise.all(crowd.map((u) => u.client.invites.accept.mutate({ code: invite.code })));
    const second = await newMessage();
    await Promise.all(crowd.flatMap((u) => [0, 1].map(() => discordApi(app.url, u.accessToken)('PUT', path(second, `/${enc('🔥')}/@me`)))));
    expect(await reactionsOn(owner, second)).toMatchObject([{ emoji: { name: '🔥' }, count: 4, me: false }]);
  });
});

describe('reaction events', () => {
  it('MESSAGE_REACTION_ADD / REMOVE / REMOVE_EMOJI / REMOVE_ALL reach sessions with GUILD_MESSAGE_REACTIONS only', async () => {
    const GUILDS = 1 << 0;
    const REACTIONS = 1 << 10;
    const GUILD_MESSAGES = 1 << 9;
    const withIntent = await connectGateway(app.url);
    await withIntent.identify(memberUser.accessToken, GUILDS | REACTIONS);
    const without = await connectGateway(app.url);
    await without.identify(memberUser.accessToken, GUILDS | GUILD_MESSAGES);

    const id = await newMessage();
    await owner('PUT', path(id, `/${enc('👍')}/@me`));
    const add = await withIntent.dispatch('MESSAGE_REACTION_ADD', (d) => d.message_id === id);
    expect(add.d).toEqual({
      user_id: fx.owner.id,
      channel_id: fx.generalId,
      message_id: id,
      guild_id: fx.guild.id,
      emoji: { id: null, name: '👍' },
      message_author_id: fx.owner.id,
      member: expect.objectContaining({ user: expect.objectContaining({ id: fx.owner.id }), roles: [] }),
      burst: false,
      burst_colors: [],
      type: 0,
    });
    await owner('PUT', path(id, `/${enc('👍')}/@me`)); // idempotent: no second event
    await owner('DELETE', path(id, `/${enc('👍')}/@me`));
    const remove = await withIntent.dispatch('MESSAGE_REACTION_REMOVE', (d) => d.message_id === id);
    expect(remove.d).toMatchObject({ user_id: fx.owner.id, emoji: { name: '👍' }, guild_id: fx.guild.id });
    await owner('PUT', path(id, `/${enc('🎉')}/@me`));
    await owner('DELETE', path(id, `/${enc('🎉')}`));
    expect((await withIntent.dispatch('MESSAGE_REACTION_REMOVE_EMOJI', (d) => d.message_id === id)).d).toEqual({
      channel_id: fx.generalId,
      message_id: id,
      guild_id: fx.guild.id,
      emoji: { id: null, name: '🎉' },
    });
    await owner('PUT', path(id, `/${enc('🎉')}/@me`));
    await owner('DELETE', path(id));
    expect((await withIntent.dispatch('MESSAGE_REACTION_REMOVE_ALL', (d) => d.message_id === id)).d).toEqual({
      channel_id: fx.generalId,
      message_id: id,
      guild_id: fx.guild.id,
    });
    expect(withIntent.received.filter((p) => p.t === 'MESSAGE_REACTION_ADD' && p.d.message_id === id).map((p) => p.d.emoji.name)).toEqual(['👍', '🎉', '🎉']);

    // the session without the intent got none of them: a later message arrives, no reaction event before it
    const marker = await newMessage();
    await without.dispatch('MESSAGE_CREATE', (d) => d.id === marker);
    expect(without.received.filter((p) => p.t?.startsWith('MESSAGE_REACTION'))).toEqual([]);
  });

  it('DM reactions need DIRECT_MESSAGE_REACTIONS', async () => {
    const dm = (await owner('POST', '/users/@me/channels', { recipient_id: memberUser.id })).body as { id: string };
    const g = await connectGateway(app.url);
    await g.identify(memberUser.accessToken, 1 << 13);
    const id = await newMessage(dm.id);
    expect((await owner('PUT', path(id, `/${enc('👋')}/@me`, dm.id))).status).toBe(204);
    const add = await g.dispatch('MESSAGE_REACTION_ADD', (d) => d.message_id === id);
    expect(add.d).toMatchObject({ channel_id: dm.id, user_id: fx.owner.id, emoji: { name: '👋' } });
    expect(add.d.guild_id).toBeUndefined();
  });
});

describe('reactions over tRPC', () => {
  it('add, list, remove and clear, with reactions on messages.get', async () => {
    const c = memberUser.client;
    const id = await newMessage();
    await c.reactions.add.mutate({ channelId: fx.generalId, messageId: id, emoji: '🚀' });
    expect(await c.messages.get.query({ channelId: fx.generalId, messageId: id })).toMatchObject({ reactions: [{ emoji: '🚀', count: 1, me: true }] });
    expect((await c.reactions.list.query({ channelId: fx.generalId, messageId: id, emoji: '🚀' })).map((u) => u.id)).toEqual([memberUser.id]);
    await c.reactions.remove.mutate({ channelId: fx.generalId, messageId: id, emoji: '🚀' });
    expect((await c.messages.get.query({ channelId: fx.generalId, messageId: id })).reactions).toBeUndefined();
    await c.reactions.add.mutate({ channelId: fx.generalId, messageId: id, emoji: '🚀' });
    await fx.owner.client.reactions.clear.mutate({ channelId: fx.generalId, messageId: id });
    expect(await app.deps.db.reaction.count({ where: { messageId: BigInt(id) } })).toBe(0);
  });
});
