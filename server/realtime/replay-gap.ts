// What of a resume gap (the events a stream missed between its resume point and now) the stream
// was entitled to, as far as the events themselves tell. The feed then checks each remaining event
// against today's permissions (audience.ts).
//
// - Membership: a guild's events count only while the user was a member: a guild whose first
//   membership event in the gap (on the user's own topic) is a GUILD_CREATE was joined in the gap,
//   and counts from that GUILD_CREATE on; a GUILD_DELETE ends it (left, kicked, deleted). A guild
//   the user is in now without a membership event in the gap was theirs at the resume point,
//   unless its membership is younger than the resume point (its GUILD_CREATE never reached the
//   resume buffer): then the gap cannot be judged and the client resyncs.
// - Permissions: today's permissions are the ones a channel event had only if nothing in the gap
//   altered them after it (a role update, the user's own member update, the channel's update). A
//   channel event followed by such a change is `uncertain`: the feed resyncs rather than replay it
//   on a guess, if the user may see it today (one hidden today is dropped either way).
import { AUDIENCE } from './audience.js';
import { parseEventId, type BusEvent } from './bus.js';

export interface GapVerdict {
  /** the gap's events the user's membership allowed, in order */
  entitled: BusEvent[];
  /** channel events whose permissions may have changed after them */
  uncertain: Set<BusEvent>;
}

const isMembershipEvent = (e: BusEvent) => e.type === 'GUILD_CREATE' || e.type === 'GUILD_DELETE';

/**
 * `joinedAt`: when the user joined each guild they are in now (ms); `resumePoint`: the bus id the
 * stream resumes after.
 */
export function judgeGap(userId: bigint, missed: BusEvent[], joinedAt: ReadonlyMap<string, number>, resumePoint: string): GapVerdict | 'resync' {
  const firstChange = new Map<string, BusEvent['type']>();
  for (const e of missed) if (isMembershipEvent(e) && !firstChange.has(e.guildId!)) firstChange.set(e.guildId!, e.type);
  const resumedAt = parseEventId(resumePoint)!.at;
  for (const [guildId, at] of joinedAt) if (!firstChange.has(guildId) && at > resumedAt) return 'resync';

  const member = new Map<string, boolean>();
  for (const [guildId, type] of firstChange) member.set(guildId, type !== 'GUILD_CREATE');
  const entitled: BusEvent[] = [];
  for (const e of missed) {
    if (isMembershipEvent(e)) member.set(e.guildId!, e.type === 'GUILD_CREATE');
    else if (e.guildId && member.get(e.guildId) === false) continue;
    entitled.push(e);
  }
  return { entitled, uncertain: uncertainEvents(String(userId), entitled) };
}

/** Channel events followed, later in the gap, by an event that may alter their permissions. */
function uncertainEvents(userId: string, events: BusEvent[]): Set<BusEvent> {
  const alteredGuilds = new Set<string>();
  const alteredChannels = new Set<string>();
  const uncertain = new Set<BusEvent>();
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i]!;
    const rule = AUDIENCE[e.type];
    if (!e.guildId) continue;
    if (rule.to === 'channel' && (alteredGuilds.has(e.guildId) || alteredChannels.has(e.channelId!))) uncertain.add(e);
    if (rule.to === 'followers' || !rule.alters) continue;
    if (rule.alters === 'guild') alteredGuilds.add(e.guildId);
    else if (rule.alters === 'channel') alteredChannels.add(e.channelId!);
    else if (e.type === 'GUILD_MEMBER_UPDATE' && e.data.user.id === userId) alteredGuilds.add(e.guildId);
  }
  return uncertain;
}
