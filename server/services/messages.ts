// Messages: history with Discord's cursor semantics, and send/edit/delete with their events.
// A send costs one database write round trip (one statement inserts the message, reads the author's
// profile and, unless a merged bump is due anyway, bumps the channel's last_message_id: see
// last-message-id.ts); permission facts come from the cache.
import type { z } from 'zod';
import { ChannelType } from '../../shared/schemas/channel.js';
import {
  MessageType,
  type editMessageInput,
  type listMessagesInput,
  type Message,
  type MessageDeleted,
  type messageRefInput,
  type sendMessageInput,
} from '../../shared/schemas/message.js';
import type { AppDeps } from '../deps.js';
import { Prisma } from '../db/prisma.js';
import { channelLines, publishToChannel } from './channel-events.js';
import { fail, missingPermissions, notFound } from './errors.js';
import { lastMessageIds } from './last-message-id.js';
import { hasPermission, Permissions, requireChannelPermission, type ChannelInfo } from './permissions.js';
import { messageInclude, toMessage } from './serialize.js';

type Deps = Pick<AppDeps, 'db' | 'cache' | 'bus' | 'ids' | 'limiter' | 'logger' | 'metrics'>;

const TEXT_CHANNEL_TYPES: readonly number[] = [ChannelType.GUILD_TEXT, ChannelType.DM];
const SLOWMODE_EXEMPT = [Permissions.MANAGE_MESSAGES, Permissions.MANAGE_CHANNELS];

/** A text or DM channel the user may send to (typing needs the same). */
export async function requireSendableChannel(deps: Pick<AppDeps, 'db' | 'cache'>, channelId: bigint, userId: bigint) {
  const access = await requireChannelPermission(deps, channelId, userId);
  if (!TEXT_CHANNEL_TYPES.includes(access.channel.type)) fail('BAD_REQUEST', 'NOT_TEXT_CHANNEL', 'Cannot send messages in a non-text channel');
  if (!hasPermission(access.perms, Permissions.SEND_MESSAGES)) missingPermissions();
  return access;
}

function requireContent(content: string) {
  if (content.trim().length === 0) fail('BAD_REQUEST', 'EMPTY_MESSAGE', 'Cannot send an empty message');
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
  const rows = await historyPage(deps, channel.id, input);
  return rows.map((m) => toMessage(m, channel.guildId));
}

async function findMessage(deps: Deps, channel: ChannelInfo, messageId: bigint) {
  const m = await deps.db.message.findUnique({ where: { id: messageId }, include: messageInclude });
  if (!m || m.channelId !== channel.id) return notFound.message();
  return m;
}

