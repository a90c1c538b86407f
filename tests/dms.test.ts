import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../server/app.js';
import { errorOf, httpClient, registerUser, uniqueName, type TestUser } from './helpers/clients.js';
import { addBotToGuild } from './helpers/bots.js';
import { discordApi, expectError } from './helpers/compat-rest.js';
import { createGuild } from './helpers/guilds.js';
import { publishedToUser } from './helpers/published.js';
import { startTestServer } from './helpers/server.js';

let app: App;
beforeAll(async () => {
  app = await startTestServer();
});

/** `n` users who share a guild (the first owns it): new DMs need a guild in common. */
async function guildMates(n: number): Promise<TestUser[]> {
  const { owner, members } = await createGuild(app.url, { memberCount: n - 1 });
  return [owner, ...members];
}

describe('dms.open', () => {
  it('creates a DM channel with both users as recipients, announced once to both', async () => {
    const [a, b] = (await guildMates(2)) as [TestUser, TestUser];
    const dm = await a.client.dms.open.mutate({ userId: b.id });
    expect(dm).toMatchObject({ type: 1, guildId: null, name: null, lastMessageId: null, permissionOverwrites: [] });
    expect(dm.recipients?.map((r) => r.id).sort()).toEqual([a.id, b.id].sort());
    expect(dm.recipients?.find((r) => r.id === b.id)?.username).toBe(b.username);

    for (const user of [a, b]) {
      const created = await publishedToUser(app, user.id, 'CHANNEL_CREATE');
      expect(created).toHaveLength(1);
      expect(created[0]).toMatchObject({ channelId: dm.id, data: { id: dm.id, type: 1 } });
      expect(created[0]!.guildId).toBeUndefined();
    }
  });

  it('is idempotent: the same pair always gets the same channel, from either side, without a second event', async () => {
    const [a, b] = (await guildMates(2)) as [TestUser, TestUser];
    const first = await a.client.dms.open.mutate({ userId: b.id });
    const again = await a.client.dms.open.mutate({ userId: b.id });
    const reverse = await b.client.dms.open.mutate({ userId: a.id });
    expect(again.id).toBe(first.id);
    expect(reverse.id).toBe(first.id);
    expect(await publishedToUser(app, a.id, 'CHANNEL_CREATE')).toHaveLength(1);
    expect(await publishedToUser(app, b.id, 'CHANNEL_CREATE')).toHaveLength(1);
  });

  it('concurrent opens of one pair from both sides create exactly one channel', async () => {
    const [a, b] = (await guildMates(2)) as [TestUser, TestUser];
    const opens = await Promise.all(
      Array.from({ length: 12 }, (_, i) => (i % 2 ? a.client.dms.open.mutate({ userId: b.id }) : b.client.dms.open.mutate({ userId: a.id }))),
    );
    const ids = new Set(opens.map((c) => c.id));
    expect(ids.size).toBe(1);
    const rows = await app.deps.db.channelRecipient.findMany({ where: { userId: BigInt(a.id) } });
    expect(rows).toHaveLength(1);
    expect(await publishedToUser(app, a.id, 'CHANNEL_CREATE')).toHaveLength(1);
    expect(await publishedToUser(app, b.id, 'CHANNEL_CREATE')).toHaveLength(1);
  });

  it('refuses a DM with yourself and with an unknown user', async () => {
    const a = await registerUser(app.url);
    expect(await errorOf(a.client.dms.open.mutate({ userId: a.id }))).toMatchObject({ code: 'BAD_REQUEST', reason: 'CANNOT_DM_SELF' });
    expect(await errorOf(a.client.dms.open.mutate({ userId: '123456789012345678' }))).toMatchObject({ code: 'NOT_FOUND', reason: 'UNKNOWN_USER' });
    expect(await app.deps.db.channelRecipient.count({ where: { userId: BigInt(a.id) } })).toBe(0);
    expect(await publishedToUser(app, a.id, 'CHANNEL_CREATE')).toHaveLength(0);
  });

  it('validates the user id and requires authentication', async () => {
    const [a, b] = await Promise.all([registerUser(app.url), registerUser(app.url)]);
    expect(await errorOf(a.client.dms.open.mutate({ userId: 'not-an-id' }))).toMatchObject({ code: 'BAD_REQUEST', reason: 'INVALID_FORM_BODY' });
    expect(await errorOf(a.client.dms.open.mutate({ userId: '0' }))).toMatchObject({ code: 'BAD_REQUEST', reason: 'INVALID_FORM_BODY' });
    expect(await errorOf(httpClient(app.url).dms.open.mutate({ userId: b.id }))).toMatchObject({ code: 'UNAUTHORIZED' });
    expect(await publishedToUser(app, b.id, 'CHANNEL_CREATE')).toHaveLength(0);
  });
});

