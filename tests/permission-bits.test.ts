// Permission bitfields are Discord's 64-bit values end to end: bits above 31 (MODERATE_MEMBERS is
// 1<<40, PIN_MESSAGES 1<<51) survive storage and every surface (tRPC, REST, gateway), and a bit
// Discord does not define is refused (BAD_REQUEST / 50035) instead of silently dropped.
import { PermissionFlagsBits } from 'discord-api-types/v10';
import { beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { ALL_PERMISSIONS, Permissions } from '../shared/permissions.js';
import type { App } from '../server/app.js';
import { errorOf } from './helpers/clients.js';
import { discordApi, errorFields, expectError, expectShape, partialGuildShape, roleShape } from './helpers/compat-rest.js';
import { connectGateway } from './helpers/gateway.js';
import { createGuild, type GuildFixture } from './helpers/guilds.js';
import { startTestServer } from './helpers/server.js';

const HIGH = Permissions.MODERATE_MEMBERS | Permissions.PIN_MESSAGES | Permissions.VIEW_CHANNEL;
const UNDEFINED_BIT = String(1n << 60n);

let app: App;
let fx: GuildFixture;
beforeAll(async () => {
  app = await startTestServer();
  fx = await createGuild(app.url, { memberCount: 1 });
});

describe('permission bits above 31', () => {
  it('are every bit discord-api-types defines, under Discord\'s SCREAMING_SNAKE names', () => {
    expect(Permissions.MODERATE_MEMBERS).toBe(1n << 40n);
    expect(Permissions.PIN_MESSAGES).toBe(1n << 51n);
    expect(Permissions.SEND_TTS_MESSAGES).toBe(PermissionFlagsBits.SendTTSMessages);
    expect(Permissions.USE_VAD).toBe(PermissionFlagsBits.UseVAD);
    expect(ALL_PERMISSIONS).toBe(Object.values(PermissionFlagsBits).reduce((a, b) => a | b, 0n));
    expectTypeOf(Permissions).toHaveProperty('SEND_MESSAGES_IN_THREADS');
  });

  it('a role with MODERATE_MEMBERS and PIN_MESSAGES round-trips through tRPC, REST (stored) and GUILD_ROLE_CREATE on the gateway', async () => {
    const gw = await connectGateway(app.url);
    await gw.identify(fx.members[0]!.accessToken);
    const viaTrpc = await fx.owner.client.roles.create.mutate({ guildId: fx.guild.id, name: 'mods', permissions: String(HIGH) });
    expect(viaTrpc.permissions).toBe(String(HIGH));
    expect((await gw.dispatch('GUILD_ROLE_CREATE', (d) => d.role.id === viaTrpc.id)).d.role.permissions).toBe(String(HIGH));

    const rest = discordApi(app.url, fx.owner.accessToken);
    const viaRest = expectShape(roleShape, (await rest('POST', `/guilds/${fx.guild.id}/roles`, { name: 'rest-mods', permissions: String(HIGH) })).body);
    expect(viaRest.permissions).toBe(String(HIGH));
    expect((await gw.dispatch('GUILD_ROLE_CREATE', (d) => d.role.id === viaRest.id)).d.role.permissions).toBe(String(HIGH));
    const patched = await rest('PATCH', `/guilds/${fx.guild.id}/roles/${viaRest.id}`, { permissions: String(Permissions.PIN_MESSAGES) });
    expect(expectShape(roleShape, patched.body).permissions).toBe(String(Permissions.PIN_MESSAGES));

    // Read back from the database on both surfaces.
    const listed = await fx.owner.client.roles.list.query({ guildId: fx.guild.id });
    expect(listed.find((r) => r.id === viaTrpc.id)?.permissions).toBe(String(HIGH));
    const restList = (await rest('GET', `/guilds/${fx.guild.id}/roles`)).body as { id: string; permissions: string }[];
    expect(restList.find((r) => r.id === viaRest.id)?.permissions).toBe(String(Permissions.PIN_MESSAGES));
    // The owner holds every bit, as Discord reports it in /users/@me/guilds.
    const mine = (await rest('GET', '/users/@me/guilds')).body as unknown[];
    expect(mine.map((g) => expectShape(partialGuildShape, g)).find((g) => g.id === fx.guild.id)?.permissions).toBe(String(ALL_PERMISSIONS));
  });

  it('channel overwrites keep bits above 31', async () => {
    const c = await fx.owner.client.channels.setOverwrite.mutate({ channelId: fx.generalId, targetId: fx.guild.id, type: 0, allow: String(Permissions.PIN_MESSAGES), deny: String(Permissions.MODERATE_MEMBERS) });
    expect(c.permissionOverwrites.find((o) => o.id === fx.guild.id)).toMatchObject({ allow: String(Permissions.PIN_MESSAGES), deny: String(Permissions.MODERATE_MEMBERS) });
    const rest = discordApi(app.url, fx.owner.accessToken);
    const got = (await rest('GET', `/channels/${fx.generalId}`)).body as { permission_overwrites: { id: string; allow: string; deny: string }[] };
    expect(got.permission_overwrites.find((o) => o.id === fx.guild.id)).toMatchObject({ allow: String(Permissions.PIN_MESSAGES), deny: String(Permissions.MODERATE_MEMBERS) });
  });

  it('a bit Discord does not define (1<<60) is refused: 50035 on REST, BAD_REQUEST on tRPC', async () => {
    const rest = discordApi(app.url, fx.owner.accessToken);
    const roleErr = expectError(await rest('POST', `/guilds/${fx.guild.id}/roles`, { name: 'bad', permissions: UNDEFINED_BIT }), 400, 50035);
    expect(Object.keys(errorFields(roleErr.errors))).toEqual(['permissions']);
    const owErr = expectError(await rest('PUT', `/channels/${fx.generalId}/permissions/${fx.guild.id}`, { type: 0, allow: UNDEFINED_BIT }), 400, 50035);
    expect(Object.keys(errorFields(owErr.errors))).toEqual(['allow']);
    const roles = await fx.owner.client.roles.list.query({ guildId: fx.guild.id });
    expect(await errorOf(fx.owner.client.roles.create.mutate({ guildId: fx.guild.id, name: 'bad', permissions: String((1n << 60n) | Permissions.VIEW_CHANNEL) }))).toMatchObject({
      code: 'BAD_REQUEST',
      reason: 'INVALID_FORM_BODY',
    });
    expect(await errorOf(fx.owner.client.roles.update.mutate({ guildId: fx.guild.id, roleId: fx.guild.id, permissions: UNDEFINED_BIT }))).toMatchObject({ code: 'BAD_REQUEST' });
    expect(await errorOf(fx.owner.client.channels.setOverwrite.mutate({ channelId: fx.generalId, targetId: fx.guild.id, type: 0, deny: UNDEFINED_BIT }))).toMatchObject({
      code: 'BAD_REQUEST',
    });
    // nothing was written
    expect(await fx.owner.client.roles.list.query({ guildId: fx.guild.id })).toEqual(roles);
  });
});
