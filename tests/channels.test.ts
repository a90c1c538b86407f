import { beforeAll, describe, expect, it, vi } from 'vitest';
import { deconstructSnowflake, DISCORD_EPOCH } from '../shared/snowflake.js';
import { Permissions } from '../shared/permissions.js';
import type { App } from '../server/app.js';
import { channelInfo } from '../server/services/permissions.js';
import { errorOf, registerUser, type TestUser } from './helpers/clients.js';
import { discordApi, expectError } from './helpers/compat-rest.js';
import { createGuild } from './helpers/guilds.js';
import { publishedToGuild } from './helpers/published.js';
import { startTestServer } from './helpers/server.js';

let app: App;
let outsider: TestUser;
beforeAll(async () => {
  app = await startTestServer();
  outsider = await registerUser(app.url);
});

const VIEW = String(Permissions.VIEW_CHANNEL);

/**
 * Snowflakes are predictable from the clock and the worker/process bits of any id the server
 * minted (`sample`): anyone can ask for the id the next channel will get, and the server caches
 * "no such channel" for it. Runs `fn` with the clock frozen ahead, at the id the next snowflake gets.
 */
async function atPredictedId(sample: string, fn: (id: string) => Promise<void>): Promise<string> {
  const { workerId, processId } = deconstructSnowflake(sample);
  const at = Date.now() + 5000;
  const id = String(((BigInt(at) - DISCORD_EPOCH) << 22n) | (BigInt(workerId) << 17n) | (BigInt(processId) << 12n));
  const clock = vi.spyOn(Date, 'now').mockReturnValue(at);
  try {
    await fn(id);
  } finally {
    clock.mockRestore();
  }
  return id;
}

describe('channels.create', () => {
  it('creates text, voice and category channels at the bottom, and announces CHANNEL_CREATE', async () => {
    const { owner, guild } = await createGuild(app.url);
    const category = await owner.client.channels.create.mutate({ guildId: guild.id, name: 'Info', type: 4 });
    const text = await owner.client.channels.create.mutate({ guildId: guild.id, name: 'rules', topic: 'be nice', parentId: category.id, rateLimitPerUser: 5 });
    const voice = await owner.client.channels.create.mutate({ guildId: guild.id, name: 'Voice', type: 2, nsfw: true });
    expect(category).toMatchObject({ type: 4, guildId: guild.id, parentId: null, position: 1, permissionOverwrites: [], lastMessageId: null });
    expect(text).toMatchObject({ type: 0, name: 'rules', topic: 'be nice', parentId: category.id, rateLimitPerUser: 5, position: 2 });
    expect(voice).toMatchObject({ type: 2, nsfw: true, position: 3 });
    expect(text.recipients).toBeUndefined();
    const events = await publishedToGuild(app, guild.id, 'CHANNEL_CREATE');
    expect(events.map((e) => [e.channelId, e.guildId, e.data])).toEqual([category, text, voice].map((c) => [c.id, guild.id, c]));
  });

  it('a channel whose id was looked up before it existed is found once created (no lasting "Unknown Channel")', async () => {
    const { owner, guild, members: [other] } = await createGuild(app.url, { memberCount: 1 });
    const rest = discordApi(app.url, owner.accessToken);
    const predicted = await atPredictedId(guild.id, async (id) => {
      expectError(await rest('GET', `/channels/${id}`), 404, 10003);
      expect((await errorOf(owner.client.channels.get.query({ channelId: id }))).reason).toBe('UNKNOWN_CHANNEL');
      expect((await rest('POST', `/guilds/${guild.id}/channels`, { name: 'predicted' })).body).toMatchObject({ id });
    });
    expect((await rest('GET', `/channels/${predicted}`)).status).toBe(200);
    expect(await owner.client.channels.get.query({ channelId: predicted })).toMatchObject({ id: predicted, name: 'predicted' });
    expect(await owner.client.messages.send.mutate({ channelId: predicted, content: 'here' })).toMatchObject({ channelId: predicted });

    // The same for a DM channel opened at a predicted id.
    const dmId = await atPredictedId(guild.id, async (id) => {
      expect((await errorOf(other!.client.channels.get.query({ channelId: id }))).reason).toBe('UNKNOWN_CHANNEL');
      expect(await owner.client.dms.open.mutate({ userId: other!.id })).toMatchObject({ id });
    });
    expect(await other!.client.messages.send.mutate({ channelId: dmId, content: 'hi' })).toMatchObject({ channelId: dmId });
  });

  it('requires the parent to be a category of the same guild, and categories not to nest', async () => {
    const { owner, guild, generalId } = await createGuild(app.url);
    const elsewhere = await createGuild(app.url, { owner });
    const foreignCategory = await owner.client.channels.create.mutate({ guildId: elsewhere.guild.id, name: 'cat', type: 4 });
    const category = await owner.client.channels.create.mutate({ guildId: guild.id, name: 'cat', type: 4 });
    const bad = [
      { guildId: guild.id, name: 'x', parentId: generalId },
      { guildId: guild.id, name: 'x', parentId: foreignCategory.id },
      { guildId: guild.id, name: 'x', parentId: '123456789012345678' },
      { guildId: guild.id, name: 'x', type: 4 as const, parentId: category.id },
    ];
    for (const input of bad) {
      expect(await errorOf(owner.client.channels.create.mutate(input))).toMatchObject({ code: 'BAD_REQUEST', reason: 'INVALID_FORM_BODY' });
    }
    expect(await owner.client.guilds.channels.query({ guildId: guild.id })).toHaveLength(2);
  });

  it('validates input (name, type)', async () => {
    const { owner, guild } = await createGuild(app.url);
    for (const input of [{ guildId: guild.id, name: '' }, { guildId: guild.id, name: 'x', type: 1 }, { guildId: guild.id, name: 'x'.repeat(101) }]) {
      // type 1 (DM) is not a guild channel type
      expect(await errorOf(owner.client.channels.create.mutate(input as never))).toMatchObject({ code: 'BAD_REQUEST', reason: 'INVALID_FORM_BODY' });
    }
  });
});

