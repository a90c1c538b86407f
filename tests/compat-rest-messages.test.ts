// Discord REST: messages (send, reply, read, history cursors, edit, delete), typing, and their
// Discord error codes.
import { MessageType } from 'discord-api-types/v10';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { TestUser } from './helpers/clients.js';
import { errorFields, expectError, expectShape, fieldCodes, messageShape, rateLimitShape, startDiscordGuild, type DiscordApi } from './helpers/compat-rest.js';
import type { GuildFixture } from './helpers/guilds.js';

const SEND_MESSAGES = 1n << 11n;
const UNKNOWN = '1234567890123';

let fx: GuildFixture, memberUser: TestUser, owner: DiscordApi, member: DiscordApi, outsider: DiscordApi;
beforeAll(async () => {
  ({ fx, memberUser, owner, member, outsider } = await startDiscordGuild(1));
});


async function newChannel(name = 'chat') {
  return ((await owner('POST', `/guilds/${fx.guild.id}/channels`, { name })).body as { id: string }).id;
}

async function send(api: DiscordApi, channelId: string, body: object) {
  const res = await api('POST', `/channels/${channelId}/messages`, body);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return expectShape(messageShape, res.body);
}

describe('sending and reading', () => {
  it('POST /channels/:id/messages returns the message, echoing the nonce', async () => {
    const m = await send(member, fx.generalId, { content: 'hello <@' + fx.owner.id + '>', nonce: 'n-1', tts: false, allowed_mentions: { parse: [] } });
    expect(m).toMatchObject({
      channel_id: fx.generalId,
      content: `hello <@${fx.owner.id}>`,
      author: { id: memberUser.id, username: memberUser.username },
      type: MessageType.Default,
      nonce: 'n-1',
      edited_timestamp: null,
      tts: false,
      pinned: false,
      attachments: [],
      embeds: [],
    });
    expect(Date.now() - Date.parse(m.timestamp)).toBeLessThan(60_000);
    expect(m.nonce).toBe('n-1');
    expect((await send(member, fx.generalId, { content: 'numeric nonce', nonce: 12345 })).nonce).toBe('12345');

    const fetched = await owner('GET', `/channels/${fx.generalId}/messages/${m.id}`);
    expect(expectShape(messageShape, fetched.body)).toMatchObject({ id: m.id, content: m.content, author: { id: memberUser.id } });
  });

  it('a message_reference makes a reply', async () => {
    const parent = await send(owner, fx.generalId, { content: 'question?' });
    const reply = await send(member, fx.generalId, { content: 'answer', message_reference: { message_id: parent.id, fail_if_not_exists: true } });
    expect(reply).toMatchObject({ type: MessageType.Reply, message_reference: { message_id: parent.id, channel_id: fx.generalId, guild_id: fx.guild.id } });
    const bad = expectError(await member('POST', `/channels/${fx.generalId}/messages`, { content: 'x', message_reference: { message_id: 'nope' } }), 400, 50035);
    expect(Object.keys(errorFields(bad.errors))).toEqual(['message_reference.message_id']);
  });

  it('GET /channels/:id/messages: newest first, limit, before, after, around', async () => {
    const channelId = await newChannel('history');
    const sent = [];
    for (let i = 0; i < 7; i++) sent.push(await send(owner, channelId, { content: `m${i}` }));
    const ids = sent.map((m) => m.id);
    const list = async (q: string) => expectShape(z.array(messageShape), (await member('GET', `/channels/${channelId}/messages${q}`)).body).map((m) => m.id);

    expect(await list('')).toEqual([...ids].reverse());
    expect(await list('?limit=3')).toEqual([ids[6], ids[5], ids[4]]);
    expect(await list(`?before=${ids[3]}&limit=2`)).toEqual([ids[2], ids[1]]);
    expect(await list(`?after=${ids[3]}`)).toEqual([ids[6], ids[5], ids[4]]);
    const around = await list(`?around=${ids[3]}&limit=3`);
    expect(around).toHaveLength(3);
    expect(around).toContain(ids[3]);

    expect(fieldCodes(expectError(await member('GET', `/channels/${channelId}/messages?limit=101`), 400, 50035).errors, 'limit')).toEqual(['NUMBER_TYPE_MAX']);
    expect(Object.keys(expectError(await member('GET', `/channels/${channelId}/messages?before=${ids[1]}&after=${ids[0]}`), 400, 50035).errors as object)).toEqual([
      'around',
    ]);
  });
});

describe('editing and deleting', () => {
  it('PATCH edits the author\'s own message; DELETE answers 204', async () => {
    const m = await send(member, fx.generalId, { content: 'draft' });
    const edited = await member('PATCH', `/channels/${fx.generalId}/messages/${m.id}`, { content: 'final' });
    const e = expectShape(messageShape, edited.body);
    expect(e).toMatchObject({ id: m.id, content: 'final' });
    expect(e.edited_timestamp).not.toBeNull();
    expectError(await owner('PATCH', `/channels/${fx.generalId}/messages/${m.id}`, { content: 'not yours' }), 403, 50005);

    expect(await member('DELETE', `/channels/${fx.generalId}/messages/${m.id}`)).toMatchObject({ status: 204, body: undefined });
    expectError(await member('GET', `/channels/${fx.generalId}/messages/${m.id}`), 404, 10008);
    expectError(await member('PATCH', `/channels/${fx.generalId}/messages/${m.id}`, { content: 'again' }), 404, 10008);
    expectError(await member('DELETE', `/channels/${fx.generalId}/messages/${m.id}`), 404, 10008);
  });

  it('deleting someone else\'s message needs MANAGE_MESSAGES', async () => {
    const m = await send(owner, fx.generalId, { content: 'owner says' });
    expectError(await member('DELETE', `/channels/${fx.generalId}/messages/${m.id}`), 403, 50013);
    const byMember = await send(member, fx.generalId, { content: 'member says' });
    expect((await owner('DELETE', `/channels/${fx.generalId}/messages/${byMember.id}`)).status).toBe(204);
  });
});

