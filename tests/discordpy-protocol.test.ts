// What discord.py sends, byte for byte where it matters: snowflakes as JSON integers (op 8, REST
// bodies), its op 3 and IDENTIFY presence, its login's GET /oauth2/applications/@me, and RESUME after
// an op 7 and after closing with 4000 (discord.py's own close code when it reconnects), where it
// writes into RESUMED's `d`. Also: Discord fields this server does not store are refused, not dropped.
import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../server/app.js';
import { loadConfig } from '../server/config.js';
import { startServer } from '../server/main.js';
import { addBotToGuild } from './helpers/bots.js';
import { registerUser, uniqueName, type TestUser } from './helpers/clients.js';
import { discordApi, expectError, fieldCodes, type DiscordApi } from './helpers/compat-rest.js';
import { connectGateway, type GatewayPayload, type RawGateway } from './helpers/gateway.js';
import { hasRedis, startTestServer, testEnv } from './helpers/server.js';

// discord.py's default intents plus members and message content
const INTENTS = 0b1111111111111111;

let app: App;
let owner: TestUser;
let member: TestUser;
let guildId: string;
let channelId: string;
let bot: { id: string; token: string };
let botApi: DiscordApi;

beforeAll(async () => {
  app = await startTestServer({ GATEWAY_HEARTBEAT_INTERVAL_MS: '20000' });
  [owner, member] = await Promise.all([registerUser(app.url), registerUser(app.url)]);
  const g = await owner.client.guilds.create.mutate({ name: 'discord.py guild' });
  guildId = g.id;
  channelId = g.systemChannelId!;
  const inv = await owner.client.invites.create.mutate({ channelId });
  await member.client.invites.accept.mutate({ code: inv.code });
  const created = await owner.client.auth.createBot.mutate({ username: uniqueName('dpy') });
  bot = { id: created.bot.id, token: created.token };
  await addBotToGuild(owner.client, bot.id, guildId);
  botApi = discordApi(app.url, bot.token);
});

/** discord.py's IDENTIFY: integer intents, its properties, and a presence whose status is null when only an activity was set. */
function identifyAsDiscordPy(gw: RawGateway) {
  gw.sendText(
    JSON.stringify({
      op: 2,
      d: {
        token: bot.token,
        properties: { os: 'linux', browser: 'discord.py', device: 'discord.py' },
        compress: true,
        large_threshold: 250,
        presence: { status: null, game: { name: 'testing', type: 0 }, since: 0, afk: false },
        intents: INTENTS,
      },
    }),
  );
  return gw.dispatch('READY');
}

async function botSession(url = app.url) {
  const gw = await connectGateway(url);
  await gw.next((p) => p.op === 10);
  const ready = await identifyAsDiscordPy(gw);
  await gw.dispatch('GUILD_CREATE', (d) => d.id === guildId);
  return { gw, ready };
}

/** discord.py's RESUME; expects RESUMED and returns it. */
async function resumeAsDiscordPy(url: string, sessionId: string, seq: number): Promise<{ gw: RawGateway; resumed: GatewayPayload }> {
  const gw = await connectGateway(url);
  await gw.next((p) => p.op === 10);
  gw.sendText(`{"op":6,"d":{"seq":${seq},"session_id":"${sessionId}","token":"${bot.token}"}}`);
  return { gw, resumed: await gw.dispatch('RESUMED') };
}

const lastSeq = (gw: RawGateway) => Math.max(...gw.received.map((p) => p.s ?? 0));

describe('login as discord.py does it', () => {
  it('GET /oauth2/applications/@me answers the bot token with its application in Discord shape', async () => {
    const res = await botApi('GET', '/oauth2/applications/@me');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: bot.id,
      name: expect.any(String),
      icon: null,
      description: '',
      summary: '',
      bot_public: true,
      bot_require_code_grant: false,
      team: null,
      flags: 0,
      owner: { id: owner.id, username: owner.username },
      bot: { id: bot.id, bot: true },
      verify_key: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect((await botApi('GET', '/applications/@me')).body).toEqual(res.body);
    // people have no application of their own
    expectError(await discordApi(app.url, owner.accessToken)('GET', '/oauth2/applications/@me'), 404, 10002);
  });

  it('IDENTIFY with a null presence status is READY with the real application', async () => {
    const { gw, ready } = await botSession();
    expect(ready.d.application).toEqual({ id: bot.id, flags: 0 });
    expect(ready.d.user.id).toBe(bot.id);
    gw.close();
  });
});

