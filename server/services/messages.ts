// Messages: history with Discord's cursor semantics, and send/edit/delete with their events.
// A send costs one database write round trip (one statement inserts the message, reads the author's
// profile and, unless a merged bump is due anyway, bumps the channel's last_message_id: see
// last-message-id.ts); permission facts come from the cache.
import type { z } from 'zod';
import { ChannelType } from '../../shared/schemas/channel.js';
import { snowflakeFromTimestamp } from '../../shared/snowflake.js';
import type { Embed } from '../../shared/schemas/embed.js';
import {
  BULK_DELETE_MAX_AGE_MS,
  MessageFlag,
  MessageType,
  type bulkDeleteInput,
  type editMessageInput,
  type listMessagesInput,
  type Message,
  type MessageDeleted,
  type MessagesDeleted,
  type messageRefInput,
  type sendMessageInput,
} from '../../shared/schemas/message.js';
import type { AppDeps } from '../deps.js';
import { Prisma } from '../db/prisma.js';
import * as publish from '../realtime/publish.js';
import { attachmentKey, claimStaged, removeFiles, toAttachment, withOverrides, type AttachmentRow } from './attachments.js';
import { fail, missingPermissions, notFound } from './errors.js';
import { isForeignKeyViolation } from './db-errors.js';
import { resolveMentions, type Mentions } from './mentions.js';
import { claimedMessageId, claimNonceSql, NonceTaken, pruneExpiredNonces, type NonceClaim } from './message-nonces.js';
import { messageView, messageViews, reactionSummaries } from './message-view.js';
import { hasPermission, Permissions, requireChannelPermission, type ChannelInfo } from './permissions.js';
import { messageInclude, toMessage, type MessageExtras, type MessageRow as StoredMessage } from './serialize.js';

type Deps = Pick<AppDeps, 'db' | 'cache' | 'bus' | 'ids' | 'limiter' | 'logger' | 'metrics' | 'channelLines' | 'lastMessageIds' | 'config' | 'urls' | 'storage'>;

const TEXT_CHANNEL_TYPES: readonly number[] = [ChannelType.GUILD_TEXT, ChannelType.DM];
const SLOWMODE_EXEMPT = [Permissions.MANAGE_MESSAGES, Permissions.MANAGE_CHANNELS];

/** A text or DM channel the user may send to (typing needs the same). */
export async function requireSendableChannel(deps: Pick<AppDeps, 'db' | 'cache'>, channelId: bigint, userId: bigint) {
  const access = await requireChannelPermission(deps, channelId, userId);
  if (!TEXT_CHANNEL_TYPES.includes(access.channel.type)) fail('BAD_REQUEST', 'NOT_TEXT_CHANNEL', 'Cannot send messages in a non-text channel');
  if (!hasPermission(access.perms, Permissions.SEND_MESSAGES)) missingPermissions();
  return access;
}

/** A message needs text, an embed or a file (Discord: 50006 otherwise). */
function requireContent(content: string, embeds: readonly Embed[], files: number) {
  if (content.trim().length === 0 && embeds.length === 0 && files === 0) fail('BAD_REQUEST', 'EMPTY_MESSAGE', 'Cannot send an empty message');
}

type ListInput = z.infer<typeof listMessagesInput>;

/** One page of history, newest first, with Discord's before / after / around semantics. */
async function historyPage(deps: Deps, channelId: bigint, input: ListInput) {
  const page = (id: Prisma.BigIntFilter | undefined, order: 'asc' | 'desc', take: number) =>
    take === 0
      ? Promise.resolve([])
      : deps.db.message.findMany({ where: { channelId, ...(id ? { id } : {}) }, orderBy: { id: order }, take, include: messageInclude });
  const { limit } = input;
  if (input.after) return (await page({ gt: BigInt(input.after) }, 'asc', limit)).reverse();
  if (input.around) {
    const around = BigInt(input.around);
    // The message itself counts on the newer side, so limit 1 returns exactly that message.
    const [newer, older] = await Promise.all([
      page({ gte: around }, 'asc', Math.ceil(limit / 2)),
      page({ lt: around }, 'desc', Math.floor(limit / 2)),
    ]);
    return [...newer.reverse(), ...older];
  }
  return page(input.before ? { lt: BigInt(input.before) } : undefined, 'desc', limit);
}

/** Needs VIEW_CHANNEL; without READ_MESSAGE_HISTORY the history is empty (as in Discord). */
export async function listMessages(deps: Deps, userId: bigint, input: ListInput): Promise<Message[]> {
  const { channel, perms } = await requireChannelPermission(deps, BigInt(input.channelId), userId);
  if (!hasPermission(perms, Permissions.READ_MESSAGE_HISTORY)) return [];
  return messageViews(deps, channel.guildId, await historyPage(deps, channel.id, input), userId);
}