describe('message errors', () => {
  it('maps each failure to Discord\'s code', async () => {
    const readOnly = await newChannel('read-only');
    await owner('PUT', `/channels/${readOnly}/permissions/${fx.guild.id}`, { type: 0, allow: '0', deny: String(SEND_MESSAGES) });
    const category = ((await owner('POST', `/guilds/${fx.guild.id}/channels`, { name: 'cat', type: 4 })).body as { id: string }).id;
    const cases: [string, DiscordApi, string, string, object | undefined, number, number][] = [
      ['empty content', member, 'POST', `/channels/${fx.generalId}/messages`, { content: '' }, 400, 50006],
      ['neither content nor embeds', member, 'POST', `/channels/${fx.generalId}/messages`, { embeds: [] }, 400, 50006],
      ['no content at all', member, 'POST', `/channels/${fx.generalId}/messages`, { tts: false }, 400, 50006],
      // components are not supported yet: refused as a field rather than taken for an empty message
      ['components only', member, 'POST', `/channels/${fx.generalId}/messages`, { components: [{ type: 1, components: [] }] }, 400, 50035],
      ['too long', member, 'POST', `/channels/${fx.generalId}/messages`, { content: 'x'.repeat(2001) }, 400, 50035],
      ['missing SEND_MESSAGES', member, 'POST', `/channels/${readOnly}/messages`, { content: 'hi' }, 403, 50013],
      ['non-text channel', owner, 'POST', `/channels/${category}/messages`, { content: 'hi' }, 400, 50008],
      ['unknown channel', member, 'POST', `/channels/${UNKNOWN}/messages`, { content: 'hi' }, 404, 10003],
      ['not a member', outsider, 'POST', `/channels/${fx.generalId}/messages`, { content: 'hi' }, 404, 10003],
      ['history of an unknown channel', member, 'GET', `/channels/${UNKNOWN}/messages`, undefined, 404, 10003],
      ['unknown message', member, 'GET', `/channels/${fx.generalId}/messages/${UNKNOWN}`, undefined, 404, 10008],
      // every edit field is optional now (content, embeds, flags change independently)
      ['edit of an unknown message', member, 'PATCH', `/channels/${fx.generalId}/messages/${UNKNOWN}`, {}, 404, 10008],
      ['edit with content of the wrong type', member, 'PATCH', `/channels/${fx.generalId}/messages/${UNKNOWN}`, { content: 5 }, 400, 50035],
    ];
    for (const [name, api, method, path, body, status, code] of cases) {
      const res = await api(method, path, body);
      expect({ name, status: res.status, code: (res.body as { code: number }).code }).toEqual({ name, status, code });
      expectError(res, status, code);
    }
    const long = expectError(await member('POST', `/channels/${fx.generalId}/messages`, { content: 'x'.repeat(2001) }), 400, 50035);
    expect(long.errors).toEqual({ content: { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 2000 or fewer in length.' }] } });
    const nonce = expectError(await member('POST', `/channels/${fx.generalId}/messages`, { content: 'x', nonce: 'n'.repeat(26) }), 400, 50035);
    expect(fieldCodes(nonce.errors, 'nonce')).toEqual(['BASE_TYPE_MAX_LENGTH']);
  });
});

describe('slowmode', () => {
  it('a second message within rate_limit_per_user is a 429 with code 20016; moderators are exempt', async () => {
    const channelId = ((await owner('POST', `/guilds/${fx.guild.id}/channels`, { name: 'slow', rate_limit_per_user: 60 })).body as { id: string }).id;
    await send(member, channelId, { content: 'first' });
    const second = await member('POST', `/channels/${channelId}/messages`, { content: 'second' });
    expect(second.status).toBe(429);
    const body = expectShape(rateLimitShape.extend({ code: z.literal(20016) }), second.body);
    expect(body.retry_after).toBeGreaterThan(50);
    expect(Number(second.headers.get('retry-after'))).toBeGreaterThan(50);
    expect(second.headers.get('x-ratelimit-remaining')).toBe('0');
    await send(owner, channelId, { content: 'owner 1' });
    await send(owner, channelId, { content: 'owner 2' });
  });
});

describe('typing and DMs', () => {
  it('POST /channels/:id/typing answers 204 with no body', async () => {
    expect(await member('POST', `/channels/${fx.generalId}/typing`)).toMatchObject({ status: 204, body: undefined });
    expectError(await member('POST', `/channels/${UNKNOWN}/typing`), 404, 10003);
    expectError(await outsider('POST', `/channels/${fx.generalId}/typing`), 404, 10003);
  });

  it('messages work in DM channels', async () => {
    const dm = (await member('POST', '/users/@me/channels', { recipient_id: fx.owner.id })).body as { id: string };
    const m = await send(member, dm.id, { content: 'psst' });
    expect(m.channel_id).toBe(dm.id);
    const history = expectShape(z.array(messageShape), (await owner('GET', `/channels/${dm.id}/messages`)).body);
    expect(history.map((x) => x.id)).toEqual([m.id]);
    expectError(await outsider('GET', `/channels/${dm.id}/messages`), 404, 10003);
  });
});
