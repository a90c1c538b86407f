// Roles and the role hierarchy. Positions are dense: @everyone is 0, the other roles are 1..n
// (n = highest), and creating, moving or deleting a role shifts the roles in between, as in Discord.
// A non-owner may only touch roles strictly below their own highest role, and members whose highest
// role is strictly below theirs; nobody but the owner can grant permissions they do not hold.
import type { z } from 'zod';
import type { createRoleInput, updateRoleInput } from '../../shared/schemas/role.js';
import type { AppDeps } from '../deps.js';
import type { Db, Prisma } from '../db/prisma.js';
import * as publish from '../realtime/publish.js';
import type { EventPayload } from '../../shared/schemas/events.js';
import { fail, missingPermissions, notFound } from './errors.js';
import { lockGuild, requireRoleRoom, type Tx } from './limits.js';
import { highestRolePosition, invalidateGuildPermissions, Permissions, requireGuildPermission } from './permissions.js';
import { toRole } from './serialize.js';

type Deps = Pick<AppDeps, 'db' | 'cache' | 'bus' | 'ids' | 'config'>;

/** A bot's managed role comes and goes with the bot; nobody assigns or deletes it by hand. */
export const managedRole = (): never => fail('BAD_REQUEST', 'INVALID_FORM_BODY', "A bot's managed role cannot be assigned, removed or deleted by hand");

const roleHierarchy = (): never => fail('FORBIDDEN', 'ROLE_HIERARCHY', 'Missing Permissions: role hierarchy');

/** A non-owner may only manage roles positioned strictly below their own highest role. */
export async function requireRoleBelowActor(deps: Pick<AppDeps, 'db' | 'cache'>, guildId: bigint, actorId: bigint, position: number) {
  if (position >= (await highestRolePosition(deps, guildId, actorId))) roleHierarchy();
}

/** A non-owner may only act on members whose highest role is strictly below theirs (never the owner). */
export async function requireMemberBelowActor(deps: Pick<AppDeps, 'db' | 'cache'>, guildId: bigint, actorId: bigint, targetId: bigint) {
  const [actor, target] = await Promise.all([highestRolePosition(deps, guildId, actorId), highestRolePosition(deps, guildId, targetId)]);
  if (target >= actor) roleHierarchy();
}

/** Refuses granting bits the actor lacks (owners and administrators hold every bit). */
function requireHeldPermissions(actorPerms: bigint, requested: bigint) {
  if ((requested & ~actorPerms) !== 0n) missingPermissions();
}

/** A role of this guild (by id), or Unknown Role. */
export async function findRole(db: Db | Tx, guildId: bigint, roleId: bigint) {
  const role = await db.role.findUnique({ where: { id: roleId } });
  return role && role.guildId === guildId ? role : notFound.role();
}

async function topPosition(tx: Tx, guildId: bigint) {
  const r = await tx.role.aggregate({ where: { guildId }, _max: { position: true } });
  return r._max.position ?? 0;
}

/** Shifts the non-@everyone roles with position in [from, to] (to omitted: the top) by `by`. */
function shiftRoles(tx: Tx, guildId: bigint, by: 1 | -1, from: number, to?: number) {
  return tx.role.updateMany({
    where: { guildId, id: { not: guildId }, position: { gte: from, ...(to !== undefined ? { lte: to } : {}) } },
    data: { position: { increment: by } },
  });
}

export async function afterRoleChange(deps: Pick<AppDeps, 'db' | 'cache' | 'bus'>, guildId: bigint, event: EventPayload<'GUILD_ROLE_CREATE' | 'GUILD_ROLE_UPDATE' | 'GUILD_ROLE_DELETE'>) {
  await invalidateGuildPermissions(deps, guildId);
  await publish.toGuild(deps, guildId, event);
}

type NewRole = Pick<Prisma.RoleUncheckedCreateInput, 'name' | 'permissions' | 'color' | 'hoist' | 'mentionable' | 'botId'>;

/** Inserts a role at `wanted` (capped at the top + 1); roles from there up move up one. Call with the guild locked. */
export async function insertRole(tx: Tx, deps: Pick<AppDeps, 'ids'>, guildId: bigint, wanted: number, role: NewRole) {
  const position = Math.min(wanted, (await topPosition(tx, guildId)) + 1);
  await shiftRoles(tx, guildId, 1, position);
  return tx.role.create({ data: { id: deps.ids.next(), guildId, position, ...role } });
}

export async function listRoles(deps: Deps, userId: bigint, guildId: bigint) {
  await requireGuildPermission(deps, guildId, userId);
  const roles = await deps.db.role.findMany({ where: { guildId }, orderBy: [{ position: 'asc' }, { id: 'asc' }] });
  return roles.map(toRole);
}

