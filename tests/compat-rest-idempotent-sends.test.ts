// Idempotent sends: `nonce` with `enforce_nonce: true` over real HTTP and the gateway. A retry (or a
// concurrent duplicate) by the same author in the same channel within the window returns the original
// message and publishes nothing; anything else with the same nonce is a new message.
import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../server/app.js';
import { errorOf, type TestUser } from './helpers/clients.js';
import { expectError, expectShape, fieldCodes, messageShape, startDiscordGuild, type DiscordApi } from './helpers/compat-rest.js';
import { connectGateway, type RawGateway } from './helpers/gateway.js';
import type { GuildFixture } from './helpers/guilds.js';

let app: App, fx: GuildFixture, memberUser: TestUser, owner: DiscordApi, member: DiscordApi;
beforeAll(async () => {
  ({ app, fx, memberUser, owner, member } = await startDiscordGuild(1));
});

const GUILD_MESSAGES = 1 << 9;
const MESSAGE_CONTENT = 1 << 15;

async function newChannel(extra: Record<string, unknown> = {}) {
  return ((await owner('POST', `/guilds/${fx.guild.id}/channels`, { name: 'nonces', ...extra })).body as { id: string }).id;
}
async function watcher(): Promise<RawGateway> {
  const g = await connectGateway(app.url);
  await g.identify(fx.owner.accessToken, GUILD_MESSAGES | MESSAGE_CONTENT);
  return g;
}
/** Sends a marker and waits for its MESSAGE_CREATE: every event published before it has arrived too. */
async function drain(g: RawGateway, channelId: string) {
  const marker = `marker ${Math.random()}`;
  await owner('POST', `/channels/${channelId}/messages`, { content: marker });
  await g.dispatch('MESSAGE_CREATE', (d) => d.content === marker);
}
const creates = (g: RawGateway, channelId: string, nonce: string) =>
  g.received.filter((p) => p.t === 'MESSAGE_CREATE' && p.d.channel_id === channelId && p.d.nonce === nonce);
async function history(channelId: string) {
  return (await owner('GET', `/channels/${channelId}/messages?limit=100`)).body as { id: string; content: string; nonce?: string }[];
}

