import { beforeAll, describe, expect, it } from 'vitest';
import { Permissions } from '../shared/permissions.js';
import type { Message } from '../shared/schemas/message.js';
import type { App } from '../server/app.js';
import { errorOf, httpClient, registerUser, type TestUser } from './helpers/clients.js';
import { createGuild, grantRole, type GuildFixture } from './helpers/guilds.js';
import { publishedToGuild, publishedToUser } from './helpers/published.js';
import { startTestServer } from './helpers/server.js';

let app: App;
beforeAll(async () => {
  // dmFixture pairs users who share no guild, which DM_REQUIRE_SHARED_GUILD would refuse (tests/dms.test.ts covers that)
  app = await startTestServer({ DM_REQUIRE_SHARED_GUILD: 'false' });
});

/** Two users with a DM channel, and a third who is not in it. */
async function dmFixture() {
  const [a, b, outsider] = await Promise.all([registerUser(app.url), registerUser(app.url), registerUser(app.url)]);
  const dm = await a.client.dms.open.mutate({ userId: b.id });
  return { a, b, outsider, channelId: dm.id };
}

const byIdDesc = (x: { id: string }, y: { id: string }) => (BigInt(y.id) > BigInt(x.id) ? 1 : -1);
const ids = (ms: { id: string }[]) => ms.map((m) => m.id);

async function messageEvents(user: TestUser, channelId: string, type: 'MESSAGE_CREATE' | 'MESSAGE_UPDATE' | 'MESSAGE_DELETE') {
  return (await publishedToUser(app, user.id, type)).filter((e) => e.channelId === channelId);
}

