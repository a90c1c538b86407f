// Super (burst) reactions over REST, gateway and tRPC: PUT …/@me?type=1, DELETE …/{emoji}/{type}/@me
// and /{user}, GET ?type=1; count / count_details / me / me_burst per viewer; MESSAGE_REACTION_ADD and
// REMOVE with burst and type; a normal and a burst reaction of one user are separate; the 20-emoji
// limit counts an emoji once whatever its types.
import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../server/app.js';
import type { TestUser } from './helpers/clients.js';
import { expectError, expectShape, messageShape, startDiscordGuild, type DiscordApi } from './helpers/compat-rest.js';
import { connectGateway } from './helpers/gateway.js';
import type { GuildFixture } from './helpers/guilds.js';

let app: App, fx: GuildFixture, memberUser: TestUser, owner: DiscordApi, member: DiscordApi;
beforeAll(async () => {
  ({ app, fx, memberUser, owner, member } = await startDiscordGuild(1));
});

const enc = encodeURIComponent;
const path = (messageId: string, rest = '') => `/channels/${fx.generalId}/messages/${messageId}/reactions${rest}`;
async function newMessage() {
  return ((await owner('POST', `/channels/${fx.generalId}/messages`, { content: 'super react to me' })).body as { id: string }).id;
}
async function reactionsOn(api: DiscordApi, messageId: string) {
  return expectShape(messageShape, (await api('GET', `/channels/${fx.generalId}/messages/${messageId}`)).body).reactions ?? [];
}
const userIds = async (api: DiscordApi, messageId: string, query: string) =>
  ((await api('GET', path(messageId, `/${enc('👍')}${query}`))).body as { id: string }[]).map((u) => u.id);

describe('burst reactions over REST', () => {
  it('a normal and a burst reaction count apart, per viewer, and list apart', async () => {
    const id = await newMessage();
    expect((await member('PUT', path(id, `/${enc('👍')}/@me`))).status).toBe(204);
    for (let i = 0; i < 2; i++) expect((await member('PUT', path(id, `/${enc('👍')}/@me?type=1`))).status).toBe(204);
    expect((await owner('PUT', path(id, `/${enc('👍')}/@me?type=1`))).status).toBe(204);
    expect(await reactionsOn(member, id)).toEqual([
      { emoji: { id: null, name: '👍' }, count: 3, count_details: { burst: 2, normal: 1 }, me: true, me_burst: true, burst_colors: [] },
    ]);
    expect(await reactionsOn(owner, id)).toMatchObject([{ count: 3, me: false, me_burst: true }]);
    expect((await userIds(member, id, '?type=1')).sort()).toEqual([fx.owner.id, memberUser.id].sort());
    expect(await userIds(member, id, '?type=0')).toEqual([memberUser.id]);
    expect(await userIds(member, id, '')).toEqual([memberUser.id]);

    // removing the burst leaves the normal one, and the other way round
    expect((await member('DELETE', path(id, `/${enc('👍')}/1/@me`))).status).toBe(204);
    expect(await reactionsOn(member, id)).toMatchObject([{ count: 2, count_details: { burst: 1, normal: 1 }, me: true, me_burst: false }]);
    expect((await member('DELETE', path(id, `/${enc('👍')}/0/@me`))).status).toBe(204);
    expect(await reactionsOn(member, id)).toMatchObject([{ count: 1, count_details: { burst: 1, normal: 0 }, me: false, me_burst: false }]);
  });

  it("removing someone else's burst reaction needs MANAGE_MESSAGES; bad types are 50035", async () => {
    const id = await newMessage();
    await owner('PUT', path(id, `/${enc('👍')}/@me?type=1`));
    await member('PUT', path(id, `/${enc('👍')}/@me?type=1`));
    expectError(await member('DELETE', path(id, `/${enc('👍')}/1/${fx.owner.id}`)), 403, 50013);
    expect((await owner('DELETE', path(id, `/${enc('👍')}/1/${memberUser.id}`))).status).toBe(204);
    expect(await userIds(owner, id, '?type=1')).toEqual([fx.owner.id]);

    for (const res of [
      await member('PUT', path(id, `/${enc('👍')}/@me?type=2`)),
      await member('DELETE', path(id, `/${enc('👍')}/burst/@me`)),
      await member('GET', path(id, `/${enc('👍')}?type=-1`)),
    ]) {
      const err = expectError(res, 400, 50035);
      expect(Object.keys(err.errors ?? {})).toEqual(['type']);
    }
    expect(await reactionsOn(owner, id)).toMatchObject([{ count: 1, count_details: { burst: 1, normal: 0 } }]);
  });

  it('the 20-emoji limit counts an emoji once, whatever its types (30010 for a 21st as burst)', async () => {
    const id = await newMessage();
    const emoji = ['😀', '😁', '😂', '🤣', '😃', '😄', '😅', '😆', '😉', '😊', '😋', '😎', '😍', '😘', '🥰', '😗', '😙', '🥲', '🙂', '🤗'];
    for (const e of emoji) expect((await owner('PUT', path(id, `/${enc(e)}/@me`))).status).toBe(204);
    expect((await member('PUT', path(id, `/${enc('😀')}/@me?type=1`))).status).toBe(204);
    expectError(await member('PUT', path(id, `/${enc('🤔')}/@me?type=1`)), 400, 30010);
    expect(await reactionsOn(owner, id)).toHaveLength(20);
  });
});

describe('burst reaction events and tRPC', () => {
  it('MESSAGE_REACTION_ADD / REMOVE carry burst and type; tRPC reactions.add type 1 shows in countDetails', async () => {
    const g = await connectGateway(app.url);
    await g.identify(fx.owner.accessToken, (1 << 0) | (1 << 10));
    const id = await newMessage();
    await member('PUT', path(id, `/${enc('🔥')}/@me?type=1`));
    const add = await g.dispatch('MESSAGE_REACTION_ADD', (d) => d.message_id === id);
    expect(add.d).toMatchObject({ user_id: memberUser.id, emoji: { id: null, name: '🔥' }, burst: true, type: 1, burst_colors: [], message_author_id: fx.owner.id });
    await member('DELETE', path(id, `/${enc('🔥')}/1/@me`));
    const remove = await g.dispatch('MESSAGE_REACTION_REMOVE', (d) => d.message_id === id);
    expect(remove.d).toMatchObject({ user_id: memberUser.id, emoji: { name: '🔥' }, burst: true, type: 1 });

    await memberUser.client.reactions.add.mutate({ channelId: fx.generalId, messageId: id, emoji: '🔥', type: 1 });
    await memberUser.client.reactions.add.mutate({ channelId: fx.generalId, messageId: id, emoji: '🔥' });
    const seen = await memberUser.client.messages.get.query({ channelId: fx.generalId, messageId: id });
    expect(seen.reactions).toEqual([{ emoji: '🔥', count: 2, countDetails: { normal: 1, burst: 1 }, me: true, meBurst: true }]);
    const normalAdd = await g.dispatch('MESSAGE_REACTION_ADD', (d) => d.message_id === id && d.burst === false);
    expect(normalAdd.d).toMatchObject({ type: 0, burst: false });
    // exactly one burst add went out after the removal (the marker is the normal add that followed it)
    expect(g.received.filter((p) => p.t === 'MESSAGE_REACTION_ADD' && p.d.message_id === id && p.d.burst === true)).toHaveLength(2);
  });
});