describe('who may open a DM', () => {
  it('a new DM needs a guild in common: strangers are refused (CANNOT_DM_USER, REST 400 50007), guild-mates are not', async () => {
    const [a, stranger] = await Promise.all([registerUser(app.url), registerUser(app.url)]);
    expect(await errorOf(a.client.dms.open.mutate({ userId: stranger.id }))).toMatchObject({
      code: 'BAD_REQUEST',
      reason: 'CANNOT_DM_USER',
      message: 'Cannot send messages to this user',
    });
    expectError(await discordApi(app.url, stranger.accessToken)('POST', '/users/@me/channels', { recipient_id: a.id }), 400, 50007);
    expect(await app.deps.db.channelRecipient.count({ where: { userId: BigInt(stranger.id) } })).toBe(0);
    expect(await publishedToUser(app, a.id, 'CHANNEL_CREATE')).toHaveLength(0);

    // once they share a guild, either side can open it (tRPC and REST give the same channel)
    const { owner } = await createGuild(app.url, { owner: a, members: [stranger] });
    const dm = await owner.client.dms.open.mutate({ userId: stranger.id });
    const viaRest = await discordApi(app.url, stranger.accessToken)('POST', '/users/@me/channels', { recipient_id: a.id });
    expect({ status: viaRest.status, id: (viaRest.body as { id: string }).id }).toEqual({ status: 200, id: dm.id });
  });

  it('bots too: a bot opens DMs only with users of its guilds', async () => {
    const { owner, guild, members } = await createGuild(app.url, { memberCount: 1 });
    const { token, bot } = await owner.client.auth.createBot.mutate({ username: uniqueName('bot') });
    const botApi = discordApi(app.url, token);
    const botClient = httpClient(app.url, token);
    const stranger = await registerUser(app.url);
    expectError(await botApi('POST', '/users/@me/channels', { recipient_id: stranger.id }), 400, 50007);
    expect(await errorOf(botClient.dms.open.mutate({ userId: members[0]!.id }))).toMatchObject({ reason: 'CANNOT_DM_USER' });
    expect(await errorOf(stranger.client.dms.open.mutate({ userId: bot.id }))).toMatchObject({ reason: 'CANNOT_DM_USER' });

    await addBotToGuild(owner.client, bot.id, guild.id);
    const dm = await botApi('POST', '/users/@me/channels', { recipient_id: members[0]!.id });
    expect(dm.status).toBe(200);
    expect((dm.body as { recipients: { id: string }[] }).recipients.map((r) => r.id)).toEqual([members[0]!.id]);
  });

  it('a DM channel the pair already has stays open after they stop sharing a guild', async () => {
    const { owner, guild, members } = await createGuild(app.url, { memberCount: 1 });
    const member = members[0]!;
    const dm = await member.client.dms.open.mutate({ userId: owner.id });
    await member.client.members.leave.mutate({ guildId: guild.id });
    expect((await member.client.dms.open.mutate({ userId: owner.id })).id).toBe(dm.id);
    const viaRest = await discordApi(app.url, owner.accessToken)('POST', '/users/@me/channels', { recipient_id: member.id });
    expect((viaRest.body as { id: string }).id).toBe(dm.id);
  });

  it('DM_REQUIRE_SHARED_GUILD=false lets anyone open a DM with anyone', async () => {
    const relaxed = await startTestServer({ DM_REQUIRE_SHARED_GUILD: 'false' });
    const [a, b] = await Promise.all([registerUser(relaxed.url), registerUser(relaxed.url)]);
    const dm = await a.client.dms.open.mutate({ userId: b.id });
    expect(dm.recipients?.map((r) => r.id).sort()).toEqual([a.id, b.id].sort());
    const viaRest = await discordApi(relaxed.url, b.accessToken)('POST', '/users/@me/channels', { recipient_id: a.id });
    expect((viaRest.body as { id: string }).id).toBe(dm.id);
  });
});

describe('dms.list', () => {
  it("lists only the caller's DM channels, most recently active first", async () => {
    const [a, b, c, outsider] = (await guildMates(4)) as [TestUser, TestUser, TestUser, TestUser];
    const withB = await a.client.dms.open.mutate({ userId: b.id });
    const withC = await a.client.dms.open.mutate({ userId: c.id });
    await outsider.client.dms.open.mutate({ userId: b.id });
    expect((await a.client.dms.list.query()).map((d) => d.id)).toEqual([withC.id, withB.id]);

    const sent = await b.client.messages.send.mutate({ channelId: withB.id, content: 'hi' });
    const list = await a.client.dms.list.query();
    expect(list.map((d) => d.id)).toEqual([withB.id, withC.id]);
    expect(list[0]!.lastMessageId).toBe(sent.id);
    expect(list.every((d) => d.type === 1 && d.recipients?.some((r) => r.id === a.id))).toBe(true);
    expect(await c.client.dms.list.query()).toHaveLength(1);
  });

  it('is empty for a new user and requires authentication', async () => {
    const a = await registerUser(app.url);
    expect(await a.client.dms.list.query()).toEqual([]);
    expect(await errorOf(httpClient(app.url).dms.list.query())).toMatchObject({ code: 'UNAUTHORIZED' });
  });
});