describe('messages.send', () => {
  it('stores the message, bumps the channel and publishes MESSAGE_CREATE to both DM recipients', async () => {
    const { a, b, channelId } = await dmFixture();
    const m = await a.client.messages.send.mutate({ channelId, content: `hello <@${b.id}>`, nonce: 'n-1' });
    expect(m).toMatchObject({
      channelId,
      guildId: null,
      content: `hello <@${b.id}>`,
      nonce: 'n-1',
      type: 0,
      editedAt: null,
      referencedMessageId: null,
      mentions: [expect.objectContaining({ id: b.id, username: b.username })],
      author: { id: a.id, username: a.username, bot: false },
    });
    expect(Date.parse(m.createdAt)).toBeGreaterThan(Date.now() - 60_000);
    expect(await b.client.messages.get.query({ channelId, messageId: m.id })).toEqual(m);
    const [dm] = await b.client.dms.list.query();
    expect(dm!.lastMessageId).toBe(m.id);
    for (const user of [a, b]) {
      const events = await messageEvents(user, channelId, 'MESSAGE_CREATE');
      expect(events).toHaveLength(1);
      expect(events[0]!.data).toEqual(m);
      expect(events[0]!.guildId).toBeUndefined();
    }
  });

  it('echoes a numeric nonce as a string and accepts exactly 2000 characters', async () => {
    const { a, channelId } = await dmFixture();
    expect((await a.client.messages.send.mutate({ channelId, content: 'x', nonce: 12345 })).nonce).toBe('12345');
    expect((await a.client.messages.send.mutate({ channelId, content: 'y'.repeat(2000) })).content).toHaveLength(2000);
  });

  it('rejects empty, whitespace-only and over-long content, leaving nothing behind', async () => {
    const { a, b, channelId } = await dmFixture();
    for (const content of ['', '   \n\t ']) {
      expect(await errorOf(a.client.messages.send.mutate({ channelId, content }))).toMatchObject({ code: 'BAD_REQUEST', reason: 'EMPTY_MESSAGE' });
    }
    expect(await errorOf(a.client.messages.send.mutate({ channelId, content: 'z'.repeat(2001) }))).toMatchObject({ code: 'BAD_REQUEST', reason: 'INVALID_FORM_BODY' });
    expect(await errorOf(a.client.messages.send.mutate({ channelId, content: 'ok', nonce: 'n'.repeat(26) }))).toMatchObject({ code: 'BAD_REQUEST', reason: 'INVALID_FORM_BODY' });
    expect(await errorOf(a.client.messages.send.mutate({ channelId: 'abc', content: 'ok' }))).toMatchObject({ code: 'BAD_REQUEST', reason: 'INVALID_FORM_BODY' });
    expect(await a.client.messages.list.query({ channelId })).toEqual([]);
    expect(await messageEvents(b, channelId, 'MESSAGE_CREATE')).toHaveLength(0);
  });

  it('requires authentication, and hides DMs from non-recipients as Unknown Channel', async () => {
    const { outsider, channelId } = await dmFixture();
    expect(await errorOf(httpClient(app.url).messages.send.mutate({ channelId, content: 'hi' }))).toMatchObject({ code: 'UNAUTHORIZED' });
    expect(await errorOf(outsider.client.messages.send.mutate({ channelId, content: 'hi' }))).toMatchObject({ code: 'NOT_FOUND', reason: 'UNKNOWN_CHANNEL' });
    expect(await errorOf(outsider.client.messages.send.mutate({ channelId: '4242424242424242', content: 'hi' }))).toMatchObject({
      code: 'NOT_FOUND',
      reason: 'UNKNOWN_CHANNEL',
    });
    expect(await app.deps.db.message.count({ where: { channelId: BigInt(channelId) } })).toBe(0);
  });

  it('replies to a message of the same channel; a reply to another channel or an unknown message is rejected', async () => {
    const { a, b, channelId } = await dmFixture();
    const other = await dmFixture();
    const original = await a.client.messages.send.mutate({ channelId, content: 'question' });
    const reply = await b.client.messages.send.mutate({ channelId, content: 'answer', messageReference: { messageId: original.id } });
    expect(reply).toMatchObject({ type: 19, referencedMessageId: original.id });

    const elsewhere = await other.a.client.messages.send.mutate({ channelId: other.channelId, content: 'elsewhere' });
    for (const replyTo of [elsewhere.id, '4242424242424242']) {
      expect(await errorOf(a.client.messages.send.mutate({ channelId, content: 'bad reply', messageReference: { messageId: replyTo } }))).toMatchObject({
        code: 'BAD_REQUEST',
        reason: 'UNKNOWN_REPLY',
      });
    }
    expect(ids(await a.client.messages.list.query({ channelId }))).toEqual([reply.id, original.id]);
  });

  it('answers Unknown Channel when the channel disappears after its facts were cached', async () => {
    const { a, channelId } = await dmFixture();
    await a.client.messages.send.mutate({ channelId, content: 'warm the cache' });
    await app.deps.db.channel.delete({ where: { id: BigInt(channelId) } });
    expect(await errorOf(a.client.messages.send.mutate({ channelId, content: 'into the void' }))).toMatchObject({ code: 'NOT_FOUND', reason: 'UNKNOWN_CHANNEL' });
  });

  it('concurrent sends get distinct ids, and MESSAGE_CREATE events arrive in id order', async () => {
    const { a, b, channelId } = await dmFixture();
    const sent = await Promise.all(
      Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).client.messages.send.mutate({ channelId, content: `m${i}`, nonce: String(i) })),
    );
    expect(new Set(ids(sent)).size).toBe(40);
    const newestFirst = [...sent].sort(byIdDesc);
    expect(ids(await a.client.messages.list.query({ channelId }))).toEqual(ids(newestFirst));
    const events = await messageEvents(b, channelId, 'MESSAGE_CREATE');
    expect(events.map((e) => (e.data as Message).id)).toEqual(ids(newestFirst).reverse());
    expect((await b.client.dms.list.query())[0]!.lastMessageId).toBe(newestFirst[0]!.id);
  });
});

