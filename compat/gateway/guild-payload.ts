// GUILD_CREATE payloads: the guild with its channels, roles, the caller's own membership and, unless
// the guild is large (more members than the client's large_threshold), all members and their
// presences, which is what Discord clients cache from the gateway. Built from guilds.snapshots, the
// procedure that reads all of a user's guilds in a few queries.
import type { GuildSnapshot } from '../../shared/schemas/guild.js';
import { toDiscordChannel, toDiscordGuild, toDiscordMember, toDiscordPresence } from '../serializers.js';
import type { Caller } from '../../server/caller.js';

/** The GUILD_CREATE payloads of the caller's guilds (all of them, or those listed that they are in). */
export async function guildCreatePayloads(caller: Caller, largeThreshold: number, guildIds?: string[]) {
  const snapshots = await caller.guilds.snapshots({ memberLimit: largeThreshold, ...(guildIds ? { guildIds } : {}) });
  return snapshots.map((s) => toGuildCreate(s, s.memberCount > largeThreshold));
}

function toGuildCreate(s: GuildSnapshot, large: boolean) {
  const guildId = s.guild.id;
  return {
    ...toDiscordGuild(s.guild),
    joined_at: s.self.joinedAt,
    large,
    unavailable: false,
    member_count: s.memberCount,
    voice_states: [],
    members: (large ? [s.self] : s.members).map(toDiscordMember),
    channels: s.channels.map((c) => toDiscordChannel(c)),
    threads: [],
    presences: s.presences.map((p) => toDiscordPresence(p, guildId)),
    stage_instances: [],
    guild_scheduled_events: [],
    soundboard_sounds: [],
  };
}