export async function findMessage(deps: Deps, channel: ChannelInfo, messageId: bigint) {
  const m = await deps.db.message.findUnique({ where: { id: messageId }, include: messageInclude });
  if (!m || m.channelId !== channel.id) return notFound.message();
  return m;
}

export async function getMessage(deps: Deps, userId: bigint, input: z.infer<typeof messageRefInput>): Promise<Message> {
  const { channel } = await requireChannelPermission(deps, BigInt(input.channelId), userId, Permissions.READ_MESSAGE_HISTORY);
  return messageView(deps, channel.guildId, await findMessage(deps, channel, BigInt(input.messageId)), userId);
}

/** Slowmode: one message per `rateLimitPerUser` seconds per user and channel, unless they moderate it. */
async function enforceSlowmode(deps: Deps, channel: ChannelInfo, perms: bigint, userId: bigint) {
  if (channel.rateLimitPerUser <= 0 || SLOWMODE_EXEMPT.some((p) => hasPermission(perms, p))) return;
  const r = await deps.limiter.consume(`slowmode:${channel.id}:${userId}`, 1, channel.rateLimitPerUser * 1000);
  if (!r.allowed) {
    deps.metrics.rateLimited.inc({ bucket: 'slowmode' });
    fail('TOO_MANY_REQUESTS', 'SLOWMODE', 'This channel is in slowmode.', r.resetAfterMs);
  }
}

interface AuthorRow {
  id: bigint;
  username: string;
  displayName: string | null;
  avatar: string | null;
  bot: boolean;
  createdAt: Date;
}

type MessageRow = {
  id: bigint;
  channelId: bigint;
  authorId: bigint;
  content: string;
  nonce: string | null;
  type: number;
  referenceMessageId: bigint | null;
  embeds: Embed[];
  flags: number;
  mentionUserIds: bigint[];
  mentionRoleIds: bigint[];
  mentionEveryone: boolean;
};

/** Links claimed uploads to the message, with their final names and descriptions (a CTE of insertMessage). */
function linkAttachments(messageId: bigint, files: AttachmentRow[]) {
  if (files.length === 0) return Prisma.empty;
  return Prisma.sql`, linked AS (
        UPDATE attachments a SET message_id = ${messageId}, filename = v.filename, description = v.description
        FROM unnest(${files.map((f) => f.id)}::bigint[], ${files.map((f) => f.filename)}::text[], ${files.map((f) => f.description)}::text[])
          AS v(id, filename, description)
        WHERE a.id = v.id AND a.message_id IS NULL AND EXISTS (SELECT 1 FROM inserted)
      )`;
}

/**
 * Inserts the message (bumping the channel's last_message_id too when asked, linking its files) in one
 * statement; returns the author's profile. With a nonce claim, the statement inserts only if it wins
 * the claim, and otherwise writes nothing and raises NonceTaken.
 */
async function insertMessage(deps: Deps, row: MessageRow, files: AttachmentRow[], bumpInline: boolean, claim: NonceClaim | null) {
  const claimed = claim ? Prisma.sql`claimed AS (${claimNonceSql(claim, row.id)}), ` : Prisma.empty;
  const values = Prisma.sql`${row.id}, ${row.channelId}, ${row.authorId}, ${row.content}, ${row.nonce}, ${row.type}, ${row.referenceMessageId},
    ${JSON.stringify(row.embeds)}::jsonb, ${row.flags}, ${row.mentionUserIds}::bigint[], ${row.mentionRoleIds}::bigint[], ${row.mentionEveryone}`;
  const bump = bumpInline
    ? Prisma.sql`, bumped AS (
        UPDATE channels SET last_message_id = ${row.id}
        WHERE id = ${row.channelId} AND (last_message_id IS NULL OR last_message_id < ${row.id}) AND EXISTS (SELECT 1 FROM inserted)
      )`
    : Prisma.empty;
  try {
    const [author] = await deps.db.$queryRaw<AuthorRow[]>`
      WITH ${claimed}inserted AS (
        INSERT INTO messages (id, channel_id, author_id, content, nonce, type, reference_message_id,
                              embeds, flags, mention_user_ids, mention_role_ids, mention_everyone)
        ${claim ? Prisma.sql`SELECT ${values} FROM claimed` : Prisma.sql`VALUES (${values})`}
        RETURNING author_id
      )${bump}${linkAttachments(row.id, files)}
      SELECT u.id, u.username, u.display_name AS "displayName", u.avatar, u.bot, u.created_at AS "createdAt"
      FROM inserted JOIN users u ON u.id = inserted.author_id`;
    if (!author) {
      if (claim) throw new NonceTaken();
      throw new Error('message insert returned no row');
    }
    return author;
  } catch (err) {
    // The channel was deleted after the (cached) permission check.
    if (isForeignKeyViolation(err)) return notFound.channel();
    throw err;
  }
}