describe('messages.list', () => {
  // 30 messages, oldest first.
  let history: Message[];
  let fx: Awaited<ReturnType<typeof dmFixture>>;
  const page = (input: { before?: string; after?: string; around?: string; limit?: number }) =>
    fx.a.client.messages.list.query({ channelId: fx.channelId, ...input }).then(ids);
  // history ids from index i down to index j (inclusive), i >= j: the expected newest-first page
  const range = (from: number, to: number) => history.slice(to, from + 1).map((m) => m.id).reverse();

  beforeAll(async () => {
    fx = await dmFixture();
    history = [];
    for (let i = 0; i < 30; i++) history.push(await fx.a.client.messages.send.mutate({ channelId: fx.channelId, content: `#${i}` }));
  });

  it('returns the newest messages first, 50 by default, limited by limit', async () => {
    expect(await page({})).toEqual(range(29, 0));
    expect(await page({ limit: 10 })).toEqual(range(29, 20));
    expect(await page({ limit: 100 })).toEqual(range(29, 0));
    expect(await page({ limit: 1 })).toEqual(range(29, 29));
  });

  it('before: the messages just older than the cursor', async () => {
    expect(await page({ before: history[10]!.id, limit: 5 })).toEqual(range(9, 5));
    expect(await page({ before: history[3]!.id, limit: 10 })).toEqual(range(2, 0));
    expect(await page({ before: history[0]!.id })).toEqual([]);
    expect(await page({ before: history[29]!.id })).toEqual(range(28, 0));
  });

  it('after: the messages right after the cursor, still newest first', async () => {
    expect(await page({ after: history[10]!.id, limit: 5 })).toEqual(range(15, 11));
    expect(await page({ after: history[26]!.id, limit: 10 })).toEqual(range(29, 27));
    expect(await page({ after: history[29]!.id })).toEqual([]);
    expect(await page({ after: '1', limit: 3 })).toEqual(range(2, 0));
  });

  it('around: half before and half after, including the message itself', async () => {
    expect(await page({ around: history[15]!.id, limit: 5 })).toEqual(range(17, 13));
    expect(await page({ around: history[15]!.id, limit: 4 })).toEqual(range(16, 13));
    expect(await page({ around: history[15]!.id, limit: 1 })).toEqual(range(15, 15));
    expect(await page({ around: history[0]!.id, limit: 4 })).toEqual(range(1, 0));
    expect(await page({ around: history[29]!.id, limit: 4 })).toEqual(range(29, 27));
    // a cursor between two messages (not itself a message) centres on that point
    const between = String(BigInt(history[15]!.id) - 1n);
    expect(await page({ around: between, limit: 4 })).toEqual(range(16, 13));
  });

  it('rejects limits outside 1-100 and more than one cursor', async () => {
    const { channelId } = fx;
    const list = fx.a.client.messages.list;
    for (const input of [
      { channelId, limit: 0 },
      { channelId, limit: 101 },
      { channelId, limit: 2.5 },
      { channelId, before: history[5]!.id, after: history[1]!.id },
      { channelId, around: history[5]!.id, before: history[9]!.id },
      { channelId, around: history[5]!.id, after: history[1]!.id },
      { channelId, before: 'yesterday' },
    ]) {
      expect(await errorOf(list.query(input))).toMatchObject({ code: 'BAD_REQUEST', reason: 'INVALID_FORM_BODY' });
    }
  });

  it('requires authentication and hides the DM from non-recipients', async () => {
    expect(await errorOf(httpClient(app.url).messages.list.query({ channelId: fx.channelId }))).toMatchObject({ code: 'UNAUTHORIZED' });
    expect(await errorOf(fx.outsider.client.messages.list.query({ channelId: fx.channelId }))).toMatchObject({ code: 'NOT_FOUND', reason: 'UNKNOWN_CHANNEL' });
  });
});

