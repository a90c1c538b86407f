// Editing a guild member: nickname, roles and timeout. Each part is authorized on its own; the
// changes and their audit log entries are written in one transaction (the member's row locked, so
// concurrent edits queue), and announced with one GUILD_MEMBER_UPDATE. An edit that changes nothing
// records and announces nothing.
import type { z } from 'zod';
import { hasPermission, Permissions } from '../../shared/permissions.js';
import { AuditLogEvent, type AuditLogChange, type AuditLogValue } from '../../shared/schemas/audit-log.js';
import type { memberRoleInput, setNickInput, UpdateMemberInput } from '../../shared/schemas/member.js';
import type { AppDeps } from '../deps.js';
import { announceAuditEntries, recordAudit, type AuditRecord } from './audit-log.js';
import { fail, missingPermissions, notFound } from './errors.js';
import { loadMember, memberUpdated } from './members.js';
import { guildPermissions, requireGuildPermission } from './permissions.js';
import { managedRole, requireMemberBelowActor, requireRoleBelowActor } from './roles.js';
import { activeTimeout } from './serialize.js';

type Deps = Pick<AppDeps, 'db' | 'cache' | 'bus' | 'ids'>;

interface RoleRef {
  id: bigint;
  name: string;
}

interface Edit {
  nick?: string | null;
  add?: RoleRef[];
  remove?: RoleRef[];
  /** null lifts the timeout */
  timeoutUntil?: Date | null;
  reason?: string;
}

/** Own nickname: CHANGE_NICKNAME. Someone else's: MANAGE_NICKNAMES and a higher role than theirs. */
async function authorizeNick(deps: Deps, actorId: bigint, guildId: bigint, targetId: bigint) {
  if (targetId === actorId) return requireGuildPermission(deps, guildId, actorId, Permissions.CHANGE_NICKNAME);
  await requireGuildPermission(deps, guildId, actorId, Permissions.MANAGE_NICKNAMES);
  await requireMemberBelowActor(deps, guildId, actorId, targetId);
}

/** MODERATE_MEMBERS and a higher role than the target's (so never the owner); administrators cannot be timed out (Discord). */
async function authorizeTimeout(deps: Deps, actorId: bigint, guildId: bigint, targetId: bigint) {
  await requireGuildPermission(deps, guildId, actorId, Permissions.MODERATE_MEMBERS);
  await requireMemberBelowActor(deps, guildId, actorId, targetId);
  const targetPerms = await guildPermissions(deps, guildId, targetId);
  if (targetPerms !== null && hasPermission(targetPerms, Permissions.ADMINISTRATOR)) missingPermissions();
}

/** MANAGE_ROLES, and each role one of the guild's, not @everyone, not a bot's managed role, strictly below the actor's highest. */
async function authorizeRoles(deps: Deps, actorId: bigint, guildId: bigint, roleIds: bigint[]): Promise<RoleRef[]> {
  if (roleIds.length === 0) return [];
  await requireGuildPermission(deps, guildId, actorId, Permissions.MANAGE_ROLES);
  if (roleIds.includes(guildId)) fail('BAD_REQUEST', 'INVALID_FORM_BODY', 'The @everyone role cannot be assigned');
  const roles = await deps.db.role.findMany({ where: { guildId, id: { in: roleIds } } });
  if (roles.length !== new Set(roleIds).size) return notFound.role();
  if (roles.some((r) => r.botId !== null)) managedRole();
  await requireRoleBelowActor(deps, guildId, actorId, Math.max(...roles.map((r) => r.position)));
  return roles.map((r) => ({ id: r.id, name: r.name }));
}

/** members.update (Discord's PATCH /guilds/{g}/members/{u}): see updateMemberInput. */
export async function updateMember(deps: Deps, actorId: bigint, input: UpdateMemberInput) {
  const guildId = BigInt(input.guildId);
  const targetId = BigInt(input.userId);
  await requireGuildPermission(deps, guildId, actorId);
  const current = await deps.db.member.findUnique({
    where: { guildId_userId: { guildId, userId: targetId } },
    select: { roles: { select: { roleId: true, role: { select: { botId: true } } } } },
  });
  if (!current) return notFound.member();
  if (input.nick !== undefined) await authorizeNick(deps, actorId, guildId, targetId);
  if (input.communicationDisabledUntil !== undefined) await authorizeTimeout(deps, actorId, guildId, targetId);
  // an empty nickname clears it
  const edit: Edit = { nick: input.nick === undefined ? undefined : input.nick || null, reason: input.reason };
  if (input.roles) {
    // @everyone is implicit, and a bot's managed role stays whether listed or not
    const wanted = new Set(input.roles.map(BigInt).filter((id) => id !== guildId));
    const held = new Set(current.roles.map((r) => r.roleId));
    const unmanaged = current.roles.filter((r) => r.role.botId === null).map((r) => r.roleId);
    edit.add = await authorizeRoles(deps, actorId, guildId, [...wanted].filter((id) => !held.has(id)));
    edit.remove = await authorizeRoles(deps, actorId, guildId, unmanaged.filter((id) => !wanted.has(id)));
  }
  if (input.communicationDisabledUntil !== undefined) {
    const until = input.communicationDisabledUntil === null ? null : new Date(input.communicationDisabledUntil);
    edit.timeoutUntil = until && until.getTime() > Date.now() ? until : null;
  }
  return applyEdit(deps, actorId, guildId, targetId, edit);
}

