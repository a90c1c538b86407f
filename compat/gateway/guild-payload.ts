// GUILD_CREATE payloads: the guild with its channels, roles, the first members, their presences and
// the caller's own membership, which is what Discord clients cache from the gateway. Built from the
// same tRPC procedures the REST API uses.
import type { Caller } from './caller.js';
import { toDiscordChannel, toDiscordGuild, toDiscordMember } from '../serializers.js';

/** Above this many members a guild is "large": only the first large_threshold are sent. */
const MEMBER_PAGE = 1000;

export async function guildCreatePayload(caller: Caller, guildId: string, userId: string, largeThreshold: number) {
  const [guild, channels, members, self, presences] = await Promise.all([
    caller.guilds.get({ guildId }),
    caller.guilds.channels({ guildId }),
    caller.members.list({ guildId, limit: MEMBER_PAGE }),
    caller.members.get({ guildId, userId }),
    caller.presence.guild({ guildId, limit: largeThreshold }),
  ]);
  const large = members.length > largeThreshold;
  const sent = members.slice(0, largeThreshold);
  if (!sent.some((m) => m.user.id === userId)) sent.push(self);
  return {
    ...toDiscordGuild(guild),
    joined_at: self.joinedAt,
    large,
    unavailable: false,
    member_count: members.length,
    voice_states: [],
    members: sent.map(toDiscordMember),
    channels: channels.map((c) => toDiscordChannel(c)),
    threads: [],
    presences: presences.map((p) => ({ user: { id: p.userId }, guild_id: guildId, status: p.status, activities: [], client_status: {} })),
    stage_instances: [],
    guild_scheduled_events: [],
    soundboard_sounds: [],
  };
}
