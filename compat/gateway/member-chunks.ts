// REQUEST_GUILD_MEMBERS (op 8) answers in Discord's shapes: the members found, in GUILD_MEMBERS_CHUNK
// dispatches of at most 1000 (numbered by chunk_index/chunk_count, each echoing the request's
// nonce), or RATE_LIMITED when the member search budget is spent.
import { GatewayOpcodes, type GatewayGuildMembersChunkDispatchData, type GatewayRateLimitedRequestGuildMembersDispatchData } from 'discord-api-types/v10';
import type { SearchMembersOutput } from '../../shared/schemas/member.js';
import { toDiscordMember, toDiscordPresence } from '../serializers.js';

export const MEMBERS_PER_CHUNK = 1000;
/** Discord: a nonce over 32 bytes is ignored (the chunks carry none) */
const MAX_NONCE_BYTES = 32;

export const usableNonce = (nonce: string | undefined) => (nonce !== undefined && Buffer.byteLength(nonce) <= MAX_NONCE_BYTES ? nonce : undefined);

/** The chunks answering one guild's search; `byIds`: the request listed user ids (so not_found is reported). */
export function memberChunks(guildId: string, found: SearchMembersOutput, byIds: boolean, nonce: string | undefined): GatewayGuildMembersChunkDispatchData[] {
  const count = Math.max(1, Math.ceil(found.members.length / MEMBERS_PER_CHUNK));
  return Array.from({ length: count }, (_, index) => {
    const members = found.members.slice(index * MEMBERS_PER_CHUNK, (index + 1) * MEMBERS_PER_CHUNK);
    const ids = new Set(members.map((m) => m.user.id));
    const presences = found.presences?.filter((p) => ids.has(p.userId));
    return {
      guild_id: guildId,
      members: members.map(toDiscordMember),
      chunk_index: index,
      chunk_count: count,
      ...(byIds && index === 0 ? { not_found: found.notFound } : {}),
      ...(presences ? { presences: presences.map((p) => toDiscordPresence(p)) } : {}),
      ...(nonce !== undefined ? { nonce } : {}),
    } as GatewayGuildMembersChunkDispatchData;
  });
}

export function memberRequestRateLimited(guildId: string, retryAfterMs: number, nonce: string | undefined): GatewayRateLimitedRequestGuildMembersDispatchData {
  return { opcode: GatewayOpcodes.RequestGuildMembers, retry_after: retryAfterMs / 1000, meta: { guild_id: guildId, ...(nonce !== undefined ? { nonce } : {}) } };
}