describe('channels.delete', () => {
  it('two deletes of one channel at once: one deletes it, the other is Unknown Channel, never a 500', async () => {
    // REST fuzzing found the 500: the second delete found no row to delete.
    const { owner, guild } = await createGuild(app.url);
    for (let i = 0; i < 10; i++) {
      const { id } = await owner.client.channels.create.mutate({ guildId: guild.id, name: `doomed-${i}` });
      const results = await Promise.allSettled([owner.client.channels.delete.mutate({ channelId: id }), owner.client.channels.delete.mutate({ channelId: id })]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const failed = results.find((r) => r.status === 'rejected');
      if (failed) expect(await errorOf(Promise.reject(failed.reason))).toMatchObject({ code: 'NOT_FOUND', reason: 'UNKNOWN_CHANNEL' });
    }
  });
});

describe('channels.get', () => {
  it('returns visible guild channels and DM channels to their participants only', async () => {
    const { owner, guild, generalId, members } = await createGuild(app.url, { memberCount: 1 });
    const member = members[0]!;
    expect(await member.client.channels.get.query({ channelId: generalId })).toMatchObject({ id: generalId, guildId: guild.id, name: 'general' });
    expect(await errorOf(outsider.client.channels.get.query({ channelId: generalId }))).toMatchObject({ code: 'NOT_FOUND', reason: 'UNKNOWN_CHANNEL' });
    const dm = await owner.client.dms.open.mutate({ userId: member.id });
    expect(await member.client.channels.get.query({ channelId: dm.id })).toMatchObject({ id: dm.id, type: 1, guildId: null });
    expect(await errorOf(outsider.client.channels.get.query({ channelId: dm.id }))).toMatchObject({ code: 'NOT_FOUND', reason: 'UNKNOWN_CHANNEL' });
  });

  it('gives a member without VIEW_CHANNEL Missing Access; validates the id', async () => {
    const { owner, guild, generalId, members } = await createGuild(app.url, { memberCount: 1 });
    await owner.client.channels.setOverwrite.mutate({ channelId: generalId, targetId: guild.id, type: 0, deny: VIEW });
    expect(await errorOf(members[0]!.client.channels.get.query({ channelId: generalId }))).toMatchObject({ code: 'FORBIDDEN', reason: 'MISSING_ACCESS' });
    expect(await errorOf(owner.client.channels.get.query({ channelId: 'general' }))).toMatchObject({ code: 'BAD_REQUEST' });
  });
});

describe('channels.update', () => {
  it('updates fields, refreshes cached channel facts and announces CHANNEL_UPDATE', async () => {
    const { owner, guild, generalId } = await createGuild(app.url);
    const category = await owner.client.channels.create.mutate({ guildId: guild.id, name: 'cat', type: 4 });
    expect((await channelInfo(app.deps, BigInt(generalId)))!.rateLimitPerUser).toBe(0);
    const updated = await owner.client.channels.update.mutate({ channelId: generalId, name: 'lobby', topic: 't', rateLimitPerUser: 10, parentId: category.id });
    expect(updated).toMatchObject({ id: generalId, name: 'lobby', topic: 't', rateLimitPerUser: 10, parentId: category.id });
    // the slow-mode value other services read through the cache changed at once
    expect((await channelInfo(app.deps, BigInt(generalId)))!.rateLimitPerUser).toBe(10);
    const events = await publishedToGuild(app, guild.id, 'CHANNEL_UPDATE');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ channelId: generalId, data: updated });
    expect((await owner.client.channels.update.mutate({ channelId: generalId, parentId: null, topic: null })).parentId).toBeNull();
  });

  it('refuses an invalid parent (itself, a text channel) and invalid fields', async () => {
    const { owner, guild, generalId } = await createGuild(app.url);
    const category = await owner.client.channels.create.mutate({ guildId: guild.id, name: 'cat', type: 4 });
    const other = await owner.client.channels.create.mutate({ guildId: guild.id, name: 'other' });
    for (const input of [
      { channelId: generalId, parentId: other.id },
      { channelId: category.id, parentId: category.id },
    ]) {
      expect(await errorOf(owner.client.channels.update.mutate(input))).toMatchObject({ code: 'BAD_REQUEST', reason: 'INVALID_FORM_BODY' });
    }
    expect(await errorOf(owner.client.channels.update.mutate({ channelId: generalId, rateLimitPerUser: 21601 }))).toMatchObject({ code: 'BAD_REQUEST' });
    expect(await errorOf(owner.client.channels.update.mutate({ channelId: generalId, topic: 'x'.repeat(1025) }))).toMatchObject({ code: 'BAD_REQUEST' });
  });
});

