// Discord REST: rich messages — embeds (limits, edits, SUPPRESS_EMBEDS), replies (message_reference,
// referenced_message), mentions (users with member, roles, @everyone, allowed_mentions), and the
// gateway's MESSAGE_CREATE for them (content hidden without MESSAGE_CONTENT unless mentioned).
import { MessageType } from 'discord-api-types/v10';
import { beforeAll, describe, expect, it } from 'vitest';
import { Permissions } from '../shared/permissions.js';
import type { App } from '../server/app.js';
import type { TestUser } from './helpers/clients.js';
import { discordApi, errorFields, expectError, expectShape, messageShape, startDiscordGuild, type DiscordApi } from './helpers/compat-rest.js';
import { connectGateway } from './helpers/gateway.js';
import type { GuildFixture } from './helpers/guilds.js';

let app: App, fx: GuildFixture, memberUser: TestUser, owner: DiscordApi, member: DiscordApi;
beforeAll(async () => {
  ({ app, fx, memberUser, owner, member } = await startDiscordGuild(2));
});

async function send(api: DiscordApi, body: object, channelId = fx.generalId) {
  const res = await api('POST', `/channels/${channelId}/messages`, body);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return expectShape(messageShape, res.body);
}

async function edit(api: DiscordApi, messageId: string, body: object) {
  const res = await api('PATCH', `/channels/${fx.generalId}/messages/${messageId}`, body);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return expectShape(messageShape, res.body);
}

const count = () => app.deps.db.message.count({ where: { channelId: BigInt(fx.generalId) } });

const EMBED = {
  title: 'Status',
  description: 'All systems go',
  url: 'https://example.com/status',
  timestamp: '2026-01-02T03:04:05.000Z',
  color: 0x00ff00,
  footer: { text: 'footer', icon_url: 'https://example.com/f.png' },
  image: { url: 'https://example.com/i.png' },
  thumbnail: { url: 'https://example.com/t.png' },
  author: { name: 'Bot', url: 'https://example.com', icon_url: 'https://example.com/a.png' },
  fields: [
    { name: 'a', value: '1', inline: true },
    { name: 'b', value: '2' },
  ],
};