describe('enforce_nonce', () => {
  it('20 concurrent sends with one nonce store one message, all get it back, and one MESSAGE_CREATE goes out', async () => {
    const channelId = await newChannel();
    const g = await watcher();
    const sends = await Promise.all(
      Array.from({ length: 20 }, (_, i) => member('POST', `/channels/${channelId}/messages`, { content: `attempt ${i}`, nonce: 'retry-1', enforce_nonce: true })),
    );
    expect(sends.map((s) => s.status)).toEqual(sends.map(() => 200));
    const ids = new Set(sends.map((s) => expectShape(messageShape, s.body).id));
    expect(ids.size).toBe(1);
    const [id] = ids;
    const winner = sends.find((s) => (s.body as { id: string }).id === id)!.body as { content: string };
    expect(sends.every((s) => (s.body as { content: string }).content === winner.content)).toBe(true);
    await drain(g, channelId);
    expect(creates(g, channelId, 'retry-1').map((p) => p.d.id)).toEqual([id]);
    expect((await history(channelId)).filter((m) => m.nonce === 'retry-1').map((m) => m.id)).toEqual([id]);
  });

  it('a later retry returns the original (even in slowmode); without enforce_nonce, another author or another channel it is a new message', async () => {
    const channelId = await newChannel({ rate_limit_per_user: 60 });
    const otherChannel = await newChannel();
    const g = await watcher();
    const first = expectShape(messageShape, (await member('POST', `/channels/${channelId}/messages`, { content: 'once', nonce: 42, enforce_nonce: true })).body);
    const retry = await member('POST', `/channels/${channelId}/messages`, { content: 'twice?', nonce: '42', enforce_nonce: true });
    expect(retry.status).toBe(200);
    expect(retry.body).toMatchObject({ id: first.id, content: 'once', nonce: '42' });
    // the same nonce without enforce_nonce is an ordinary send (and here slowmode refuses it)
    expectError(await member('POST', `/channels/${channelId}/messages`, { content: 'plain', nonce: '42' }), 429, 20016);
    const byOwner = expectShape(messageShape, (await owner('POST', `/channels/${channelId}/messages`, { content: 'owner', nonce: '42', enforce_nonce: true })).body);
    const elsewhere = expectShape(messageShape, (await member('POST', `/channels/${otherChannel}/messages`, { content: 'other', nonce: '42', enforce_nonce: true })).body);
    expect(new Set([first.id, byOwner.id, elsewhere.id]).size).toBe(3);
    await drain(g, channelId);
    expect(creates(g, channelId, '42').map((p) => p.d.id)).toEqual([first.id, byOwner.id]);
    expect((await history(channelId)).filter((m) => m.nonce === '42').map((m) => m.content)).toEqual(['owner', 'once']);
  });

  it('after the window the nonce makes a new message; a deleted original does not block a retry', async () => {
    const channelId = await newChannel();
    const first = expectShape(messageShape, (await member('POST', `/channels/${channelId}/messages`, { content: 'old', nonce: 'w', enforce_nonce: true })).body);
    // Time passing: the claim is made older than Discord's few minutes.
    await app.deps.db.$executeRaw`UPDATE message_nonces SET created_at = created_at - interval '10 minutes' WHERE message_id = ${BigInt(first.id)}`;
    const second = expectShape(messageShape, (await member('POST', `/channels/${channelId}/messages`, { content: 'new', nonce: 'w', enforce_nonce: true })).body);
    expect(second.id).not.toBe(first.id);
    expect((await member('POST', `/channels/${channelId}/messages`, { content: 'again', nonce: 'w', enforce_nonce: true })).body).toMatchObject({ id: second.id });

    expect((await member('DELETE', `/channels/${channelId}/messages/${second.id}`)).status).toBe(204);
    const third = expectShape(messageShape, (await member('POST', `/channels/${channelId}/messages`, { content: 'after delete', nonce: 'w', enforce_nonce: true })).body);
    expect([first.id, second.id]).not.toContain(third.id);
    expect((await history(channelId)).map((m) => m.content)).toEqual(['after delete', 'old']);
  });

  it('a retry is still authorized: a member who lost SEND_MESSAGES gets 50013, not the original', async () => {
    const channelId = await newChannel();
    expect((await member('POST', `/channels/${channelId}/messages`, { content: 'x', nonce: 'p', enforce_nonce: true })).status).toBe(200);
    await owner('PUT', `/channels/${channelId}/permissions/${memberUser.id}`, { type: 1, allow: '0', deny: String(1n << 11n) });
    expectError(await member('POST', `/channels/${channelId}/messages`, { content: 'x', nonce: 'p', enforce_nonce: true }), 403, 50013);
  });

  it('enforce_nonce must be a boolean (50035)', async () => {
    const res = expectError(await member('POST', `/channels/${fx.generalId}/messages`, { content: 'x', nonce: 'b', enforce_nonce: 'yes' }), 400, 50035);
    expect(fieldCodes(res.errors, 'enforce_nonce').length).toBe(1);
  });

  it('tRPC messages.send honours enforceNonce the same way', async () => {
    const channelId = await newChannel();
    const send = (content: string) => memberUser.client.messages.send.mutate({ channelId, content, nonce: 't-1', enforceNonce: true });
    const [a, b] = await Promise.all([send('one'), send('two')]);
    expect(b.id).toBe(a.id);
    expect((await send('three')).id).toBe(a.id);
    expect((await history(channelId)).map((m) => m.id)).toEqual([a.id]);
    expect((await errorOf(memberUser.client.messages.send.mutate({ channelId, content: 'x', nonce: 'n'.repeat(26), enforceNonce: true }))).code).toBe('BAD_REQUEST');
  });
});
