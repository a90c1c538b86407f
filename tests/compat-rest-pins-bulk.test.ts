// Discord REST and gateway: pins (both route families, PIN_MESSAGES / MANAGE_MESSAGES, the 50-pin
// limit, the type 6 system message, CHANNEL_PINS_UPDATE) and bulk delete (2-100 ids, 14 days,
// MANAGE_MESSAGES, all or nothing, one MESSAGE_DELETE_BULK).
import { MessageType } from 'discord-api-types/v10';
import { beforeAll, describe, expect, it } from 'vitest';
import { Permissions } from '../shared/permissions.js';
import { snowflakeFromTimestamp } from '../shared/snowflake.js';
import type { App } from '../server/app.js';
import type { TestUser } from './helpers/clients.js';
import { errorFields, expectError, expectShape, messageShape, startDiscordGuild, type DiscordApi } from './helpers/compat-rest.js';
import { connectGateway } from './helpers/gateway.js';
import type { GuildFixture } from './helpers/guilds.js';

let app: App, fx: GuildFixture, memberUser: TestUser, owner: DiscordApi, member: DiscordApi;
beforeAll(async () => {
  ({ app, fx, memberUser, owner, member } = await startDiscordGuild(1));
});

async function newChannel() {
  return ((await owner('POST', `/guilds/${fx.guild.id}/channels`, { name: 'pins' })).body as { id: string }).id;
}
async function post(api: DiscordApi, channelId: string, content = 'm') {
  return ((await api('POST', `/channels/${channelId}/messages`, { content })).body as { id: string }).id;
}

describe('pins', () => {
  it('a pin racing the message\'s delete is a 204 or Unknown Message, never a 500, and leaves no pin behind', async () => {
    // REST fuzzing found a 500: the message was deleted between its lookup and the pin's insert.
    const channelId = await newChannel();
    for (let i = 0; i < 25; i++) {
      const id = await post(member, channelId, `doomed ${i}`);
      const [pin, del] = await Promise.all([owner('PUT', `/channels/${channelId}/messages/pins/${id}`), owner('DELETE', `/channels/${channelId}/messages/${id}`)]);
      expect(del.status).toBe(204);
      if (pin.status !== 204) expectError(pin, 404, 10008);
    }
    const pins = (await owner('GET', `/channels/${channelId}/messages/pins`)).body as { items: unknown[] };
    expect(pins.items).toEqual([]);
  });

  it('pins and unpins over both route families; pinned, the type 6 notice and CHANNEL_PINS_UPDATE', async () => {
    const channelId = await newChannel();
    const g = await connectGateway(app.url);
    await g.identify(memberUser.accessToken, (1 << 0) | (1 << 9));
    const [a, b] = [await post(member, channelId, 'first'), await post(member, channelId, 'second')];

    expect((await owner('PUT', `/channels/${channelId}/messages/pins/${a}`)).status).toBe(204);
    const notice = await g.dispatch('MESSAGE_CREATE', (d) => d.type === MessageType.ChannelPinnedMessage && d.channel_id === channelId);
    expect(notice.d).toMatchObject({ content: '', author: { id: fx.owner.id }, message_reference: { message_id: a, channel_id: channelId } });
    const update = await g.dispatch('CHANNEL_PINS_UPDATE', (d) => d.channel_id === channelId);
    expect(update.d).toEqual({ channel_id: channelId, guild_id: fx.guild.id, last_pin_timestamp: expect.any(String) });

    expect((await owner('PUT', `/channels/${channelId}/pins/${b}`)).status).toBe(204);
    expect((await owner('PUT', `/channels/${channelId}/pins/${b}`)).status).toBe(204); // already pinned: nothing new
    const list = (await member('GET', `/channels/${channelId}/messages/pins`)).body as { items: { pinned_at: string; message: unknown }[]; has_more: boolean };
    expect(list.has_more).toBe(false);
    expect(list.items.map((p) => expectShape(messageShape, p.message).id)).toEqual([b, a]);
    expect(list.items.every((p) => expectShape(messageShape, p.message).pinned)).toBe(true);
    const page = (await member('GET', `/channels/${channelId}/messages/pins?limit=1`)).body as { items: { pinned_at: string }[]; has_more: boolean };
    expect(page.has_more).toBe(true);
    const older = (await member('GET', `/channels/${channelId}/messages/pins?before=${encodeURIComponent(page.items[0]!.pinned_at)}`)).body as { items: { message: { id: string } }[] };
    expect(older.items.map((p) => p.message.id)).toEqual([a]);
    expect(((await member('GET', `/channels/${channelId}/pins`)).body as { id: string }[]).map((m) => m.id)).toEqual([b, a]);
    expect(expectShape(messageShape, (await member('GET', `/channels/${channelId}/messages/${a}`)).body).pinned).toBe(true);

    expect((await owner('DELETE', `/channels/${channelId}/messages/pins/${a}`)).status).toBe(204);
    expect((await owner('DELETE', `/channels/${channelId}/pins/${b}`)).status).toBe(204);
    expect(((await member('GET', `/channels/${channelId}/pins`)).body as unknown[]).length).toBe(0);
    const cleared = await g.dispatch('CHANNEL_PINS_UPDATE', (d) => d.channel_id === channelId && d.last_pin_timestamp === null);
    expect(cleared.d.guild_id).toBe(fx.guild.id);
    expect(g.received.filter((p) => p.t === 'MESSAGE_CREATE' && p.d.type === MessageType.ChannelPinnedMessage && p.d.channel_id === channelId)).toHaveLength(2);
  });

  it('needs PIN_MESSAGES or MANAGE_MESSAGES (50013); unknown messages are 10008', async () => {
    const channelId = await newChannel();
    const id = await post(owner, channelId);
    expectError(await member('PUT', `/channels/${channelId}/messages/pins/${id}`), 403, 50013);
    for (const perm of [Permissions.PIN_MESSAGES, Permissions.MANAGE_MESSAGES]) {
      await owner('PUT', `/channels/${channelId}/permissions/${memberUser.id}`, { type: 1, allow: String(perm), deny: '0' });
      expect((await member('PUT', `/channels/${channelId}/messages/pins/${id}`)).status).toBe(204);
      expect((await member('DELETE', `/channels/${channelId}/messages/pins/${id}`)).status).toBe(204);
    }
    expectError(await owner('PUT', `/channels/${channelId}/messages/pins/1234567890123`), 404, 10008);
  });

  it('at most 50 pins per channel (30003), also when pinned concurrently', async () => {
    const channelId = await newChannel();
    const ids = await Promise.all(Array.from({ length: 52 }, () => post(owner, channelId)));
    const results = await Promise.all(ids.map((id) => owner('PUT', `/channels/${channelId}/messages/pins/${id}`)));
    expect(results.filter((r) => r.status === 204)).toHaveLength(50);
    for (const r of results.filter((x) => x.status !== 204)) expectError(r, 400, 30003);
    expect(await app.deps.db.pin.count({ where: { channelId: BigInt(channelId) } })).toBe(50);
  });
});