describe('embeds', () => {
  it('a message may be only embeds; they come back in Discord shape from POST and GET', async () => {
    const m = await send(member, { embeds: [EMBED] });
    expect(m.content).toBe('');
    expect(m.embeds).toEqual([{ type: 'rich', ...EMBED }]);
    const fetched = expectShape(messageShape, (await owner('GET', `/channels/${fx.generalId}/messages/${m.id}`)).body);
    expect(fetched.embeds).toEqual(m.embeds);
  });

  it('refuses bad embeds with 50035 naming the failing field, storing nothing', async () => {
    const before = await count();
    const big = (n: number) => 'x'.repeat(n);
    const cases: [unknown, string, string][] = [
      [Array.from({ length: 11 }, () => ({ title: 't' })), 'embeds', 'BASE_TYPE_MAX_LENGTH'],
      [[{ title: big(257) }], 'embeds.0.title', 'BASE_TYPE_MAX_LENGTH'],
      [[{ description: big(4097) }], 'embeds.0.description', 'BASE_TYPE_MAX_LENGTH'],
      [[{ color: 0x1000000 }], 'embeds.0.color', 'NUMBER_TYPE_MAX'],
      [[{ color: -1 }], 'embeds.0.color', 'NUMBER_TYPE_MIN'],
      [[{ color: '#ff0000' }], 'embeds.0.color', 'BASE_TYPE_INVALID'],
      [[{ footer: {} }], 'embeds.0.footer.text', 'BASE_TYPE_REQUIRED'],
      [[{ footer: { text: 'f', icon_url: 'javascript:alert(1)' } }], 'embeds.0.footer.icon_url', 'URL_TYPE_INVALID_URL'],
      [[{ fields: Array.from({ length: 26 }, () => ({ name: 'n', value: 'v' })) }], 'embeds.0.fields', 'BASE_TYPE_MAX_LENGTH'],
      [[{ fields: [{ name: 'n', value: big(1025) }] }], 'embeds.0.fields.0.value', 'BASE_TYPE_MAX_LENGTH'],
      [[{ description: big(4000) }, { description: big(2001) }], 'embeds', 'MAX_EMBED_SIZE_EXCEEDED'],
    ];
    for (const [embeds, field, code] of cases) {
      const err = expectError(await member('POST', `/channels/${fx.generalId}/messages`, { content: 'x', embeds }), 400, 50035);
      expect(errorFields(err.errors), JSON.stringify(embeds).slice(0, 100)).toEqual({ [field]: [code] });
    }
    // exactly at the limits is fine
    await send(member, { embeds: [{ description: big(4000) }, { description: big(2000) }] });
    expect(await count()).toBe(before + 1);
  });

  it('a message with neither content nor embeds is 50006', async () => {
    for (const body of [{}, { content: '' }, { content: '', embeds: [] }, { content: null, embeds: null }]) {
      expectError(await member('POST', `/channels/${fx.generalId}/messages`, body), 400, 50006);
    }
  });

  it('edits change content, embeds and flags independently; edited_timestamp set by content and embed edits', async () => {
    const m = await send(member, { content: 'text', embeds: [{ title: 'one' }] });
    const embedsOnly = await edit(member, m.id, { embeds: [{ title: 'two' }] });
    expect(embedsOnly).toMatchObject({ content: 'text', embeds: [{ title: 'two' }] });
    expect(embedsOnly.edited_timestamp).not.toBeNull();
    expect(await edit(member, m.id, { content: 'new text' })).toMatchObject({ content: 'new text', embeds: [{ title: 'two' }] });
    expect(await edit(member, m.id, { flags: 1 << 2 })).toMatchObject({ content: 'new text', embeds: [{ title: 'two' }], flags: 1 << 2 });
    expect(await edit(member, m.id, { embeds: [] })).toMatchObject({ content: 'new text', embeds: [], flags: 1 << 2 });
    // clearing the content too would leave an empty message
    expectError(await member('PATCH', `/channels/${fx.generalId}/messages/${m.id}`, { content: null }), 400, 50006);
  });

  it('a failing embed edit changes nothing; moderators may only suppress embeds', async () => {
    const m = await send(member, { content: 'keep', embeds: [{ title: 'keep' }] });
    expectError(await member('PATCH', `/channels/${fx.generalId}/messages/${m.id}`, { content: 'lost', embeds: [{ color: 'red' }] }), 400, 50035);
    expectError(await owner('PATCH', `/channels/${fx.generalId}/messages/${m.id}`, { content: 'hijack' }), 403, 50005);
    const other = discordApi(app.url, fx.members[1]!.accessToken);
    expectError(await other('PATCH', `/channels/${fx.generalId}/messages/${m.id}`, { flags: 1 << 2 }), 403, 50013);
    const suppressed = await edit(owner, m.id, { flags: 1 << 2 });
    expect(suppressed).toMatchObject({ content: 'keep', embeds: [{ title: 'keep' }], flags: 1 << 2, edited_timestamp: null });
  });
});

