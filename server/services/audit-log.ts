// The audit log. An entry is written in the transaction of the change it records (both or neither),
// and announced (GUILD_AUDIT_LOG_ENTRY_CREATE, to members with VIEW_AUDIT_LOG) once that committed.
import type { z } from 'zod';
import type { AuditLog, AuditLogChange, AuditLogEntry, listAuditLogInput } from '../../shared/schemas/audit-log.js';
import type { AppDeps } from '../deps.js';
import type * as Rows from '../db/generated/client.js';
import * as publish from '../realtime/publish.js';
import type { Tx } from './limits.js';
import { Permissions, requireGuildPermission } from './permissions.js';
import { publicUserSelect, toPublicUser } from './serialize.js';

export interface AuditRecord {
  actorId: bigint;
  actionType: number;
  targetId: bigint | null;
  changes?: AuditLogChange[];
  options?: Record<string, string>;
  reason?: string;
}

function toAuditLogEntry(row: Rows.AuditLogEntry): AuditLogEntry {
  return {
    id: String(row.id),
    guildId: String(row.guildId),
    userId: String(row.userId),
    targetId: row.targetId === null ? null : String(row.targetId),
    actionType: row.actionType,
    changes: row.changes as AuditLogChange[],
    options: (row.options as Record<string, string> | null) ?? null,
    reason: row.reason,
  };
}

/** Writes an entry inside the caller's transaction; announce it with announceAuditEntries after the commit. */
export async function recordAudit(tx: Tx, deps: Pick<AppDeps, 'ids'>, guildId: bigint, r: AuditRecord): Promise<AuditLogEntry> {
  const row = await tx.auditLogEntry.create({
    data: {
      id: deps.ids.next(),
      guildId,
      userId: r.actorId,
      targetId: r.targetId,
      actionType: r.actionType,
      changes: r.changes ?? [],
      ...(r.options ? { options: r.options } : {}),
      reason: r.reason ?? null,
    },
  });
  return toAuditLogEntry(row);
}

export async function announceAuditEntries(deps: Pick<AppDeps, 'bus'>, entries: AuditLogEntry[]) {
  for (const entry of entries) {
    await publish.toGuild(deps, entry.guildId, { type: 'GUILD_AUDIT_LOG_ENTRY_CREATE', data: entry });
  }
}

/** VIEW_AUDIT_LOG. Newest first; `after` pages towards newer entries (the `limit` just above it). */
export async function listAuditLog(deps: Pick<AppDeps, 'db' | 'cache'>, userId: bigint, input: z.infer<typeof listAuditLogInput>): Promise<AuditLog> {
  const guildId = BigInt(input.guildId);
  await requireGuildPermission(deps, guildId, userId, Permissions.VIEW_AUDIT_LOG);
  const olderThan = input.before ? { lt: BigInt(input.before) } : {};
  const newerThan = input.after ? { gt: BigInt(input.after) } : {};
  const rows = await deps.db.auditLogEntry.findMany({
    where: {
      guildId,
      id: { ...olderThan, ...newerThan },
      ...(input.userId ? { userId: BigInt(input.userId) } : {}),
      ...(input.actionType ? { actionType: input.actionType } : {}),
    },
    // with only `after`: the entries just above it, then shown newest first like every page
    orderBy: { id: input.after && !input.before ? 'asc' : 'desc' },
    take: input.limit,
  });
  rows.sort((a, b) => (a.id < b.id ? 1 : -1));
  const userIds = new Set<bigint>();
  for (const r of rows) {
    userIds.add(r.userId);
    if (r.targetId !== null) userIds.add(r.targetId);
  }
  // targets that are not users (roles, channels) simply match no user row
  const users = await deps.db.user.findMany({ where: { id: { in: [...userIds] } }, select: publicUserSelect, orderBy: { id: 'asc' } });
  return { entries: rows.map(toAuditLogEntry), users: users.map(toPublicUser) };
}