describe('messages.get', () => {
  it('returns one message; unknown or other-channel messages are Unknown Message', async () => {
    const { a, b, outsider, channelId } = await dmFixture();
    const other = await dmFixture();
    const m = await a.client.messages.send.mutate({ channelId, content: 'find me' });
    const foreign = await other.a.client.messages.send.mutate({ channelId: other.channelId, content: 'not here' });
    expect(await b.client.messages.get.query({ channelId, messageId: m.id })).toEqual(m);
    for (const messageId of [foreign.id, '4242424242424242']) {
      expect(await errorOf(b.client.messages.get.query({ channelId, messageId }))).toMatchObject({ code: 'NOT_FOUND', reason: 'UNKNOWN_MESSAGE' });
    }
    expect(await errorOf(outsider.client.messages.get.query({ channelId, messageId: m.id }))).toMatchObject({ code: 'NOT_FOUND', reason: 'UNKNOWN_CHANNEL' });
    expect(await errorOf(b.client.messages.get.query({ channelId, messageId: 'x' }))).toMatchObject({ code: 'BAD_REQUEST', reason: 'INVALID_FORM_BODY' });
    expect(await errorOf(httpClient(app.url).messages.get.query({ channelId, messageId: m.id }))).toMatchObject({ code: 'UNAUTHORIZED' });
  });
});

describe('messages.edit', () => {
  it('lets the author edit: content changes, editedAt is set, MESSAGE_UPDATE is published', async () => {
    const { a, b, channelId } = await dmFixture();
    const m = await a.client.messages.send.mutate({ channelId, content: 'typo', nonce: 'keep' });
    const edited = await a.client.messages.edit.mutate({ channelId, messageId: m.id, content: 'fixed' });
    expect(edited).toMatchObject({ id: m.id, content: 'fixed', createdAt: m.createdAt, nonce: 'keep' });
    expect(edited.editedAt).not.toBeNull();
    expect(await b.client.messages.get.query({ channelId, messageId: m.id })).toEqual(edited);
    for (const user of [a, b]) {
      const events = await messageEvents(user, channelId, 'MESSAGE_UPDATE');
      expect(events.map((e) => e.data)).toEqual([edited]);
    }
  });

  it("refuses someone else's message, empty content, unknown messages, outsiders and anonymous callers", async () => {
    const { a, b, outsider, channelId } = await dmFixture();
    const m = await a.client.messages.send.mutate({ channelId, content: 'mine' });
    const ref = { channelId, messageId: m.id };
    expect(await errorOf(b.client.messages.edit.mutate({ ...ref, content: 'hijack' }))).toMatchObject({ code: 'FORBIDDEN', reason: 'NOT_AUTHOR' });
    expect(await errorOf(a.client.messages.edit.mutate({ ...ref, content: '  ' }))).toMatchObject({ code: 'BAD_REQUEST', reason: 'EMPTY_MESSAGE' });
    expect(await errorOf(a.client.messages.edit.mutate({ ...ref, content: 'q'.repeat(2001) }))).toMatchObject({ code: 'BAD_REQUEST', reason: 'INVALID_FORM_BODY' });
    expect(await errorOf(a.client.messages.edit.mutate({ channelId, messageId: '4242424242424242', content: 'x' }))).toMatchObject({
      code: 'NOT_FOUND',
      reason: 'UNKNOWN_MESSAGE',
    });
    expect(await errorOf(outsider.client.messages.edit.mutate({ ...ref, content: 'x' }))).toMatchObject({ code: 'NOT_FOUND', reason: 'UNKNOWN_CHANNEL' });
    expect(await errorOf(httpClient(app.url).messages.edit.mutate({ ...ref, content: 'x' }))).toMatchObject({ code: 'UNAUTHORIZED' });
    expect(await a.client.messages.get.query(ref)).toMatchObject({ content: 'mine', editedAt: null });
    expect(await messageEvents(a, channelId, 'MESSAGE_UPDATE')).toHaveLength(0);
  });
});