describe('replies', () => {
  it('type 19 with referenced_message in POST, GET and history; null once the original is deleted', async () => {
    const original = await send(owner, { content: 'question?', embeds: [{ title: 'q' }] });
    const reply = await send(member, { content: 'answer', message_reference: { message_id: original.id } });
    expect(reply).toMatchObject({
      type: MessageType.Reply,
      message_reference: { message_id: original.id, channel_id: fx.generalId, guild_id: fx.guild.id },
      referenced_message: { id: original.id, content: 'question?', embeds: [{ title: 'q' }], author: { id: fx.owner.id } },
    });
    const history = (await member('GET', `/channels/${fx.generalId}/messages?limit=5`)).body as unknown[];
    expect(history.map((m) => expectShape(messageShape, m)).find((m) => m.id === reply.id)?.referenced_message?.id).toBe(original.id);

    expect((await owner('DELETE', `/channels/${fx.generalId}/messages/${original.id}`)).status).toBe(204);
    const after = expectShape(messageShape, (await member('GET', `/channels/${fx.generalId}/messages/${reply.id}`)).body);
    expect(after).toMatchObject({ type: MessageType.Reply, message_reference: { message_id: original.id }, referenced_message: null });
  });

  it('refuses unknown, other-channel and unreadable originals (50035 message_reference); fail_if_not_exists false sends a plain message', async () => {
    const other = ((await owner('POST', `/guilds/${fx.guild.id}/channels`, { name: 'elsewhere' })).body as { id: string }).id;
    const elsewhere = await send(owner, { content: 'elsewhere' }, other);
    const before = await count();
    for (const ref of [{ message_id: '1234567890123' }, { message_id: elsewhere.id }, { message_id: elsewhere.id, channel_id: other }]) {
      const err = expectError(await member('POST', `/channels/${fx.generalId}/messages`, { content: 'x', message_reference: ref }), 400, 50035);
      expect(errorFields(err.errors)).toEqual({ message_reference: ['MESSAGE_REFERENCE_UNKNOWN_MESSAGE'] });
    }
    expect(await count()).toBe(before);
    const plain = await send(member, { content: 'plain', message_reference: { message_id: '1234567890123', fail_if_not_exists: false } });
    expect(plain.type).toBe(MessageType.Default);
    expect(plain.message_reference).toBeUndefined();

    // a member who cannot read the history cannot reply to it
    const original = await send(owner, { content: 'hidden history' });
    await owner('PUT', `/channels/${fx.generalId}/permissions/${memberUser.id}`, { type: 1, allow: '0', deny: String(Permissions.READ_MESSAGE_HISTORY) });
    try {
      expectError(await member('POST', `/channels/${fx.generalId}/messages`, { content: 'x', message_reference: { message_id: original.id } }), 400, 50035);
    } finally {
      await owner('DELETE', `/channels/${fx.generalId}/permissions/${memberUser.id}`);
    }
  });

  it("pings the original's author unless allowed_mentions.replied_user is false", async () => {
    const original = await send(owner, { content: 'ping me' });
    const pinged = await send(member, { content: 'reply', message_reference: { message_id: original.id } });
    expect(pinged.mentions.map((u) => u.id)).toEqual([fx.owner.id]);
    const quiet = await send(member, { content: 'reply', message_reference: { message_id: original.id }, allowed_mentions: { parse: [], replied_user: false } });
    expect(quiet.mentions).toEqual([]);
    const explicit = await send(member, { content: 'reply', message_reference: { message_id: original.id }, allowed_mentions: { replied_user: true } });
    expect(explicit.mentions.map((u) => u.id)).toEqual([fx.owner.id]);
  });
});