/** Turns "the row is gone" (deleted concurrently) into Unknown Message. */
function unknownMessageIfGone(err: unknown): never {
  if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2025') return notFound.message();
  throw err;
}


type SendInput = z.infer<typeof sendMessageInput>;

/**
 * The message a reply refers to: in this channel and readable by the author, or refused
 * (MESSAGE_REFERENCE_UNKNOWN_MESSAGE); with failIfNotExists false, a missing one makes a plain message.
 */
async function replyTarget(deps: Deps, channel: ChannelInfo, perms: bigint, ref: NonNullable<SendInput['messageReference']>) {
  const sameChannel = ref.channelId === undefined || BigInt(ref.channelId) === channel.id;
  const row = sameChannel ? await deps.db.message.findUnique({ where: { id: BigInt(ref.messageId) }, include: messageInclude }) : null;
  const readable = row?.channelId === channel.id && hasPermission(perms, Permissions.READ_MESSAGE_HISTORY);
  if (readable) return row;
  if (ref.failIfNotExists || !sameChannel) fail('BAD_REQUEST', 'UNKNOWN_REPLY', 'Unknown message');
  return null;
}

/** Only the flags Discord lets a sender set. */
const sendableFlags = (flags = 0) => flags & (MessageFlag.SUPPRESS_EMBEDS | MessageFlag.SUPPRESS_NOTIFICATIONS);

export async function sendMessage(deps: Deps, userId: bigint, input: SendInput): Promise<Message> {
  const content = input.content ?? '';
  const embeds = input.embeds ?? [];
  requireContent(content, embeds, input.attachments?.length ?? 0);
  const { channel, perms } = await requireSendableChannel(deps, BigInt(input.channelId), userId);
  const claim = input.enforceNonce && input.nonce !== undefined ? { channelId: channel.id, authorId: userId, nonce: input.nonce } : null;
  // A retry is answered before slowmode, which would otherwise refuse the very retry it has to answer.
  const earlier = claim ? await nonceOriginal(deps, channel, claim, userId) : null;
  if (earlier) return earlier;
  const files = await claimStaged(deps, channel.id, userId, input.attachments ?? []);
  const original = input.messageReference ? await replyTarget(deps, channel, perms, input.messageReference) : null;
  await enforceSlowmode(deps, channel, perms, userId);
  const pingsReplied = original !== null && original.authorId !== userId && (input.allowedMentions?.repliedUser ?? !input.allowedMentions);
  const [mentions, referencedMessage] = await Promise.all([
    resolveMentions(deps, channel, perms, content, input.allowedMentions, pingsReplied ? original.authorId : null),
    original ? messageView(deps, channel.guildId, original) : undefined,
  ]);
  const fields: NewMessage = {
    authorId: userId,
    content,
    nonce: input.nonce ?? null,
    type: original === null ? MessageType.DEFAULT : MessageType.REPLY,
    referenceMessageId: original?.id ?? null,
    embeds,
    flags: sendableFlags(input.flags),
    ...storedMentions(mentions),
  };
  const extras = { mentions: mentions.users, ...(referencedMessage ? { referencedMessage } : {}) };
  if (!claim) return postMessage(deps, channel, fields, extras, files);
  pruneExpiredNonces(deps);
  try {
    return await postMessage(deps, channel, fields, extras, files, claim);
  } catch (err) {
    if (!(err instanceof NonceTaken)) throw err;
    // A concurrent send won the claim; its message is committed by now (the claim waited on it). Null
    // only if that message was deleted in the meantime: the retry's message is gone, as it would be.
    return (await nonceOriginal(deps, channel, claim, userId)) ?? notFound.message();
  }
}

/** The message an earlier send with this nonce created, while its claim lasts. */
async function nonceOriginal(deps: Deps, channel: ChannelInfo, claim: NonceClaim, viewerId: bigint): Promise<Message | null> {
  const id = await claimedMessageId(deps, claim);
  const row = id === null ? null : await deps.db.message.findUnique({ where: { id }, include: messageInclude });
  return row ? messageView(deps, channel.guildId, row, viewerId) : null;
}