describe('channels.delete', () => {
  it('deletes the channel, clears the system channel, orphans children and announces it', async () => {
    const { owner, guild, generalId, members } = await createGuild(app.url, { memberCount: 1 });
    const category = await owner.client.channels.create.mutate({ guildId: guild.id, name: 'cat', type: 4 });
    const child = await owner.client.channels.create.mutate({ guildId: guild.id, name: 'child', parentId: category.id });
    const deleted = await owner.client.channels.delete.mutate({ channelId: generalId });
    expect(deleted).toMatchObject({ id: generalId, name: 'general' });
    expect(await errorOf(members[0]!.client.channels.get.query({ channelId: generalId }))).toMatchObject({ code: 'NOT_FOUND', reason: 'UNKNOWN_CHANNEL' });
    expect((await owner.client.guilds.get.query({ guildId: guild.id })).systemChannelId).toBeNull();

    await owner.client.channels.delete.mutate({ channelId: category.id });
    expect((await owner.client.channels.get.query({ channelId: child.id })).parentId).toBeNull();
    const deletes = await publishedToGuild(app, guild.id, 'CHANNEL_DELETE');
    expect(deletes.map((e) => [e.channelId, (e.data as { id: string }).id])).toEqual([
      [generalId, generalId],
      [category.id, category.id],
    ]);
    const updates = await publishedToGuild(app, guild.id, 'CHANNEL_UPDATE');
    expect(updates).toHaveLength(1);
    expect(updates[0]).toMatchObject({ channelId: child.id, data: { id: child.id, parentId: null } });
  });

  it('cannot delete a DM channel (FORBIDDEN), and validates the id', async () => {
    const { owner: a, members } = await createGuild(app.url, { memberCount: 1 });
    const b = members[0]!;
    const dm = await a.client.dms.open.mutate({ userId: b.id });
    expect(await errorOf(a.client.channels.delete.mutate({ channelId: dm.id }))).toMatchObject({ code: 'FORBIDDEN' });
    expect(await a.client.channels.get.query({ channelId: dm.id })).toMatchObject({ id: dm.id });
    expect(await errorOf(a.client.channels.delete.mutate({ channelId: '' }))).toMatchObject({ code: 'BAD_REQUEST' });
  });
});

