// A person's own account: renaming it, changing its password, deleting it.
import { TRPCError } from '@trpc/server';
import type { AppDeps } from '../deps.js';
import { hashPassword, requirePassword, revokeAllSessions } from './auth.js';
import { deleteApplication } from './applications.js';
import { isUniqueViolation } from './db-errors.js';
import { fail } from './errors.js';
import { lockUser } from './limits.js';
import { removeMember } from './members.js';
import { announceUserUpdate } from './users.js';

type Deps = Pick<AppDeps, 'db' | 'cache' | 'bus' | 'ids' | 'config' | 'sessions'>;

/**
 * A new username, unique regardless of case (users_username_lower_key). The account's clients hear
 * USER_UPDATE and its guilds GUILD_MEMBER_UPDATE; cached sessions, which carry the name, are reread.
 */
export async function changeUsername(deps: Deps, userId: bigint, username: string) {
  let user;
  try {
    user = await deps.db.user.update({ where: { id: userId }, data: { username } });
  } catch (err) {
    if (isUniqueViolation(err)) fail('CONFLICT', 'USERNAME_TAKEN', 'Username is already taken');
    throw err;
  }
  const sessions = await deps.db.session.findMany({ where: { userId, revokedAt: null }, select: { id: true } });
  await Promise.all(sessions.map((s) => deps.sessions.reload(s.id)));
  return announceUserUpdate(deps, user, true);
}

/** Confirmed with the current password; every other session of the account ends (this one stays). */
export async function changePassword(deps: Deps, userId: bigint, sessionId: bigint, password: string, newPassword: string) {
  await requirePassword(deps, userId, password);
  await deps.db.user.update({ where: { id: userId }, data: { passwordHash: await hashPassword(newPassword) } });
  return { revoked: await revokeAllSessions(deps, userId, sessionId) };
}

/** Never a valid username (spaces), so no one can register it; the id keeps each one unique. */
const deletedUsername = (userId: bigint) => `Deleted User ${userId.toString(16)}`;

/**
 * Deletes the account as Discord does: refused while it owns guilds (transfer or delete them
 * first); its sessions end, its applications are deleted, it leaves every guild; the user row stays
 * as a "Deleted User" placeholder without credentials or profile, so the messages it wrote keep
 * their author and their conversations stay readable to the others.
 */
export async function deleteAccount(deps: Deps, userId: bigint, password: string) {
  await requirePassword(deps, userId, password);
  const ownsGuilds = () => fail('BAD_REQUEST', 'OWNS_GUILDS', 'You must transfer ownership of any owned guilds before deleting your account');
  if ((await deps.db.guild.count({ where: { ownerId: userId } })) > 0) ownsGuilds();
  await revokeAllSessions(deps, userId);
  const applications = await deps.db.application.findMany({ where: { ownerId: userId }, select: { id: true } });
  for (const { id } of applications) await deleteApplication(deps, userId, id);
  const memberships = await deps.db.member.findMany({ where: { userId }, select: { guildId: true } });
  for (const { guildId } of memberships) {
    await removeMember(deps, guildId, userId).catch((err: unknown) => {
      if (!(err instanceof TRPCError && err.code === 'NOT_FOUND')) throw err;
    });
  }
  // guild creation holds the same lock: no guild can have been created since the check above
  await deps.db.$transaction(async (tx) => {
    await lockUser(tx, userId);
    if ((await tx.guild.count({ where: { ownerId: userId } })) > 0) ownsGuilds();
    await tx.user.update({
      where: { id: userId },
      data: {
        username: deletedUsername(userId),
        email: null,
        passwordHash: null,
        displayName: null,
        avatar: null,
        bio: null,
        status: 'online',
        activities: [],
        deletedAt: new Date(),
      },
    });
  });
  return { ok: true as const };
}