describe('messages.delete', () => {
  it('lets the author delete: the message is gone and MESSAGE_DELETE is published', async () => {
    const { a, b, channelId } = await dmFixture();
    const keep = await a.client.messages.send.mutate({ channelId, content: 'keep' });
    const m = await a.client.messages.send.mutate({ channelId, content: 'oops' });
    expect(await a.client.messages.delete.mutate({ channelId, messageId: m.id })).toEqual({ ok: true });
    expect(await errorOf(b.client.messages.get.query({ channelId, messageId: m.id }))).toMatchObject({ code: 'NOT_FOUND', reason: 'UNKNOWN_MESSAGE' });
    expect(ids(await b.client.messages.list.query({ channelId }))).toEqual([keep.id]);
    for (const user of [a, b]) {
      const events = await messageEvents(user, channelId, 'MESSAGE_DELETE');
      expect(events.map((e) => e.data)).toEqual([{ id: m.id, channelId, guildId: null }]);
    }
    expect(await errorOf(a.client.messages.delete.mutate({ channelId, messageId: m.id }))).toMatchObject({ code: 'NOT_FOUND', reason: 'UNKNOWN_MESSAGE' });
  });

  it("refuses the other recipient (no MANAGE_MESSAGES in DMs), outsiders and anonymous callers", async () => {
    const { a, b, outsider, channelId } = await dmFixture();
    const m = await a.client.messages.send.mutate({ channelId, content: 'stays' });
    const ref = { channelId, messageId: m.id };
    expect(await errorOf(b.client.messages.delete.mutate(ref))).toMatchObject({ code: 'FORBIDDEN', reason: 'MISSING_PERMISSIONS' });
    expect(await errorOf(outsider.client.messages.delete.mutate(ref))).toMatchObject({ code: 'NOT_FOUND', reason: 'UNKNOWN_CHANNEL' });
    expect(await errorOf(httpClient(app.url).messages.delete.mutate(ref))).toMatchObject({ code: 'UNAUTHORIZED' });
    expect(await errorOf(a.client.messages.delete.mutate({ channelId, messageId: '-1' }))).toMatchObject({ code: 'BAD_REQUEST', reason: 'INVALID_FORM_BODY' });
    expect(await a.client.messages.get.query(ref)).toEqual(m);
    expect(await messageEvents(a, channelId, 'MESSAGE_DELETE')).toHaveLength(0);
  });
});

describe('typing.start', () => {
  it('publishes TYPING_START to the recipients, excluding the typist', async () => {
    const { a, b, channelId } = await dmFixture();
    const before = Math.floor(Date.now() / 1000);
    expect(await a.client.typing.start.mutate({ channelId })).toEqual({ ok: true });
    const events = (await publishedToUser(app, b.id, 'TYPING_START')).filter((e) => e.channelId === channelId);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ exclude: [a.id], data: { channelId, guildId: null, userId: a.id } });
    const { timestamp } = events[0]!.data as { timestamp: number };
    expect(timestamp).toBeGreaterThanOrEqual(before);
    expect(timestamp).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000));
  });

  it('is rate limited per user and channel', async () => {
    const { a, b, channelId } = await dmFixture();
    const results = await Promise.allSettled(Array.from({ length: 12 }, () => a.client.typing.start.mutate({ channelId })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(10);
    const limited = await errorOf(a.client.typing.start.mutate({ channelId }));
    expect(limited).toMatchObject({ code: 'TOO_MANY_REQUESTS', reason: 'RATE_LIMITED' });
    // the other user in the same channel has their own bucket
    expect(await b.client.typing.start.mutate({ channelId })).toEqual({ ok: true });
    expect((await publishedToUser(app, b.id, 'TYPING_START')).filter((e) => e.channelId === channelId && (e.data as { userId: string }).userId === a.id)).toHaveLength(10);
  });

  it('refuses outsiders, anonymous callers and malformed ids', async () => {
    const { outsider, channelId } = await dmFixture();
    expect(await errorOf(outsider.client.typing.start.mutate({ channelId }))).toMatchObject({ code: 'NOT_FOUND', reason: 'UNKNOWN_CHANNEL' });
    expect(await errorOf(httpClient(app.url).typing.start.mutate({ channelId }))).toMatchObject({ code: 'UNAUTHORIZED' });
    expect(await errorOf(outsider.client.typing.start.mutate({ channelId: '' }))).toMatchObject({ code: 'BAD_REQUEST', reason: 'INVALID_FORM_BODY' });
  });
});