export type NewMessage = Omit<MessageRow, 'id' | 'channelId'>;

/**
 * Stores a new message of the channel, with its claimed files, and publishes its MESSAGE_CREATE in
 * channel order; `extras` complete the object. With a nonce claim that another send holds, stores and
 * publishes nothing and throws NonceTaken.
 */
export async function postMessage(
  deps: Deps,
  channel: ChannelInfo,
  fields: NewMessage,
  extras: Omit<MessageExtras, 'attachments'>,
  files: AttachmentRow[] = [],
  claim: NonceClaim | null = null,
): Promise<Message> {
  const place = deps.channelLines.take(channel.id);
  const row: MessageRow = { ...fields, id: place.id, channelId: channel.id };
  let stored;
  try {
    stored = await deps.lastMessageIds.write(channel.id, row.id, (bumpInline) => insertMessage(deps, row, files, bumpInline, claim));
  } catch (err) {
    void place.settle(null);
    throw err;
  }
  const attachments = files.map((f) => toAttachment(deps, f));
  const message = toMessage({ ...row, editedAt: null, createdAt: new Date(), author: stored.result, pin: null }, channel.guildId, { ...extras, attachments });
  await Promise.all([stored.bumped, place.settle(() => publish.toChannel(deps, channel, { type: 'MESSAGE_CREATE', data: message }))]);
  return message;
}

function storedMentions(m: Mentions) {
  return { mentionUserIds: m.users.map((u) => BigInt(u.id)), mentionRoleIds: m.roleIds, mentionEveryone: m.everyone };
}

type EditInput = z.infer<typeof editMessageInput>;

/**
 * The author may change content, embeds and flags, each independently; anyone with MANAGE_MESSAGES
 * may only suppress or restore embeds (the SUPPRESS_EMBEDS flag). Content edits re-decide the mentions.
 */
export async function editMessage(deps: Deps, userId: bigint, input: EditInput): Promise<Message> {
  const { channel, perms } = await requireChannelPermission(deps, BigInt(input.channelId), userId);
  const existing = await findMessage(deps, channel, BigInt(input.messageId));
  const changesBody = input.content !== undefined || input.embeds !== undefined || input.attachments !== undefined;
  if (existing.authorId !== userId) {
    if (changesBody || input.allowedMentions) fail('FORBIDDEN', 'NOT_AUTHOR', 'Cannot edit a message authored by another user');
    if (!hasPermission(perms, Permissions.MANAGE_MESSAGES)) missingPermissions();
  }
  const content = input.content === undefined ? existing.content : (input.content ?? '');
  const embeds = input.embeds === undefined ? (existing.embeds as Embed[]) : (input.embeds ?? []);
  const files = input.attachments === undefined ? undefined : await editedFiles(deps, existing, userId, input.attachments);
  requireContent(content, embeds, files ? files.kept.length : existing.attachments.length);
  const flags =
    input.flags === undefined ? existing.flags : (existing.flags & ~MessageFlag.SUPPRESS_EMBEDS) | (input.flags & MessageFlag.SUPPRESS_EMBEDS);
  const mentions = input.content === undefined ? undefined : await resolveMentions(deps, channel, perms, content, input.allowedMentions, await stillPinged(deps, existing));
  const update = {
    where: { id: existing.id },
    data: {
      content,
      embeds,
      flags,
      ...(mentions ? storedMentions(mentions) : {}),
      ...(changesBody ? { editedAt: new Date() } : {}),
    },
    include: messageInclude,
  };
  const updated = await (files
    ? deps.db.$transaction(async (tx) => {
        await tx.attachment.deleteMany({ where: { id: { in: files.removed.map((f) => f.id) }, messageId: existing.id } });
        for (const f of files.kept) {
          await tx.attachment.updateMany({
            where: { id: f.id, OR: [{ messageId: existing.id }, { messageId: null, uploaderId: userId }] },
            data: { messageId: existing.id, filename: f.filename, description: f.description },
          });
        }
        return tx.message.update(update);
      })
    : deps.db.message.update(update)
  ).catch(unknownMessageIfGone);
  if (files) await removeFiles(deps, files.removed.map((f) => attachmentKey(f.channelId, f.id)));
  const message = await messageView(deps, channel.guildId, updated);
  await deps.channelLines.append(channel.id, () => publish.toChannel(deps, channel, { type: 'MESSAGE_UPDATE', data: message }));
  const reactions = (await reactionSummaries(deps, [updated.id], userId)).get(String(updated.id));
  return reactions ? { ...message, reactions } : message;
}