describe('channels.setOverwrite / deleteOverwrite', () => {
  it('an @everyone deny hides the channel; a member allow brings it back; deleting restores it', async () => {
    const { owner, guild, generalId, members } = await createGuild(app.url, { memberCount: 2 });
    const [hidden, allowed] = members as [TestUser, TestUser];
    const c1 = await owner.client.channels.setOverwrite.mutate({ channelId: generalId, targetId: guild.id, type: 0, deny: VIEW });
    expect(c1.permissionOverwrites).toEqual([{ id: guild.id, type: 0, allow: '0', deny: VIEW }]);
    await owner.client.channels.setOverwrite.mutate({ channelId: generalId, targetId: allowed.id, type: 1, allow: VIEW });
    expect(await errorOf(hidden.client.channels.get.query({ channelId: generalId }))).toMatchObject({ code: 'FORBIDDEN', reason: 'MISSING_ACCESS' });
    expect(await allowed.client.channels.get.query({ channelId: generalId })).toMatchObject({ id: generalId });

    const c2 = await owner.client.channels.deleteOverwrite.mutate({ channelId: generalId, targetId: guild.id });
    expect(c2.permissionOverwrites).toEqual([{ id: allowed.id, type: 1, allow: VIEW, deny: '0' }]);
    expect(await hidden.client.channels.get.query({ channelId: generalId })).toMatchObject({ id: generalId });
    // deleting an overwrite that does not exist changes nothing (no event)
    await owner.client.channels.deleteOverwrite.mutate({ channelId: generalId, targetId: guild.id });
    const updates = await publishedToGuild(app, guild.id, 'CHANNEL_UPDATE');
    expect(updates.map((e) => (e.data as { permissionOverwrites: unknown[] }).permissionOverwrites.length)).toEqual([1, 2, 1]);
  });

  it('requires the target to be a role or member of this guild', async () => {
    const { owner, generalId } = await createGuild(app.url);
    const other = await createGuild(app.url, { owner });
    const foreignRole = await owner.client.roles.create.mutate({ guildId: other.guild.id, name: 'r' });
    expect(await errorOf(owner.client.channels.setOverwrite.mutate({ channelId: generalId, targetId: foreignRole.id, type: 0 }))).toMatchObject({
      code: 'NOT_FOUND',
      reason: 'UNKNOWN_ROLE',
    });
    expect(await errorOf(owner.client.channels.setOverwrite.mutate({ channelId: generalId, targetId: outsider.id, type: 1 }))).toMatchObject({
      code: 'NOT_FOUND',
      reason: 'UNKNOWN_MEMBER',
    });
    // a member id given as a role is not a role
    expect(await errorOf(owner.client.channels.setOverwrite.mutate({ channelId: generalId, targetId: owner.id, type: 0 }))).toMatchObject({
      reason: 'UNKNOWN_ROLE',
    });
    expect((await owner.client.channels.get.query({ channelId: generalId })).permissionOverwrites).toEqual([]);
  });

  it('MANAGE_ROLES granted by a channel overwrite suffices, but only bits the editor holds can be set', async () => {
    const { owner, generalId, members } = await createGuild(app.url, { memberCount: 1 });
    const editor = members[0]!;
    const target = { channelId: generalId, targetId: editor.id, type: 1 as const };
    expect(await errorOf(editor.client.channels.setOverwrite.mutate({ ...target, allow: VIEW }))).toMatchObject({ code: 'FORBIDDEN', reason: 'MISSING_PERMISSIONS' });
    await owner.client.channels.setOverwrite.mutate({ ...target, allow: String(Permissions.MANAGE_ROLES) });
    const manageAndView = String(Permissions.MANAGE_ROLES | Permissions.VIEW_CHANNEL);
    expect((await editor.client.channels.setOverwrite.mutate({ ...target, allow: manageAndView })).permissionOverwrites).toEqual([
      { id: editor.id, type: 1, allow: manageAndView, deny: '0' },
    ]);
    expect(await errorOf(editor.client.channels.setOverwrite.mutate({ ...target, allow: String(Permissions.MANAGE_ROLES | Permissions.ADMINISTRATOR) }))).toMatchObject({
      code: 'FORBIDDEN',
      reason: 'MISSING_PERMISSIONS',
    });
  });

  it('refuses permission bits Discord does not define, instead of dropping them', async () => {
    const { owner, guild, generalId } = await createGuild(app.url);
    const undefinedBit = 1n << 53n;
    expect(await errorOf(owner.client.channels.setOverwrite.mutate({ channelId: generalId, targetId: guild.id, type: 0, allow: String(undefinedBit | Permissions.SEND_MESSAGES) }))).toMatchObject({
      code: 'BAD_REQUEST',
      reason: 'INVALID_FORM_BODY',
    });
    expect((await owner.client.channels.get.query({ channelId: generalId })).permissionOverwrites).toEqual([]);
  });

  it('validates input', async () => {
    const { owner, guild, generalId } = await createGuild(app.url);
    const bad = [
      { channelId: generalId, targetId: guild.id, type: 2, allow: '0' },
      { channelId: generalId, targetId: guild.id, type: 0, allow: '-1' },
      { channelId: generalId, targetId: guild.id, type: 0, deny: String(1n << 64n) },
    ];
    for (const input of bad) {
      expect(await errorOf(owner.client.channels.setOverwrite.mutate(input as never))).toMatchObject({ code: 'BAD_REQUEST', reason: 'INVALID_FORM_BODY' });
    }
    expect(await errorOf(owner.client.channels.deleteOverwrite.mutate({ channelId: generalId, targetId: 'x' }))).toMatchObject({ code: 'BAD_REQUEST' });
  });
});