describe('mentions', () => {
  it('users (<@id>, <@!id>) with their member object; unknown ids dropped; allowed_mentions narrows', async () => {
    const [a, b] = fx.members as [TestUser, TestUser];
    const m = await send(owner, { content: `hi <@${a.id}> and <@!${b.id}> and <@1234567890123> and <@${a.id}>` });
    expect(m.mentions.map((u) => u.id)).toEqual([a.id, b.id]);
    expect(m.mentions[0]).toMatchObject({ id: a.id, username: a.username, member: { roles: [], nick: null } });
    expect((await send(owner, { content: `<@${a.id}> <@${b.id}>`, allowed_mentions: { users: [b.id] } })).mentions.map((u) => u.id)).toEqual([b.id]);
    expect((await send(owner, { content: `<@${a.id}>`, allowed_mentions: { parse: [] } })).mentions).toEqual([]);
    const both = expectError(await owner('POST', `/channels/${fx.generalId}/messages`, { content: 'x', allowed_mentions: { parse: ['users'], users: [a.id] } }), 400, 50035);
    expect(Object.keys(errorFields(both.errors))).toEqual(['allowed_mentions.parse']);
    // stored: history shows the same mentions
    const fetched = expectShape(messageShape, (await member('GET', `/channels/${fx.generalId}/messages/${m.id}`)).body);
    expect(fetched.mentions).toEqual(m.mentions);
  });

  it('roles only when mentionable or the author may mention everyone; @everyone only with MENTION_EVERYONE', async () => {
    const quiet = (await owner('POST', `/guilds/${fx.guild.id}/roles`, { name: 'quiet', mentionable: false })).body as { id: string };
    const loud = (await owner('POST', `/guilds/${fx.guild.id}/roles`, { name: 'loud', mentionable: true })).body as { id: string };
    const content = `<@&${quiet.id}> <@&${loud.id}> <@&1234567890123> @everyone`;
    expect(await send(owner, { content })).toMatchObject({ mention_roles: [quiet.id, loud.id], mention_everyone: true });
    expect(await send(owner, { content, allowed_mentions: { parse: ['users'] } })).toMatchObject({ mention_roles: [], mention_everyone: false });
    expect(await send(owner, { content, allowed_mentions: { roles: [loud.id] } })).toMatchObject({ mention_roles: [loud.id], mention_everyone: false });

    // the member's @everyone role loses MENTION_EVERYONE
    const everyone = ((await owner('GET', `/guilds/${fx.guild.id}/roles`)).body as { id: string; permissions: string }[]).find((r) => r.id === fx.guild.id)!;
    const without = BigInt(everyone.permissions) & ~Permissions.MENTION_EVERYONE;
    await owner('PATCH', `/guilds/${fx.guild.id}/roles/${fx.guild.id}`, { permissions: String(without) });
    try {
      expect(await send(member, { content })).toMatchObject({ mention_roles: [loud.id], mention_everyone: false });
    } finally {
      await owner('PATCH', `/guilds/${fx.guild.id}/roles/${fx.guild.id}`, { permissions: everyone.permissions });
    }
    expect(await send(member, { content: '@here' })).toMatchObject({ mention_everyone: true });
  });

  it('an edit re-decides the mentions from the new content', async () => {
    const a = fx.members[0]!;
    const m = await send(owner, { content: 'nobody' });
    expect((await edit(owner, m.id, { content: `now <@${a.id}>` })).mentions.map((u) => u.id)).toEqual([a.id]);
    expect((await edit(owner, m.id, { embeds: [{ title: 't' }] })).mentions.map((u) => u.id)).toEqual([a.id]);
  });
});

describe('gateway MESSAGE_CREATE', () => {
  it('carries embeds, mentions and referenced_message; without MESSAGE_CONTENT they are hidden unless the viewer is mentioned', async () => {
    const GUILDS_AND_MESSAGES = (1 << 0) | (1 << 9);
    const g = await connectGateway(app.url);
    await g.identify(memberUser.accessToken, GUILDS_AND_MESSAGES);
    const original = await send(owner, { content: 'secret', embeds: [{ title: 'secret' }] });
    const hidden = await g.dispatch('MESSAGE_CREATE', (d) => d.id === original.id);
    expect(hidden.d).toMatchObject({ content: '', embeds: [], guild_id: fx.guild.id });

    const reply = await send(owner, { content: `for <@${memberUser.id}>`, embeds: [{ title: 'shown' }], message_reference: { message_id: original.id } });
    const shown = await g.dispatch('MESSAGE_CREATE', (d) => d.id === reply.id);
    expect(shown.d).toMatchObject({
      content: `for <@${memberUser.id}>`,
      embeds: [{ type: 'rich', title: 'shown' }],
      mentions: [{ id: memberUser.id, member: { roles: [] } }],
      type: MessageType.Reply,
      referenced_message: { id: original.id, author: { id: fx.owner.id } },
    });
    expectShape(messageShape, shown.d);
  });
});
