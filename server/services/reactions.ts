// Reactions with Discord's rules: READ_MESSAGE_HISTORY to react, ADD_REACTIONS to be the first with
// an emoji, at most 20 different emoji per message, MANAGE_MESSAGES to remove others' reactions.
// Each user may react with an emoji once normally and once as a super (burst) reaction; the two
// count apart (count_details) and are removed apart, and an emoji counts once towards the 20 either way.
// Reacting twice, or removing what is not there, changes nothing and publishes nothing. Counts are
// the rows themselves, so concurrent reactions count exactly; adding a new emoji locks the message row
// so two concurrent "21st emoji" cannot both get in. Custom emoji: those of the message's guild
// (reaction-emoji.ts); rows and queries use the emoji's key, objects and events show its `name:id`.
import type { z } from 'zod';
import {
  MAX_DISTINCT_REACTIONS,
  ReactionType,
  type clearReactionsInput,
  type listReactionsInput,
  type reactionInput,
  type ReactionAdded,
  type ReactionRemoved,
  type ReactionsCleared,
  type removeReactionInput,
} from '../../shared/schemas/reaction.js';
import type { PublicUser } from '../../shared/schemas/user.js';
import type { EventPayload } from '../../shared/schemas/events.js';
import type { AppDeps } from '../deps.js';
import * as publish from '../realtime/publish.js';
import { fail, missingPermissions, notFound } from './errors.js';
import { resolveReactionEmoji } from './reaction-emoji.js';
import { hasPermission, Permissions, requireChannelPermission, type ChannelInfo } from './permissions.js';
import { memberInclude, publicUserSelect, toMember, toPublicUser } from './serialize.js';

type Deps = Pick<AppDeps, 'db' | 'cache' | 'bus' | 'ids' | 'logger' | 'channelLines'>;

/** The channel (visible, with `need`) and the message in it, or Unknown Message. */
async function target(deps: Deps, userId: bigint, input: { channelId: string; messageId: string }, need: bigint) {
  const { channel, perms, timedOut } = await requireChannelPermission(deps, BigInt(input.channelId), userId, need);
  const message = await deps.db.message.findUnique({ where: { id: BigInt(input.messageId) }, select: { id: true, channelId: true, authorId: true } });
  if (message?.channelId !== channel.id) return notFound.message();
  return { channel, perms, timedOut, message };
}

const scope = (channel: ChannelInfo, messageId: bigint) => ({
  channelId: String(channel.id),
  messageId: String(messageId),
  guildId: channel.guildId === null ? null : String(channel.guildId),
});

type ReactionEvent = EventPayload<'MESSAGE_REACTION_ADD' | 'MESSAGE_REACTION_REMOVE' | 'MESSAGE_REACTION_REMOVE_ALL' | 'MESSAGE_REACTION_REMOVE_EMOJI'>;

/** Reaction events travel in the channel's line, after the message they are about. */
function publishInLine(deps: Deps, channel: ChannelInfo, event: ReactionEvent) {
  return deps.channelLines.append(channel.id, () => publish.toChannel(deps, channel, event));
}

