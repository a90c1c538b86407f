// Guild snapshots: everything a client caches about its guilds when it connects (the gateway's
// GUILD_CREATE payloads), for all of them at once in four queries whatever the number of guilds:
// memberships with guilds, roles and emoji, channels with overwrites, member counts, then the member lists
// of the guilds that are not large. A burst of connecting clients costs the database a few queries
// each, not a few per guild and per channel. Visibility is computed from the loaded rows.
import type { z } from 'zod';
import type { GuildSnapshot, guildSnapshotsInput } from '../../shared/schemas/guild.js';
import type { AppDeps } from '../deps.js';
import { canViewLoaded } from './permissions.js';
import { memberPresenceOf } from './presence.js';
import { channelInclude, memberInclude, toChannel, toGuild, toMember } from './serialize.js';

type Deps = Pick<AppDeps, 'db' | 'presence'>;

export async function guildSnapshots(deps: Deps, userId: bigint, input: z.infer<typeof guildSnapshotsInput>): Promise<GuildSnapshot[]> {
  const { db } = deps;
  const memberships = await db.member.findMany({
    where: { userId, ...(input.guildIds ? { guildId: { in: input.guildIds.map(BigInt) } } : {}) },
    include: { ...memberInclude, guild: { include: { roles: true, emojis: { orderBy: { id: 'asc' } } } } },
    orderBy: { guildId: 'asc' },
  });
  if (memberships.length === 0) return [];
  const guildIds = memberships.map((m) => m.guildId);
  const [channels, counts] = await Promise.all([
    db.channel.findMany({ where: { guildId: { in: guildIds } }, include: channelInclude, orderBy: [{ position: 'asc' }, { id: 'asc' }] }),
    db.member.groupBy({ by: ['guildId'], where: { guildId: { in: guildIds } }, _count: { _all: true } }),
  ]);
  const countOf = new Map(counts.map((c) => [c.guildId, c._count._all]));
  const small = guildIds.filter((id) => (countOf.get(id) ?? 0) <= input.memberLimit);
  const members = small.length
    ? await db.member.findMany({ where: { guildId: { in: small } }, include: memberInclude, orderBy: [{ guildId: 'asc' }, { userId: 'asc' }] })
    : [];
  const shown = await deps.presence.visible([...new Set(members.map((m) => m.userId))]);
  const membersOf = groupBy(members, (m) => m.guildId);
  const channelsOf = groupBy(channels, (c) => c.guildId);

  return memberships.map((self) => {
    const guild = self.guild;
    const roleIds = self.roles.map((r) => r.roleId);
    const listed = membersOf.get(guild.id) ?? [];
    const memberCount = countOf.get(guild.id) ?? 1;
    return {
      guild: toGuild(guild, memberCount),
      self: toMember(self),
      memberCount,
      members: listed.map(toMember),
      channels: (channelsOf.get(guild.id) ?? []).filter((c) => canViewLoaded(guild, userId, roleIds, c.overwrites)).map(toChannel),
      presences: listed.flatMap((m) => memberPresenceOf(m.userId, shown.get(m.userId)) ?? []),
    };
  });
}

function groupBy<T, K>(rows: T[], key: (row: T) => K): Map<K, T[]> {
  const out = new Map<K, T[]>();
  for (const row of rows) {
    const k = key(row);
    const list = out.get(k);
    if (list) list.push(row);
    else out.set(k, [row]);
  }
  return out;
}