describe('in guild channels', () => {
  const P = Permissions;
  let g: GuildFixture;
  let member: TestUser;
  let moderator: TestUser;
  let stranger: TestUser;
  beforeAll(async () => {
    g = await createGuild(app.url, { memberCount: 2 });
    [member, moderator] = g.members as [TestUser, TestUser];
    stranger = await registerUser(app.url);
    await grantRole(g.owner, g.guild.id, [moderator], P.MANAGE_MESSAGES);
  });

  /** A new text channel of the guild, with optional changes applied by the owner. */
  async function textChannel(setup?: (channelId: string) => Promise<unknown>) {
    const c = await g.owner.client.channels.create.mutate({ guildId: g.guild.id, name: 'room' });
    await setup?.(c.id);
    return c.id;
  }
  const denyEveryone = (channelId: string, deny: bigint) =>
    g.owner.client.channels.setOverwrite.mutate({ channelId, targetId: g.guild.id, type: 0, deny: String(deny) });

  it('publishes MESSAGE_CREATE and TYPING_START to the guild topic with guildId and channelId', async () => {
    const channelId = g.generalId;
    const m = await member.client.messages.send.mutate({ channelId, content: 'hi guild' });
    expect(m).toMatchObject({ guildId: g.guild.id, channelId });
    const created = (await publishedToGuild(app, g.guild.id, 'MESSAGE_CREATE')).filter((e) => (e.data as Message).id === m.id);
    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({ guildId: g.guild.id, channelId, data: m });
    expect(await member.client.typing.start.mutate({ channelId })).toEqual({ ok: true });
    const typing = (await publishedToGuild(app, g.guild.id, 'TYPING_START')).filter((e) => (e.data as { userId: string }).userId === member.id);
    expect(typing).toHaveLength(1);
    expect(typing[0]).toMatchObject({ guildId: g.guild.id, channelId, exclude: [member.id], data: { channelId, guildId: g.guild.id, userId: member.id } });
  });

  it('hides the channel from non-members as Unknown Channel for every procedure', async () => {
    const channelId = g.generalId;
    const m = await member.client.messages.send.mutate({ channelId, content: 'members only' });
    const ref = { channelId, messageId: m.id };
    const { messages, typing } = stranger.client;
    const calls = [
      () => messages.list.query({ channelId }),
      () => messages.get.query(ref),
      () => messages.send.mutate({ channelId, content: 'let me in' }),
      () => messages.edit.mutate({ ...ref, content: 'x' }),
      () => messages.delete.mutate(ref),
      () => typing.start.mutate({ channelId }),
    ];
    for (const call of calls) expect(await errorOf(call())).toMatchObject({ code: 'NOT_FOUND', reason: 'UNKNOWN_CHANNEL' });
  });

  it('a member without VIEW_CHANNEL gets Missing Access', async () => {
    const channelId = await textChannel((id) => denyEveryone(id, P.VIEW_CHANNEL));
    for (const call of [
      () => member.client.messages.list.query({ channelId }),
      () => member.client.messages.send.mutate({ channelId, content: 'hidden' }),
      () => member.client.typing.start.mutate({ channelId }),
    ]) {
      expect(await errorOf(call())).toMatchObject({ code: 'FORBIDDEN', reason: 'MISSING_ACCESS' });
    }
  });

  it('a member without SEND_MESSAGES cannot send or type, and nothing is stored', async () => {
    const channelId = await textChannel((id) => denyEveryone(id, P.SEND_MESSAGES));
    expect(await errorOf(member.client.messages.send.mutate({ channelId, content: 'muted' }))).toMatchObject({ code: 'FORBIDDEN', reason: 'MISSING_PERMISSIONS' });
    expect(await errorOf(member.client.typing.start.mutate({ channelId }))).toMatchObject({ code: 'FORBIDDEN', reason: 'MISSING_PERMISSIONS' });
    expect(await member.client.messages.list.query({ channelId })).toEqual([]);
    // the owner is not affected by overwrites
    const ownMessage = await g.owner.client.messages.send.mutate({ channelId, content: 'announcement' });
    expect(ids(await member.client.messages.list.query({ channelId }))).toEqual([ownMessage.id]);
  });

  it('without READ_MESSAGE_HISTORY the history is empty and single messages are forbidden', async () => {
    const channelId = await textChannel((id) => denyEveryone(id, P.READ_MESSAGE_HISTORY));
    const m = await member.client.messages.send.mutate({ channelId, content: 'write-only' });
    expect(await member.client.messages.list.query({ channelId })).toEqual([]);
    expect(await errorOf(member.client.messages.get.query({ channelId, messageId: m.id }))).toMatchObject({ code: 'FORBIDDEN', reason: 'MISSING_PERMISSIONS' });
    expect(ids(await g.owner.client.messages.list.query({ channelId }))).toEqual([m.id]);
  });

  it('refuses to send into voice and category channels', async () => {
    for (const type of [2, 4] as const) {
      const c = await g.owner.client.channels.create.mutate({ guildId: g.guild.id, name: `not-text-${type}`, type });
      expect(await errorOf(g.owner.client.messages.send.mutate({ channelId: c.id, content: 'hello?' }))).toMatchObject({
        code: 'BAD_REQUEST',
        reason: 'NOT_TEXT_CHANNEL',
      });
      expect(await app.deps.db.message.count({ where: { channelId: BigInt(c.id) } })).toBe(0);
    }
  });

  it('slowmode limits each member per channel; MANAGE_MESSAGES and the owner bypass it', async () => {
    const channelId = await textChannel((id) => g.owner.client.channels.update.mutate({ channelId: id, rateLimitPerUser: 30 }));
    const first = await member.client.messages.send.mutate({ channelId, content: 'first' });
    const slowed = await member.client.messages.send.mutate({ channelId, content: 'second' }).catch((e) => e.data);
    expect(slowed).toMatchObject({ code: 'TOO_MANY_REQUESTS', reason: 'SLOWMODE' });
    expect(slowed.retryAfter).toBeGreaterThan(0);
    expect(slowed.retryAfter).toBeLessThanOrEqual(30);
    // other channels are not slowed, and a rejected send leaves nothing behind
    await member.client.messages.send.mutate({ channelId: g.generalId, content: 'elsewhere' });
    expect(ids(await member.client.messages.list.query({ channelId }))).toEqual([first.id]);
    for (const exempt of [moderator, g.owner]) {
      for (let i = 0; i < 3; i++) await exempt.client.messages.send.mutate({ channelId, content: `exempt ${i}` });
    }
    expect(await member.client.messages.list.query({ channelId })).toHaveLength(7);
  });

  it("MANAGE_MESSAGES lets a moderator delete others' messages, but not edit them", async () => {
    const channelId = g.generalId;
    const m = await member.client.messages.send.mutate({ channelId, content: 'moderate me' });
    const ref = { channelId, messageId: m.id };
    const modMessage = await moderator.client.messages.send.mutate({ channelId, content: 'by a moderator' });
    expect(await errorOf(member.client.messages.delete.mutate({ channelId, messageId: modMessage.id }))).toMatchObject({ code: 'FORBIDDEN', reason: 'MISSING_PERMISSIONS' });
    expect(await errorOf(moderator.client.messages.edit.mutate({ ...ref, content: 'censored' }))).toMatchObject({ code: 'FORBIDDEN', reason: 'NOT_AUTHOR' });
    expect(await moderator.client.messages.delete.mutate(ref)).toEqual({ ok: true });
    const deleted = (await publishedToGuild(app, g.guild.id, 'MESSAGE_DELETE')).filter((e) => (e.data as { id: string }).id === m.id);
    expect(deleted).toHaveLength(1);
    expect(deleted[0]).toMatchObject({ guildId: g.guild.id, channelId, data: { id: m.id, channelId, guildId: g.guild.id } });
  });
});