describe('bulk delete', () => {
  it('deletes 2-100 messages with one MESSAGE_DELETE_BULK; ids of other channels are left alone', async () => {
    const channelId = await newChannel();
    const other = await newChannel();
    const g = await connectGateway(app.url);
    await g.identify(memberUser.accessToken, (1 << 0) | (1 << 9));
    const ids = [await post(member, channelId), await post(owner, channelId), await post(member, channelId)];
    const elsewhere = await post(owner, other);
    const res = await owner('POST', `/channels/${channelId}/messages/bulk-delete`, { messages: [ids[0], ids[1], elsewhere] });
    expect(res.status).toBe(204);
    const event = await g.dispatch('MESSAGE_DELETE_BULK', (d) => d.channel_id === channelId);
    expect(event.d).toEqual({ ids: [ids[0], ids[1]], channel_id: channelId, guild_id: fx.guild.id });
    expect(((await owner('GET', `/channels/${channelId}/messages`)).body as { id: string }[]).map((m) => m.id)).toEqual([ids[2]]);
    expect((await owner('GET', `/channels/${other}/messages/${elsewhere}`)).status).toBe(200);
    expect(g.received.filter((p) => p.t === 'MESSAGE_DELETE' && p.d.channel_id === channelId)).toEqual([]);
  });

  it('refuses 1 or 101 ids (50035), an id older than 14 days (50034) and members without MANAGE_MESSAGES (50013), deleting nothing', async () => {
    const channelId = await newChannel();
    const ids = [await post(member, channelId), await post(member, channelId)];
    const bulk = (api: DiscordApi, messages: unknown) => api('POST', `/channels/${channelId}/messages/bulk-delete`, { messages });
    expect(errorFields(expectError(await bulk(owner, [ids[0]]), 400, 50035).errors)).toEqual({ messages: ['BASE_TYPE_MIN_LENGTH'] });
    const many = Array.from({ length: 101 }, (_, i) => String(BigInt(ids[0]!) + BigInt(i)));
    expect(errorFields(expectError(await bulk(owner, many), 400, 50035).errors)).toEqual({ messages: ['BASE_TYPE_MAX_LENGTH'] });
    const old = String(snowflakeFromTimestamp(Date.now() - 15 * 24 * 60 * 60 * 1000));
    expectError(await bulk(owner, [...ids, old]), 400, 50034);
    expectError(await bulk(member, ids), 403, 50013);
    expect(((await owner('GET', `/channels/${channelId}/messages`)).body as unknown[]).length).toBe(2);
  });
});
