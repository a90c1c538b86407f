// Pins: PIN_MESSAGES or MANAGE_MESSAGES, at most 50 per channel (counted under a per-channel lock, so
// concurrent pins cannot overshoot). A pin posts Discord's system message (type 6, referring to the
// pinned message) and CHANNEL_PINS_UPDATE; pinning a pinned message or unpinning an unpinned one
// changes nothing.
import type { z } from 'zod';
import { MessageType, type messageRefInput } from '../../shared/schemas/message.js';
import { MAX_PINS, type listPinsInput, type PinList } from '../../shared/schemas/pin.js';
import type { AppDeps } from '../deps.js';
import * as publish from '../realtime/publish.js';
import { fail, missingPermissions, notFound } from './errors.js';
import { isForeignKeyViolation } from './db-errors.js';
import { messageViews } from './message-view.js';
import { findMessage, postMessage } from './messages.js';
import { hasPermission, Permissions, requireChannelPermission, type ChannelInfo } from './permissions.js';
import { messageInclude } from './serialize.js';

type Deps = Pick<AppDeps, 'db' | 'cache' | 'bus' | 'ids' | 'limiter' | 'logger' | 'metrics' | 'channelLines' | 'lastMessageIds' | 'config' | 'urls' | 'storage'>;
type Input = z.infer<typeof messageRefInput>;

async function pinTarget(deps: Deps, userId: bigint, input: Input) {
  const { channel, perms } = await requireChannelPermission(deps, BigInt(input.channelId), userId);
  if (!hasPermission(perms, Permissions.PIN_MESSAGES) && !hasPermission(perms, Permissions.MANAGE_MESSAGES)) missingPermissions();
  return { channel, message: await findMessage(deps, channel, BigInt(input.messageId)) };
}

async function publishPinsUpdate(deps: Deps, channel: ChannelInfo) {
  const last = await deps.db.pin.findFirst({ where: { channelId: channel.id }, orderBy: { pinnedAt: 'desc' }, select: { pinnedAt: true } });
  const data = { channelId: String(channel.id), guildId: channel.guildId === null ? null : String(channel.guildId), lastPinTimestamp: last?.pinnedAt.toISOString() ?? null };
  await deps.channelLines.append(channel.id, () => publish.toChannel(deps, channel, { type: 'CHANNEL_PINS_UPDATE', data: data }));
}

export async function pinMessage(deps: Deps, userId: bigint, input: Input) {
  const { channel, message } = await pinTarget(deps, userId, input);
  // One round trip: the channel's pin lock, then (in a snapshot taken after it) the insert if there is room.
  const [, inserted] = await deps.db
    .$transaction([
      deps.db.$executeRaw`SELECT pg_advisory_xact_lock(${channel.id})`,
      deps.db.$queryRaw<unknown[]>`
        INSERT INTO pins (message_id, channel_id) SELECT ${message.id}, ${channel.id}
        WHERE EXISTS (SELECT 1 FROM messages WHERE id = ${message.id})
          AND (SELECT count(*) FROM pins WHERE channel_id = ${channel.id}) < ${MAX_PINS}
        ON CONFLICT DO NOTHING RETURNING message_id`,
    ])
    // the message was deleted after it was looked up (its delete committed while we inserted)
    .catch((err: unknown) => (isForeignKeyViolation(err) ? notFound.message() : Promise.reject(err)));
  const pinned = inserted.length > 0;
  if (!pinned && !(await deps.db.pin.findUnique({ where: { messageId: message.id }, select: { messageId: true } }))) {
    if (!(await deps.db.message.findUnique({ where: { id: message.id }, select: { id: true } }))) notFound.message();
    fail('BAD_REQUEST', 'MAX_PINS', `Maximum number of pins reached (${MAX_PINS})`);
  }
  if (!pinned) return { ok: true as const };
  await postMessage(
    deps,
    channel,
    {
      authorId: userId,
      content: '',
      nonce: null,
      type: MessageType.CHANNEL_PINNED_MESSAGE,
      referenceMessageId: message.id,
      embeds: [],
      flags: 0,
      mentionUserIds: [],
      mentionRoleIds: [],
      mentionEveryone: false,
    },
    { mentions: [] },
  );
  await publishPinsUpdate(deps, channel);
  return { ok: true as const };
}

export async function unpinMessage(deps: Deps, userId: bigint, input: Input) {
  const { channel, message } = await pinTarget(deps, userId, input);
  const { count } = await deps.db.pin.deleteMany({ where: { messageId: message.id } });
  if (count > 0) await publishPinsUpdate(deps, channel);
  return { ok: true as const };
}

/** Newest pin first; `before` pages by pin time. Readable only with READ_MESSAGE_HISTORY (empty without, as history). */
export async function listPins(deps: Deps, userId: bigint, input: z.infer<typeof listPinsInput>): Promise<PinList> {
  const { channel, perms } = await requireChannelPermission(deps, BigInt(input.channelId), userId);
  if (!hasPermission(perms, Permissions.READ_MESSAGE_HISTORY)) return { items: [], hasMore: false };
  const pins = await deps.db.pin.findMany({
    where: { channelId: channel.id, ...(input.before ? { pinnedAt: { lt: new Date(input.before) } } : {}) },
    orderBy: [{ pinnedAt: 'desc' }, { messageId: 'desc' }],
    take: input.limit + 1,
    include: { message: { include: messageInclude } },
  });
  const page = pins.slice(0, input.limit);
  const messages = await messageViews(deps, channel.guildId, page.map((p) => p.message), userId);
  return { items: page.map((p, i) => ({ pinnedAt: p.pinnedAt.toISOString(), message: messages[i]! })), hasMore: pins.length > input.limit };
}