export async function addReaction(deps: Deps, userId: bigint, input: z.infer<typeof reactionInput>) {
  const { channel, perms, timedOut, message } = await target(deps, userId, input, Permissions.READ_MESSAGE_HISTORY);
  const { key: emoji, shown } = await resolveReactionEmoji(deps.db, channel.guildId, input.emoji, true);
  const burst = input.type === ReactionType.BURST;
  const added = await deps.db.$transaction(async (tx) => {
    const key = { messageId: message.id, emoji, userId, burst };
    if (await tx.reaction.findUnique({ where: { messageId_emoji_userId_burst: key }, select: { userId: true } })) return false;
    const existing = await tx.reaction.findFirst({ where: { messageId: message.id, emoji }, select: { userId: true } });
    // Joining a reaction needs only READ_MESSAGE_HISTORY, except for a timed-out member (Discord: no reacting at all).
    if ((!existing || timedOut) && !hasPermission(perms, Permissions.ADD_REACTIONS)) missingPermissions();
    if (!existing) {
      const locked = await tx.$queryRaw<unknown[]>`SELECT 1 FROM messages WHERE id = ${message.id} FOR NO KEY UPDATE`;
      if (locked.length === 0) notFound.message();
      const distinct = await tx.reaction.groupBy({ by: ['emoji'], where: { messageId: message.id } });
      if (distinct.length >= MAX_DISTINCT_REACTIONS && !distinct.some((d) => d.emoji === emoji)) {
        fail('BAD_REQUEST', 'MAX_REACTIONS', 'Maximum number of reactions reached (20)');
      }
    }
    const inserted = await tx.$executeRaw`
      INSERT INTO reactions (message_id, emoji, user_id, burst) SELECT ${message.id}, ${emoji}, ${userId}, ${burst}
      WHERE EXISTS (SELECT 1 FROM messages WHERE id = ${message.id})
      ON CONFLICT DO NOTHING`;
    return inserted > 0;
  });
  if (added) {
    const member =
      channel.guildId === null
        ? undefined
        : await deps.db.member.findUnique({ where: { guildId_userId: { guildId: channel.guildId, userId } }, include: memberInclude });
    await publishInLine(deps, channel, {
      type: 'MESSAGE_REACTION_ADD',
      data: {
        ...scope(channel, message.id),
        userId: String(userId),
        emoji: shown,
        burst,
        messageAuthorId: String(message.authorId),
        ...(member ? { member: toMember(member) } : {}),
      },
    });
  }
  return { ok: true as const };
}

export async function removeReaction(deps: Deps, userId: bigint, input: z.infer<typeof removeReactionInput>) {
  const reactor = input.userId === undefined ? userId : BigInt(input.userId);
  const { channel, perms, message } = await target(deps, userId, input, 0n);
  if (reactor !== userId && !hasPermission(perms, Permissions.MANAGE_MESSAGES)) missingPermissions();
  const { key: emoji, shown } = await resolveReactionEmoji(deps.db, channel.guildId, input.emoji, false);
  const burst = input.type === ReactionType.BURST;
  const { count } = await deps.db.reaction.deleteMany({ where: { messageId: message.id, emoji, userId: reactor, burst } });
  if (count > 0) await publishInLine(deps, channel, { type: 'MESSAGE_REACTION_REMOVE', data: { ...scope(channel, message.id), userId: String(reactor), emoji: shown, burst } });
  return { ok: true as const };
}

/** Every reaction of the message, or every reaction with one emoji (MANAGE_MESSAGES). */
export async function clearReactions(deps: Deps, userId: bigint, input: z.infer<typeof clearReactionsInput>) {
  const { channel, message } = await target(deps, userId, input, Permissions.MANAGE_MESSAGES);
  const emoji = input.emoji === undefined ? undefined : await resolveReactionEmoji(deps.db, channel.guildId, input.emoji, false);
  const { count } = await deps.db.reaction.deleteMany({ where: { messageId: message.id, ...(emoji ? { emoji: emoji.key } : {}) } });
  if (count > 0) {
    const data = { ...scope(channel, message.id), ...(emoji ? { emoji: emoji.shown } : {}) };
    await publishInLine(deps, channel, { type: emoji ? 'MESSAGE_REACTION_REMOVE_EMOJI' : 'MESSAGE_REACTION_REMOVE_ALL', data });
  }
  return { ok: true as const };
}

/** Who reacted with the emoji as `type` (normal or burst), by user id. */
export async function listReactions(deps: Deps, userId: bigint, input: z.infer<typeof listReactionsInput>): Promise<PublicUser[]> {
  const { channel, message } = await target(deps, userId, input, Permissions.READ_MESSAGE_HISTORY);
  const { key: emoji } = await resolveReactionEmoji(deps.db, channel.guildId, input.emoji, false);
  const rows = await deps.db.reaction.findMany({
    where: { messageId: message.id, emoji, burst: input.type === ReactionType.BURST, ...(input.after ? { userId: { gt: BigInt(input.after) } } : {}) },
    orderBy: { userId: 'asc' },
    take: input.limit,
    select: { user: { select: publicUserSelect } },
  });
  return rows.map((r) => toPublicUser(r.user));
}