/** members.setNick: the caller's own nickname, or (`userId`) someone else's. */
export async function setNick(deps: Deps, actorId: bigint, input: z.infer<typeof setNickInput>) {
  return updateMember(deps, actorId, { guildId: input.guildId, userId: input.userId ?? String(actorId), nick: input.nick, reason: input.reason });
}

export async function addRole(deps: Deps, actorId: bigint, input: z.infer<typeof memberRoleInput>) {
  return changeRole(deps, actorId, input, 'add');
}

export async function removeRole(deps: Deps, actorId: bigint, input: z.infer<typeof memberRoleInput>) {
  return changeRole(deps, actorId, input, 'remove');
}

async function changeRole(deps: Deps, actorId: bigint, input: z.infer<typeof memberRoleInput>, how: 'add' | 'remove') {
  const guildId = BigInt(input.guildId);
  const targetId = BigInt(input.userId);
  await requireGuildPermission(deps, guildId, actorId);
  const role = await authorizeRoles(deps, actorId, guildId, [BigInt(input.roleId)]);
  await loadMember(deps, guildId, targetId);
  return applyEdit(deps, actorId, guildId, targetId, { [how]: role, reason: input.reason });
}

/** Discord's change shape: a value that is null is left out. */
function change(key: string, oldValue: AuditLogValue | null | undefined, newValue: AuditLogValue | null | undefined): AuditLogChange {
  return { key, ...(oldValue != null ? { oldValue } : {}), ...(newValue != null ? { newValue } : {}) };
}

const roleList = (roles: RoleRef[]) => roles.map((r) => ({ id: String(r.id), name: r.name }));

async function applyEdit(deps: Deps, actorId: bigint, guildId: bigint, targetId: bigint, edit: Edit) {
  const { entries, permissionsChanged } = await deps.db.$transaction(async (tx) => {
    const locked = await tx.$queryRaw<unknown[]>`SELECT 1 FROM members WHERE guild_id = ${guildId} AND user_id = ${targetId} FOR NO KEY UPDATE`;
    if (locked.length === 0) return notFound.member();
    const before = await tx.member.findUniqueOrThrow({
      where: { guildId_userId: { guildId, userId: targetId } },
      select: { nick: true, communicationDisabledUntil: true, roles: { select: { roleId: true } } },
    });
    const changes: AuditLogChange[] = [];
    const data: { nick?: string | null; communicationDisabledUntil?: Date | null } = {};
    if (edit.nick !== undefined && edit.nick !== before.nick) {
      data.nick = edit.nick;
      changes.push(change('nick', before.nick, edit.nick));
    }
    const oldTimeout = activeTimeout(before.communicationDisabledUntil);
    const newTimeout = edit.timeoutUntil === undefined ? undefined : (edit.timeoutUntil?.toISOString() ?? null);
    if (newTimeout !== undefined && newTimeout !== oldTimeout) {
      data.communicationDisabledUntil = edit.timeoutUntil;
      changes.push(change('communication_disabled_until', oldTimeout, newTimeout));
    }
    if (changes.length) await tx.member.update({ where: { guildId_userId: { guildId, userId: targetId } }, data });

    const held = new Set(before.roles.map((r) => r.roleId));
    const added = (edit.add ?? []).filter((r) => !held.has(r.id));
    const removed = (edit.remove ?? []).filter((r) => held.has(r.id));
    if (added.length) await tx.memberRole.createMany({ data: added.map((r) => ({ guildId, userId: targetId, roleId: r.id })) });
    if (removed.length) await tx.memberRole.deleteMany({ where: { guildId, userId: targetId, roleId: { in: removed.map((r) => r.id) } } });

    const audit = { actorId, targetId, reason: edit.reason } satisfies Partial<AuditRecord>;
    const records: AuditRecord[] = [];
    if (changes.length) records.push({ ...audit, actionType: AuditLogEvent.MEMBER_UPDATE, changes });
    if (added.length || removed.length) {
      records.push({
        ...audit,
        actionType: AuditLogEvent.MEMBER_ROLE_UPDATE,
        changes: [...(added.length ? [change('$add', null, roleList(added))] : []), ...(removed.length ? [change('$remove', null, roleList(removed))] : [])],
      });
    }
    const written = [];
    for (const r of records) written.push(await recordAudit(tx, deps, guildId, r));
    return { entries: written, permissionsChanged: added.length > 0 || removed.length > 0 || 'communicationDisabledUntil' in data };
  });
  if (entries.length === 0) return loadMember(deps, guildId, targetId);
  const member = await memberUpdated(deps, guildId, targetId, { permissionsChanged });
  await announceAuditEntries(deps, entries);
  return member;
}
