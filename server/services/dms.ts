// One-to-one DM channels. A pair of users always shares the same channel: its dm_key
// ("<smaller id>:<larger id>") is unique, so two concurrent opens cannot create two channels.
// Strangers cannot open one: a new DM needs a guild in common (DM_REQUIRE_SHARED_GUILD).
import { ChannelType, type Channel } from '../../shared/schemas/channel.js';
import type { AppDeps } from '../deps.js';
import * as publish from '../realtime/publish.js';
import { fail, notFound } from './errors.js';
import { isUniqueViolation } from './db-errors.js';
import { invalidateChannel } from './permissions.js';
import { channelInclude, toChannel } from './serialize.js';

type Deps = Pick<AppDeps, 'db' | 'bus' | 'ids' | 'config' | 'cache'>;

const dmKey = (a: bigint, b: bigint) => (a < b ? `${a}:${b}` : `${b}:${a}`);

const findDm = (deps: Deps, key: string) => deps.db.channel.findUnique({ where: { dmKey: key }, include: channelInclude });

/** Whether the two users are members of at least one common guild. */
async function shareGuild(deps: Deps, a: bigint, b: bigint) {
  const common = await deps.db.member.findFirst({ where: { userId: a, guild: { members: { some: { userId: b } } } }, select: { guildId: true } });
  return common !== null;
}

/**
 * The DM channel between the caller and `recipientId`, created (with CHANNEL_CREATE to both) on first
 * open. As on Discord (bots included), a new DM needs a guild in common unless DM_REQUIRE_SHARED_GUILD
 * is off; a DM channel the pair already has stays open to them.
 */
export async function openDm(deps: Deps, userId: bigint, recipientId: bigint): Promise<Channel> {
  if (userId === recipientId) fail('BAD_REQUEST', 'CANNOT_DM_SELF', 'Cannot open a DM with yourself');
  const key = dmKey(userId, recipientId);
  const [recipient, existing] = await Promise.all([
    deps.db.user.findUnique({ where: { id: recipientId }, select: { id: true } }),
    findDm(deps, key),
  ]);
  if (!recipient) return notFound.user();
  if (existing) return toChannel(existing);
  if (deps.config.DM_REQUIRE_SHARED_GUILD && !(await shareGuild(deps, userId, recipientId))) {
    fail('BAD_REQUEST', 'CANNOT_DM_USER', 'Cannot send messages to this user');
  }
  let created;
  try {
    created = await deps.db.channel.create({
      data: { id: deps.ids.next(), type: ChannelType.DM, dmKey: key, recipients: { create: [{ userId }, { userId: recipientId }] } },
      include: channelInclude,
    });
  } catch (err) {
    // Lost the race against a concurrent open of the same pair: theirs is the channel.
    if (isUniqueViolation(err)) {
      const winner = await findDm(deps, key);
      if (winner) return toChannel(winner);
    }
    throw err;
  }
  await invalidateChannel(deps, created.id);
  const channel = toChannel(created);
  await publish.toUsers(deps, [userId, recipientId], { type: 'CHANNEL_CREATE', data: channel });
  return channel;
}

/** The caller's DM channels, most recently active first. */
export async function listDms(deps: Deps, userId: bigint): Promise<Channel[]> {
  const rows = await deps.db.channel.findMany({
    where: { type: ChannelType.DM, recipients: { some: { userId } } },
    include: channelInclude,
    orderBy: [{ lastMessageId: { sort: 'desc', nulls: 'last' } }, { id: 'desc' }],
  });
  return rows.map(toChannel);
}
