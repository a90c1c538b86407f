// Discord's count limits: guilds per user (memberships, owned or joined), roles and channels per
// guild. A count and the insert it allows run in one transaction, after a row lock on the row the
// count belongs to (the user's, the guild's), so concurrent creates queue behind each other and the
// last one in sees the others' rows: the limit cannot be overshot. FOR NO KEY UPDATE serializes
// only these lockers; inserts that merely reference the row (foreign-key checks) are not blocked.
import type { Config } from '../config.js';
import type { Db } from '../db/prisma.js';
import { fail } from './errors.js';

/** A transaction's client (what `db.$transaction(async (tx) => ...)` hands over). */
export type Tx = Parameters<Parameters<Db['$transaction']>[0]>[0];

type Limits = Pick<Config, 'MAX_GUILDS_PER_USER' | 'MAX_ROLES_PER_GUILD' | 'MAX_CHANNELS_PER_GUILD'>;

export async function lockUser(tx: Tx, userId: bigint) {
  await tx.$queryRaw`SELECT 1 FROM users WHERE id = ${userId} FOR NO KEY UPDATE`;
}

/** Also serializes role reordering within one guild (positions must stay dense under concurrency). */
export async function lockGuild(tx: Tx, guildId: bigint) {
  await tx.$queryRaw`SELECT 1 FROM guilds WHERE id = ${guildId} FOR NO KEY UPDATE`;
}

/** Refuses one more guild for a user already in MAX_GUILDS_PER_USER; the caller holds lockUser. */
export async function requireGuildRoom(tx: Tx, limits: Limits, userId: bigint) {
  const max = limits.MAX_GUILDS_PER_USER;
  if ((await tx.member.count({ where: { userId } })) >= max) fail('BAD_REQUEST', 'MAX_GUILDS', `Maximum number of guilds reached (${max})`);
}

/** Refuses one more role (@everyone counts) in a guild at MAX_ROLES_PER_GUILD; the caller holds lockGuild. */
export async function requireRoleRoom(tx: Tx, limits: Limits, guildId: bigint) {
  const max = limits.MAX_ROLES_PER_GUILD;
  if ((await tx.role.count({ where: { guildId } })) >= max) fail('BAD_REQUEST', 'MAX_ROLES', `Maximum number of guild roles reached (${max})`);
}

/** Refuses one more channel (categories count) in a guild at MAX_CHANNELS_PER_GUILD; the caller holds lockGuild. */
export async function requireChannelRoom(tx: Tx, limits: Limits, guildId: bigint) {
  const max = limits.MAX_CHANNELS_PER_GUILD;
  if ((await tx.channel.count({ where: { guildId } })) >= max) fail('BAD_REQUEST', 'MAX_CHANNELS', `Maximum number of guild channels reached (${max})`);
}