/**
 * An edit's `attachments`: the message's own files it lists stay (with any new name or
 * description), the others go; other ids must be the author's staged uploads in the channel.
 */
async function editedFiles(deps: Deps, existing: StoredMessage, userId: bigint, refs: NonNullable<EditInput['attachments']>) {
  const own = new Map(existing.attachments.map((a) => [String(a.id), a]));
  const kept = refs.filter((r) => own.has(r.id)).map((r) => withOverrides(own.get(r.id)!, r));
  const added = await claimStaged(deps, existing.channelId, userId, refs.filter((r) => !own.has(r.id)));
  const listed = new Set(refs.map((r) => r.id));
  return { kept: [...kept, ...added].sort((a, b) => (a.id < b.id ? -1 : 1)), removed: existing.attachments.filter((a) => !listed.has(String(a.id))) };
}

/** The replied-to author, when the reply pinged them: an edit keeps that ping. */
async function stillPinged(deps: Deps, reply: StoredMessage): Promise<bigint | null> {
  if (reply.type !== MessageType.REPLY || reply.referenceMessageId === null) return null;
  const original = await deps.db.message.findUnique({ where: { id: reply.referenceMessageId }, select: { authorId: true } });
  return original && reply.mentionUserIds.includes(original.authorId) ? original.authorId : null;
}

/** The author may delete their message; anyone else needs MANAGE_MESSAGES in the channel. */
export async function deleteMessage(deps: Deps, userId: bigint, input: z.infer<typeof messageRefInput>) {
  const { channel, perms } = await requireChannelPermission(deps, BigInt(input.channelId), userId);
  const existing = await findMessage(deps, channel, BigInt(input.messageId));
  if (existing.authorId !== userId && !hasPermission(perms, Permissions.MANAGE_MESSAGES)) missingPermissions();
  const { count } = await deps.db.message.deleteMany({ where: { id: existing.id } });
  if (count === 0) notFound.message();
  await removeFiles(deps, existing.attachments.map((a) => attachmentKey(a.channelId, a.id)));
  const data: MessageDeleted = { id: String(existing.id), channelId: String(channel.id), guildId: channel.guildId === null ? null : String(channel.guildId) };
  await deps.channelLines.append(channel.id, () => publish.toChannel(deps, channel, { type: 'MESSAGE_DELETE', data }));
  return { ok: true as const };
}

/**
 * Deletes 2-100 messages of the channel at once (MANAGE_MESSAGES), all or none: any id older than 14
 * days refuses the whole request. Ids that are not messages of this channel are ignored (Discord
 * counts them towards the limits, and deletes nothing elsewhere). One MESSAGE_DELETE_BULK.
 */
export async function bulkDeleteMessages(deps: Deps, userId: bigint, input: z.infer<typeof bulkDeleteInput>) {
  const { channel } = await requireChannelPermission(deps, BigInt(input.channelId), userId, Permissions.MANAGE_MESSAGES);
  const ids = [...new Set(input.messageIds.map(BigInt))];
  const oldest = snowflakeFromTimestamp(Date.now() - BULK_DELETE_MAX_AGE_MS);
  if (ids.some((id) => id < oldest)) fail('BAD_REQUEST', 'BULK_DELETE_TOO_OLD', 'You can only bulk delete messages that are under 14 days old.');
  const files = await deps.db.attachment.findMany({ where: { messageId: { in: ids }, channelId: channel.id }, select: { id: true } });
  const deleted = await deps.db.$queryRaw<{ id: bigint }[]>`
    DELETE FROM messages WHERE channel_id = ${channel.id} AND id = ANY(${ids}::bigint[]) RETURNING id`;
  await removeFiles(deps, files.map((f) => attachmentKey(channel.id, f.id)));
  await announceDeletedMessages(deps, channel, deleted.map((d) => d.id));
  return { ok: true as const };
}

/** One MESSAGE_DELETE_BULK for messages of the channel deleted together (ids in ascending order), in the channel's line; none for no ids. */
export async function announceDeletedMessages(deps: Pick<Deps, 'bus' | 'channelLines'>, channel: ChannelInfo, ids: bigint[]) {
  if (ids.length === 0) return;
  const data: MessagesDeleted = {
    ids: [...ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).map(String),
    channelId: String(channel.id),
    guildId: channel.guildId === null ? null : String(channel.guildId),
  };
  await deps.channelLines.append(channel.id, () => publish.toChannel(deps, channel, { type: 'MESSAGE_DELETE_BULK', data }));
}
