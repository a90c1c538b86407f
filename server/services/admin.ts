// Instance administration: who administers the instance, and what they may do (admin.*).
import type { z } from 'zod';
import type { AdminUser, listUsersInput } from '../../shared/schemas/admin.js';
import type { AppDeps } from '../deps.js';
import { revokeAllSessions } from './auth.js';
import { fail, notFound } from './errors.js';
import { removeGuild } from './guilds.js';

type Deps = Pick<AppDeps, 'db' | 'cache' | 'bus' | 'ids' | 'config' | 'sessions' | 'logger' | 'storage'>;

/**
 * ADMIN_USER_IDS, and on an embedded instance (no DATABASE_URL: one person trying the server out)
 * also the first person who registered, so that instance has an administrator without settings.
 */
export async function isAdmin(deps: Pick<AppDeps, 'db' | 'config'>, userId: bigint) {
  if (deps.config.ADMIN_USER_IDS.includes(String(userId))) return true;
  if (deps.config.DATABASE_URL) return false;
  const first = await deps.db.user.findFirst({ where: { bot: false }, orderBy: { id: 'asc' }, select: { id: true } });
  return first?.id === userId;
}

const adminUserSelect = { id: true, username: true, email: true, bot: true, createdAt: true, disabledAt: true, deletedAt: true } as const;

function toAdminUser(u: { id: bigint; username: string; email: string | null; bot: boolean; createdAt: Date; disabledAt: Date | null; deletedAt: Date | null }): AdminUser {
  return {
    id: String(u.id),
    username: u.username,
    email: u.email,
    bot: u.bot,
    createdAt: u.createdAt.toISOString(),
    disabled: u.disabledAt !== null,
    deleted: u.deletedAt !== null,
  };
}

/** Users by id, optionally those whose username or email starts with `query` (any case). */
export async function listUsers(deps: Deps, input: z.infer<typeof listUsersInput>) {
  const prefix = { startsWith: input.query.replace(/[\\%_]/g, '\\$&'), mode: 'insensitive' } as const;
  const rows = await deps.db.user.findMany({
    where: {
      ...(input.after ? { id: { gt: BigInt(input.after) } } : {}),
      ...(input.query ? { OR: [{ username: prefix }, { email: prefix }] } : {}),
    },
    select: adminUserSelect,
    orderBy: { id: 'asc' },
    take: input.limit,
  });
  return rows.map(toAdminUser);
}

async function loadUser(deps: Deps, userId: bigint) {
  return (await deps.db.user.findUnique({ where: { id: userId }, select: adminUserSelect })) ?? notFound.user();
}

/**
 * The account can no longer log in; its sessions and the tokens of the bots it owns are revoked at
 * once on every node (open gateway connections and event streams close). Administrators cannot
 * disable themselves (the instance could be left without one).
 */
export async function disableUser(deps: Deps, adminId: bigint, userId: bigint) {
  if (adminId === userId) fail('BAD_REQUEST', 'INVALID_FORM_BODY', 'Administrators cannot disable themselves');
  await loadUser(deps, userId);
  await deps.db.user.update({ where: { id: userId }, data: { disabledAt: new Date() } });
  const bots = await deps.db.application.findMany({ where: { ownerId: userId }, select: { id: true } });
  await Promise.all([userId, ...bots.map((b) => b.id)].map((id) => revokeAllSessions(deps, id)));
  return toAdminUser(await loadUser(deps, userId));
}

/** Lets the account log in again (its bots need new tokens from their owner: the old ones stay revoked). */
export async function enableUser(deps: Deps, userId: bigint) {
  await loadUser(deps, userId);
  await deps.db.user.update({ where: { id: userId }, data: { disabledAt: null } });
  return toAdminUser(await loadUser(deps, userId));
}

export async function deleteGuild(deps: Deps, guildId: bigint) {
  if (!(await deps.db.guild.findUnique({ where: { id: guildId }, select: { id: true } }))) return notFound.guild();
  return removeGuild(deps, guildId);
}

export async function instanceStats(deps: Deps) {
  const [users, bots, disabledUsers, deletedUsers, guilds, channels, messages] = await Promise.all([
    deps.db.user.count({ where: { bot: false, deletedAt: null } }),
    deps.db.user.count({ where: { bot: true } }),
    deps.db.user.count({ where: { disabledAt: { not: null } } }),
    deps.db.user.count({ where: { deletedAt: { not: null } } }),
    deps.db.guild.count(),
    deps.db.channel.count({ where: { guildId: { not: null } } }),
    deps.db.message.count(),
  ]);
  return { users, bots, disabledUsers, deletedUsers, guilds, channels, messages };
}