/** Creates a role at `position` (default 1, just above @everyone); roles from there up move up one. */
export async function createRole(deps: Deps, userId: bigint, input: z.infer<typeof createRoleInput>) {
  const guildId = BigInt(input.guildId);
  const perms = await requireGuildPermission(deps, guildId, userId, Permissions.MANAGE_ROLES);
  const permissions = BigInt(input.permissions ?? '0');
  requireHeldPermissions(perms, permissions);
  const wanted = input.position ?? 1;
  // Inserting at the actor's own position puts the new role directly below theirs (theirs moves up).
  if (wanted > (await highestRolePosition(deps, guildId, userId))) roleHierarchy();
  const role = await deps.db.$transaction(async (tx) => {
    await lockGuild(tx, guildId);
    await requireRoleRoom(tx, deps.config, guildId);
    return insertRole(tx, deps, guildId, wanted, {
      name: input.name ?? 'new role',
      permissions,
      color: input.color ?? 0,
      hoist: input.hoist ?? false,
      mentionable: input.mentionable ?? false,
    });
  });
  const out = toRole(role);
  await afterRoleChange(deps, guildId, { type: 'GUILD_ROLE_CREATE', data: out });
  return out;
}

export async function updateRole(deps: Deps, userId: bigint, input: z.infer<typeof updateRoleInput>) {
  const guildId = BigInt(input.guildId);
  const roleId = BigInt(input.roleId);
  const perms = await requireGuildPermission(deps, guildId, userId, Permissions.MANAGE_ROLES);
  const current = await findRole(deps.db, guildId, roleId);
  await requireRoleBelowActor(deps, guildId, userId, current.position);
  if (input.permissions !== undefined) requireHeldPermissions(perms, BigInt(input.permissions) & ~current.permissions);
  if (input.position !== undefined) {
    if (roleId === guildId) fail('BAD_REQUEST', 'INVALID_FORM_BODY', 'The @everyone role cannot be moved');
    await requireRoleBelowActor(deps, guildId, userId, input.position);
  }
  const { position: wanted, permissions, guildId: _g, roleId: _r, ...fields } = input;
  const role = await deps.db.$transaction(async (tx) => {
    await lockGuild(tx, guildId);
    const now = await findRole(tx, guildId, roleId);
    let position = now.position;
    if (wanted !== undefined && wanted !== now.position) {
      position = Math.min(wanted, await topPosition(tx, guildId));
      if (position < now.position) await shiftRoles(tx, guildId, 1, position, now.position - 1);
      else await shiftRoles(tx, guildId, -1, now.position + 1, position);
    }
    return tx.role.update({
      where: { id: roleId },
      data: { ...fields, position, ...(permissions !== undefined ? { permissions: BigInt(permissions) } : {}) },
    });
  });
  const out = toRole(role);
  await afterRoleChange(deps, guildId, { type: 'GUILD_ROLE_UPDATE', data: out });
  return out;
}

/** Deletes a role, its channel overwrites and its assignments; the roles above move down one. */
export async function deleteRole(deps: Deps, userId: bigint, guildId: bigint, roleId: bigint) {
  await requireGuildPermission(deps, guildId, userId, Permissions.MANAGE_ROLES);
  if (roleId === guildId) fail('BAD_REQUEST', 'INVALID_FORM_BODY', 'The @everyone role cannot be deleted');
  const current = await findRole(deps.db, guildId, roleId);
  if (current.botId !== null) managedRole();
  await requireRoleBelowActor(deps, guildId, userId, current.position);
  await deps.db.$transaction(async (tx) => {
    await lockGuild(tx, guildId);
    await removeRoleRow(tx, guildId, await findRole(tx, guildId, roleId));
  });
  // data: {guildId, roleId} of the deleted role
  await afterRoleChange(deps, guildId, { type: 'GUILD_ROLE_DELETE', data: { guildId: String(guildId), roleId: String(roleId) } });
  return { ok: true as const };
}

/** Deletes a role with its overwrites and assignments; the roles above move down one. Call with the guild locked. */
async function removeRoleRow(tx: Tx, guildId: bigint, role: { id: bigint; position: number }) {
  await tx.role.delete({ where: { id: role.id } });
  await tx.permissionOverwrite.deleteMany({ where: { targetId: role.id, type: 0, channel: { guildId } } });
  await shiftRoles(tx, guildId, -1, role.position + 1);
}

/** A bot left the guild: its managed role goes too (as on Discord). */
export async function deleteManagedRole(deps: Pick<AppDeps, 'db' | 'cache' | 'bus'>, guildId: bigint, botId: bigint) {
  const removed = await deps.db.$transaction(async (tx) => {
    await lockGuild(tx, guildId);
    const role = await tx.role.findUnique({ where: { guildId_botId: { guildId, botId } } });
    if (role) await removeRoleRow(tx, guildId, role);
    return role;
  });
  if (removed) await afterRoleChange(deps, guildId, { type: 'GUILD_ROLE_DELETE', data: { guildId: String(guildId), roleId: String(removed.id) } });
}
