// A guild's custom emoji, with Discord's rules: MANAGE_GUILD_EXPRESSIONS to create, rename or delete;
// an image of at most 256 KiB (PNG, JPEG, GIF or WebP; an animated GIF makes an animated emoji);
// at most MAX_EMOJIS_PER_GUILD static and as many animated emoji per guild (Discord's base limit).
// The image is written before the row (a failed insert removes it again), so no emoji ever points at
// a missing file. Every change publishes GUILD_EMOJIS_UPDATE with the guild's whole list, as on Discord.
import type { z } from 'zod';
import { MAX_EMOJI_BYTES, type createEmojiInput, type updateEmojiInput } from '../../shared/schemas/emoji.js';
import type { AppDeps } from '../deps.js';
import type { Db } from '../db/prisma.js';
import * as publish from '../realtime/publish.js';
import { fail } from './errors.js';
import { isAnimatedHash, removeImages, storeImage } from './images.js';
import { lockGuild, type Tx } from './limits.js';
import { hasPermission, Permissions, requireGuildPermission } from './permissions.js';
import { publicUserSelect, toEmoji } from './serialize.js';

type Deps = Pick<AppDeps, 'db' | 'cache' | 'bus' | 'ids' | 'config' | 'storage' | 'logger'>;

const MANAGE = Permissions.MANAGE_GUILD_EXPRESSIONS;
export const unknownEmoji = (): never => fail('NOT_FOUND', 'UNKNOWN_EMOJI', 'Unknown Emoji');
const withCreator = { creator: { select: publicUserSelect } } as const;

/** An emoji of this guild (by id), or Unknown Emoji. */
async function findEmoji(db: Db | Tx, guildId: bigint, emojiId: bigint) {
  const row = await db.guildEmoji.findUnique({ where: { id: emojiId }, include: withCreator });
  return row && row.guildId === guildId ? row : unknownEmoji();
}

/** Discord shows who uploaded an emoji only to members who may manage the guild's expressions. */
const view = (perms: bigint) => (row: Awaited<ReturnType<typeof findEmoji>>) => (hasPermission(perms, MANAGE) ? toEmoji(row, row.creator) : toEmoji(row));

async function publishEmojis(deps: Deps, guildId: bigint) {
  const rows = await deps.db.guildEmoji.findMany({ where: { guildId }, orderBy: { id: 'asc' } });
  await publish.toGuild(deps, guildId, { type: 'GUILD_EMOJIS_UPDATE', data: { guildId: String(guildId), emojis: rows.map((e) => toEmoji(e)) } });
}

export async function listEmojis(deps: Deps, userId: bigint, guildId: bigint) {
  const perms = await requireGuildPermission(deps, guildId, userId);
  const rows = await deps.db.guildEmoji.findMany({ where: { guildId }, include: withCreator, orderBy: { id: 'asc' } });
  return rows.map(view(perms));
}

export async function getEmoji(deps: Deps, userId: bigint, guildId: bigint, emojiId: bigint) {
  const perms = await requireGuildPermission(deps, guildId, userId);
  return view(perms)(await findEmoji(deps.db, guildId, emojiId));
}

export async function createEmoji(deps: Deps, userId: bigint, input: z.infer<typeof createEmojiInput>) {
  const guildId = BigInt(input.guildId);
  const perms = await requireGuildPermission(deps, guildId, userId, MANAGE);
  const id = deps.ids.next();
  const image = await storeImage(deps, 'emojis', id, input.image, MAX_EMOJI_BYTES);
  const animated = isAnimatedHash(image);
  const row = await deps.db
    .$transaction(async (tx) => {
      await lockGuild(tx, guildId);
      const max = deps.config.MAX_EMOJIS_PER_GUILD;
      if ((await tx.guildEmoji.count({ where: { guildId, animated } })) >= max) {
        fail('BAD_REQUEST', 'MAX_EMOJIS', `Maximum number of ${animated ? 'animated ' : ''}emojis reached (${max})`);
      }
      return tx.guildEmoji.create({ data: { id, guildId, name: input.name, image, animated, creatorId: userId }, include: withCreator });
    })
    .catch(async (err: unknown) => {
      await removeImages(deps, 'emojis', id);
      throw err;
    });
  await publishEmojis(deps, guildId);
  return view(perms)(row);
}

export async function updateEmoji(deps: Deps, userId: bigint, input: z.infer<typeof updateEmojiInput>) {
  const guildId = BigInt(input.guildId);
  const emojiId = BigInt(input.emojiId);
  const perms = await requireGuildPermission(deps, guildId, userId, MANAGE);
  // one statement, so an emoji deleted meanwhile is Unknown Emoji rather than a failed update
  const { count } = await deps.db.guildEmoji.updateMany({ where: { id: emojiId, guildId }, data: { ...(input.name !== undefined ? { name: input.name } : {}) } });
  if (count === 0) return unknownEmoji();
  const row = await findEmoji(deps.db, guildId, emojiId);
  await publishEmojis(deps, guildId);
  return view(perms)(row);
}

/** Deletes the emoji and its image; reactions with it stay (shown without a name, as on Discord). */
export async function deleteEmoji(deps: Deps, userId: bigint, guildId: bigint, emojiId: bigint) {
  await requireGuildPermission(deps, guildId, userId, MANAGE);
  const { count } = await deps.db.guildEmoji.deleteMany({ where: { id: emojiId, guildId } });
  if (count === 0) return unknownEmoji();
  await removeImages(deps, 'emojis', emojiId);
  await publishEmojis(deps, guildId);
  return { ok: true as const };
}

/** The stored image of an emoji (for the CDN), or null when there is no such emoji. */
export async function emojiImage(deps: Pick<AppDeps, 'db'>, emojiId: bigint) {
  return deps.db.guildEmoji.findUnique({ where: { id: emojiId }, select: { image: true } });
}

/** The ids of a guild's emoji (read before the guild goes, to remove their images after). */
export async function guildEmojiIds(db: Db, guildId: bigint) {
  return (await db.guildEmoji.findMany({ where: { guildId }, select: { id: true } })).map((e) => e.id);
}