describe('integer snowflakes', () => {
  it('op 8 with guild_id and user_ids as JSON integers answers with the exact ids', async () => {
    const { gw } = await botSession();
    expect(member.id).toMatch(/^\d{19}$/);
    // as discord.py serializes it: integers, not strings
    gw.sendText(`{"op":8,"d":{"guild_id":${guildId},"presences":false,"limit":0,"user_ids":[${member.id}],"nonce":"dpy1"}}`);
    const chunk = await gw.dispatch('GUILD_MEMBERS_CHUNK', (d) => d.nonce === 'dpy1');
    expect(chunk.d.guild_id).toBe(guildId);
    expect(chunk.d.members.map((m: { user: { id: string } }) => m.user.id)).toEqual([member.id]);
    expect(chunk.d.not_found).toEqual([]);
    gw.close();
  });

  it("op 3 as discord.py sends it (since: 0.0) changes the bot's presence", async () => {
    const { gw } = await botSession();
    const watcher = await connectGateway(app.url);
    await watcher.identify(owner.accessToken, (1 << 0) | (1 << 8));
    gw.sendText('{"op":3,"d":{"activities":[],"afk":false,"since":0.0,"status":"dnd"}}');
    const update = await watcher.dispatch('PRESENCE_UPDATE', (d) => d.user.id === bot.id && d.status === 'dnd');
    expect(update.d.guild_id).toBe(guildId);
    gw.close();
    watcher.close();
  });

  it('REST bodies take 19-digit ids as JSON integers and answer with the same ids as strings', async () => {
    const first = await botApi('POST', `/channels/${channelId}/messages`, { content: 'first' });
    const firstId = (first.body as { id: string }).id;
    expect(firstId).toMatch(/^\d{19}$/);
    const reply = await botApi('POST', `/channels/${channelId}/messages`, undefined, {
      raw: `{"content":"a reply","tts":false,"message_reference":{"message_id":${firstId},"channel_id":${channelId},"fail_if_not_exists":true}}`,
    });
    expect(reply.status).toBe(200);
    expect((reply.body as { message_reference: { message_id: string } }).message_reference.message_id).toBe(firstId);

    const dm = await botApi('POST', '/users/@me/channels', undefined, { raw: `{"recipient_id":${owner.id}}` });
    expect(dm.status).toBe(200);
    expect((dm.body as { recipients: { id: string }[] }).recipients.map((u) => u.id)).toEqual([owner.id]);

    const patched = await discordApi(app.url, owner.accessToken)('PATCH', `/guilds/${guildId}`, undefined, { raw: `{"system_channel_id":${channelId}}` });
    expect((patched.body as { system_channel_id: string }).system_channel_id).toBe(channelId);
  });

  it('a number that is not an id stays a number (and is refused where a string id is needed)', async () => {
    const res = await botApi('POST', '/users/@me/channels', undefined, { raw: '{"recipient_id":12345}' });
    expectError(res, 400, 50035);
    expect(fieldCodes((res.body as { errors: unknown }).errors, 'recipient_id')).toEqual(['BASE_TYPE_INVALID']);
  });
});

describe('resume', () => {
  it('after closing with 4000 (discord.py reconnecting), RESUMED carries an object and the missed dispatches come first', async () => {
    const { gw, ready } = await botSession();
    const seq = lastSeq(gw);
    gw.close(4000);
    await gw.closed;
    await member.client.messages.send.mutate({ channelId, content: 'while the bot was away' });
    const { gw: again, resumed } = await resumeAsDiscordPy(app.url, ready.d.session_id, seq);
    expect(resumed.d).toEqual({});
    expect(again.received.filter((p) => p.op === 0).map((p) => p.t)).toEqual(['MESSAGE_CREATE', 'RESUMED']);
    again.close();
  });

  it.skipIf(!hasRedis())('after the op 7 of a node shutting down, the session resumes on another node with RESUMED {}', async () => {
    const doomed = await startServer(loadConfig(await testEnv({ GATEWAY_HEARTBEAT_INTERVAL_MS: '20000' })));
    const { gw, ready } = await botSession(doomed.url);
    const closing = doomed.close();
    await gw.next((p) => p.op === 7);
    const seq = lastSeq(gw);
    gw.close(4000); // what discord.py does on op 7
    await closing;
    const { gw: again, resumed } = await resumeAsDiscordPy(app.url, ready.d.session_id, seq);
    expect(resumed.d).toEqual({});
    expect(resumed.s).toBeGreaterThan(seq);
    again.close();
  });
});

describe('fields this server does not store', () => {
  // (embeds are stored since rich messages: tests/compat-rest-rich-messages.test.ts; attachments since files)
  it('components beside content, or alone, are refused with 50035 naming the field; empty lists pass', async () => {
    const row = [{ type: 1, components: [{ type: 2, style: 1, label: 'x', custom_id: 'x' }] }];
    const withContent = await botApi('POST', `/channels/${channelId}/messages`, { content: 'look', components: row });
    expectError(withContent, 400, 50035);
    expect(fieldCodes((withContent.body as { errors: unknown }).errors, 'components')).toEqual(['UNSUPPORTED_FIELD']);
    const alone = await botApi('POST', `/channels/${channelId}/messages`, { components: row });
    expectError(alone, 400, 50035);
    expect(fieldCodes((alone.body as { errors: unknown }).errors, 'components')).toEqual(['UNSUPPORTED_FIELD']);
    for (const field of ['sticker_ids', 'poll']) {
      const value = field === 'poll' ? { question: { text: 'q' } } : [{ id: '1' }];
      const res = await botApi('POST', `/channels/${channelId}/messages`, { content: 'x', [field]: value });
      expect(fieldCodes((expectError(res, 400, 50035) as { errors: unknown }).errors, field)).toEqual(['UNSUPPORTED_FIELD']);
    }
    // attachments are stored since files landed: one that was never uploaded is an unknown attachment
    const unknownFile = await botApi('POST', `/channels/${channelId}/messages`, { content: 'x', attachments: [{ id: '1' }] });
    expect(fieldCodes((expectError(unknownFile, 400, 50035) as { errors: unknown }).errors, 'attachments')).toEqual(['ATTACHMENT_NOT_FOUND']);
    const plain = await botApi('POST', `/channels/${channelId}/messages`, { content: 'plain', components: [], attachments: [] });
    expect(plain.status).toBe(200);
    const edit = await botApi('PATCH', `/channels/${channelId}/messages/${(plain.body as { id: string }).id}`, { content: 'edited', components: row });
    expectError(edit, 400, 50035);
    // nothing was stored by the refused requests
    const history = (await botApi('GET', `/channels/${channelId}/messages?limit=5`)).body as { content: string }[];
    expect(history.map((m) => m.content)).not.toContain('look');
    expect(history.map((m) => m.content)).toContain('plain');
  });
});