export async function getMessage(deps: Deps, userId: bigint, input: z.infer<typeof messageRefInput>): Promise<Message> {
  const { channel } = await requireChannelPermission(deps, BigInt(input.channelId), userId, Permissions.READ_MESSAGE_HISTORY);
  return toMessage(await findMessage(deps, channel, BigInt(input.messageId)), channel.guildId);
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

type MessageRow = { id: bigint; channelId: bigint; authorId: bigint; content: string; nonce: string | null; type: number; referenceMessageId: bigint | null };

/** Inserts the message (bumping the channel's last_message_id too when asked) in one statement; returns the author's profile. */
async function insertMessage(deps: Deps, row: MessageRow, bumpInline: boolean) {
  const bump = bumpInline
    ? Prisma.sql`, bumped AS (
        UPDATE channels SET last_message_id = ${row.id}
        WHERE id = ${row.channelId} AND (last_message_id IS NULL OR last_message_id < ${row.id})
      )`
    : Prisma.empty;
  try {
    const [author] = await deps.db.$queryRaw<AuthorRow[]>`
      WITH inserted AS (
        INSERT INTO messages (id, channel_id, author_id, content, nonce, type, reference_message_id)
        VALUES (${row.id}, ${row.channelId}, ${row.authorId}, ${row.content}, ${row.nonce}, ${row.type}, ${row.referenceMessageId})
        RETURNING author_id
      )${bump}
      SELECT u.id, u.username, u.display_name AS "displayName", u.avatar, u.bot, u.created_at AS "createdAt"
      FROM inserted JOIN users u ON u.id = inserted.author_id`;
    if (!author) throw new Error('message insert returned no row');
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

function isForeignKeyViolation(err: unknown) {
  const e = err as { code?: string; meta?: { code?: string; driverAdapterError?: { cause?: { originalCode?: string } } } };
  return (
    err instanceof Prisma.PrismaClientKnownRequestError &&
    (e.code === 'P2003' || e.meta?.code === '23503' || e.meta?.driverAdapterError?.cause?.originalCode === '23503')
  );
}

export async function sendMessage(deps: Deps, userId: bigint, input: z.infer<typeof sendMessageInput>): Promise<Message> {
  requireContent(input.content);
  const { channel, perms } = await requireSendableChannel(deps, BigInt(input.channelId), userId);
  const replyTo = input.replyTo ? BigInt(input.replyTo) : null;
  if (replyTo !== null) {
    const target = await deps.db.message.findUnique({ where: { id: replyTo }, select: { channelId: true } });
    if (target?.channelId !== channel.id) fail('BAD_REQUEST', 'INVALID_FORM_BODY', 'replyTo: Unknown message in this channel');
  }
  await enforceSlowmode(deps, channel, perms, userId);

  const place = channelLines(deps).take(channel.id);
  const row: MessageRow = {
    id: place.id,
    channelId: channel.id,
    authorId: userId,
    content: input.content,
    nonce: input.nonce ?? null,
    type: replyTo === null ? MessageType.DEFAULT : MessageType.REPLY,
    referenceMessageId: replyTo,
  };
  let stored;
  try {
    stored = await lastMessageIds(deps).write(channel.id, row.id, (bumpInline) => insertMessage(deps, row, bumpInline));
  } catch (err) {
    void place.settle(null);
    throw err;
  }
  const message = toMessage({ ...row, editedAt: null, createdAt: new Date(), author: stored.result }, channel.guildId);
  await Promise.all([stored.bumped, place.settle(() => publishToChannel(deps, channel, 'MESSAGE_CREATE', message))]);
  return message;
}

export async function editMessage(deps: Deps, userId: bigint, input: z.infer<typeof editMessageInput>): Promise<Message> {
  requireContent(input.content);
  const { channel } = await requireChannelPermission(deps, BigInt(input.channelId), userId);
  const existing = await findMessage(deps, channel, BigInt(input.messageId));
  if (existing.authorId !== userId) fail('FORBIDDEN', 'NOT_AUTHOR', 'Cannot edit a message authored by another user');
  const updated = await deps.db.message
    .update({ where: { id: existing.id }, data: { content: input.content, editedAt: new Date() }, include: messageInclude })
    .catch(unknownMessageIfGone);
  const message = toMessage(updated, channel.guildId);
  await channelLines(deps).append(channel.id, () => publishToChannel(deps, channel, 'MESSAGE_UPDATE', message));
  return message;
}

/** The author may delete their message; anyone else needs MANAGE_MESSAGES in the channel. */
export async function deleteMessage(deps: Deps, userId: bigint, input: z.infer<typeof messageRefInput>) {
  const { channel, perms } = await requireChannelPermission(deps, BigInt(input.channelId), userId);
  const existing = await findMessage(deps, channel, BigInt(input.messageId));
  if (existing.authorId !== userId && !hasPermission(perms, Permissions.MANAGE_MESSAGES)) missingPermissions();
  const { count } = await deps.db.message.deleteMany({ where: { id: existing.id } });
  if (count === 0) notFound.message();
  const data: MessageDeleted = { id: String(existing.id), channelId: String(channel.id), guildId: channel.guildId === null ? null : String(channel.guildId) };
  await channelLines(deps).append(channel.id, () => publishToChannel(deps, channel, 'MESSAGE_DELETE', data));
  return { ok: true as const };
}
