// Adding a bot to a guild, the way Discord's OAuth2 "bot" scope does it: a member with MANAGE_GUILD
// authorizes the application for their guild; the bot joins with a managed role carrying the
// requested permissions (which the authorizing member must hold). It is the only way a bot gets
// into a guild: bots cannot accept invites.
import type { z } from 'zod';
import type { authorizeBotInput } from '../../shared/schemas/application.js';
import type { AppDeps } from '../deps.js';
import { requireNotBanned } from './bans.js';
import { fail, missingPermissions, notFound } from './errors.js';
import { announceJoin, memberUpdated } from './members.js';
import { Permissions, requireGuildPermission } from './permissions.js';
import { lockGuild, lockUser, requireGuildRoom, requireRoleRoom } from './limits.js';
import { afterRoleChange, insertRole } from './roles.js';
import { toRole } from './serialize.js';

type Deps = Pick<AppDeps, 'db' | 'cache' | 'bus' | 'ids' | 'config'>;

/** Discord puts a new bot's role just above @everyone; the guild's admins move it up as they like. */
const MANAGED_ROLE_POSITION = 1;

export async function authorizeBot(deps: Deps, userId: bigint, input: z.infer<typeof authorizeBotInput>) {
  const botId = BigInt(input.applicationId);
  const guildId = BigInt(input.guildId);
  const app = await deps.db.application.findUnique({ where: { id: botId }, select: { ownerId: true, botPublic: true, name: true } });
  if (!app) return notFound.application();
  if (!app.botPublic && app.ownerId !== userId) fail('FORBIDDEN', 'MISSING_ACCESS', 'This bot is private: only its owner can add it');
  const held = await requireGuildPermission(deps, guildId, userId, Permissions.MANAGE_GUILD);
  const permissions = BigInt(input.permissions);
  if ((permissions & ~held) !== 0n) missingPermissions();

  const { role, roleCreated, joined } = await deps.db.$transaction(async (tx) => {
    // the bot's guild count and the guild's role count, as for any other join and role (limits.ts)
    await lockUser(tx, botId);
    await lockGuild(tx, guildId);
    const existing = await tx.role.findUnique({ where: { guildId_botId: { guildId, botId } } });
    if (!existing) await requireRoleRoom(tx, deps.config, guildId);
    const member = await tx.member.findUnique({ where: { guildId_userId: { guildId, userId: botId } }, select: { userId: true } });
    if (!member) {
      await requireNotBanned(tx, guildId, botId);
      await requireGuildRoom(tx, deps.config, botId);
    }
    const role = existing
      ? await tx.role.update({ where: { id: existing.id }, data: { permissions } })
      : await insertRole(tx, deps, guildId, MANAGED_ROLE_POSITION, { name: app.name, permissions, color: 0, hoist: false, mentionable: false, botId });
    const { count } = await tx.member.createMany({ data: [{ guildId, userId: botId }], skipDuplicates: true });
    await tx.memberRole.createMany({ data: [{ guildId, userId: botId, roleId: role.id }], skipDuplicates: true });
    return { role, roleCreated: !existing, joined: count > 0 };
  });
  await afterRoleChange(deps, guildId, { type: roleCreated ? 'GUILD_ROLE_CREATE' : 'GUILD_ROLE_UPDATE', data: toRole(role) });
  if (joined) await announceJoin(deps, guildId, botId);
  else if (roleCreated) await memberUpdated(deps, guildId, botId);
  return { ok: true as const };
}
