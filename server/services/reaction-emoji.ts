// The emoji of a reaction, as stored and as shown. A Unicode emoji is stored and shown as itself; a
// custom emoji is stored by its id alone (so a renamed emoji keeps its reactions, and any name in
// the client's `name:id` finds it) and shown as `name:id` / `a:name:id` with its current name.
import { customEmojiRef, isUnicodeEmoji, parseCustomEmoji } from '../../shared/schemas/reaction.js';
import type { Db } from '../db/prisma.js';
import { fail } from './errors.js';

export interface ReactionEmoji {
  /** the value of reactions.emoji */
  key: string;
  /** the emoji in API objects and events */
  shown: string;
}

const unknownEmoji = (): never => fail('BAD_REQUEST', 'UNKNOWN_EMOJI', 'Unknown Emoji');
const isCustomKey = (key: string) => /^\d+$/.test(key);

/**
 * What the client sent, resolved in the message's guild. Adding needs an emoji that exists there
 * (`mustExist`); removing and listing also accept a custom emoji that was deleted since (shown nameless).
 */
export async function resolveReactionEmoji(db: Db, guildId: bigint | null, sent: string, mustExist: boolean): Promise<ReactionEmoji> {
  if (isUnicodeEmoji(sent)) return { key: sent, shown: sent };
  const custom = parseCustomEmoji(sent);
  if (!custom) return unknownEmoji();
  const row = guildId === null ? null : await db.guildEmoji.findFirst({ where: { id: BigInt(custom.id), guildId }, select: { name: true, animated: true } });
  if (!row && mustExist) return unknownEmoji();
  return { key: custom.id, shown: customEmojiRef(row ? { id: custom.id, ...row } : { ...custom, name: '' }) };
}

/** How each stored key is shown (keys of deleted custom emoji: nameless). */
export async function shownReactionEmojis(db: Db, keys: string[]): Promise<Map<string, string>> {
  const ids = [...new Set(keys.filter(isCustomKey))];
  const rows = ids.length ? await db.guildEmoji.findMany({ where: { id: { in: ids.map(BigInt) } }, select: { id: true, name: true, animated: true } }) : [];
  const byId = new Map(rows.map((r) => [String(r.id), r]));
  return new Map(
    keys.map((key) => {
      if (!isCustomKey(key)) return [key, key];
      const row = byId.get(key);
      return [key, customEmojiRef({ id: key, name: row?.name ?? '', animated: row?.animated ?? false })];
    }),
  );
}
