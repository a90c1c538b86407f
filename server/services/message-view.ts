// Message rows -> message objects with everything that lives outside the row: the mentioned users'
// profiles, the message a reply refers to, and (for a caller, never for events) the reaction counts
// with `me`. A page of history costs at most three extra queries, each skipped when not needed.
import { MessageType, type Message, type ReactionSummary, type ReferencedMessage } from '../../shared/schemas/message.js';
import type { AppDeps } from '../deps.js';
import { toAttachment } from './attachments.js';
import { mentionedUsers } from './mentions.js';
import { shownReactionEmojis } from './reaction-emoji.js';
import { messageInclude, toMessage, type MessageRow } from './serialize.js';

type Deps = Pick<AppDeps, 'db' | 'config' | 'urls'>;

const unique = (list: bigint[]) => [...new Set(list)];

/** Reaction summaries of messages, per message id, emoji in the order they were first used. */
export async function reactionSummaries(deps: Deps, messageIds: bigint[], viewerId: bigint): Promise<Map<string, ReactionSummary[]>> {
  const out = new Map<string, ReactionSummary[]>();
  if (messageIds.length === 0) return out;
  const rows = await deps.db.$queryRaw<{ messageId: bigint; emoji: string; normal: number; burst: number; me: boolean; meBurst: boolean }[]>`
    SELECT message_id AS "messageId", emoji,
           (count(*) FILTER (WHERE NOT burst))::int AS normal, (count(*) FILTER (WHERE burst))::int AS burst,
           bool_or(user_id = ${viewerId} AND NOT burst) AS me, bool_or(user_id = ${viewerId} AND burst) AS "meBurst"
    FROM reactions WHERE message_id = ANY(${messageIds}::bigint[])
    GROUP BY message_id, emoji ORDER BY min(created_at), emoji`;
  const shown = await shownReactionEmojis(deps.db, rows.map((r) => r.emoji));
  for (const r of rows) {
    const key = String(r.messageId);
    if (!out.has(key)) out.set(key, []);
    out.get(key)!.push({ emoji: shown.get(r.emoji)!, count: r.normal + r.burst, countDetails: { normal: r.normal, burst: r.burst }, me: r.me, meBurst: r.meBurst });
  }
  return out;
}

/**
 * Message objects for rows of one channel. With a viewer, each carries its reactions (if any) as that
 * viewer sees them; without (objects for events, which every recipient shares), no reactions field.
 */
export async function messageViews(deps: Deps, guildId: bigint | null, rows: MessageRow[], viewerId?: bigint): Promise<Message[]> {
  if (rows.length === 0) return [];
  const replyIds = unique(rows.filter((r) => r.type === MessageType.REPLY && r.referenceMessageId !== null).map((r) => r.referenceMessageId!));
  const [originals, reactions] = await Promise.all([
    replyIds.length ? deps.db.message.findMany({ where: { id: { in: replyIds } }, include: messageInclude }) : [],
    viewerId === undefined ? undefined : reactionSummaries(deps, rows.map((r) => r.id), viewerId),
  ]);
  const users = await mentionedUsers(deps, guildId, unique([...rows, ...originals].flatMap((r) => r.mentionUserIds)));
  const mentionsOf = (r: MessageRow) => r.mentionUserIds.flatMap((id) => users.get(String(id)) ?? []);
  const filesOf = (r: MessageRow) => r.attachments.map((a) => toAttachment(deps, a));
  const byId = new Map<bigint, ReferencedMessage>(
    originals.map((o) => [o.id, toMessage(o, guildId, { attachments: filesOf(o), mentions: mentionsOf(o) })]),
  );
  return rows.map((r) =>
    toMessage(r, guildId, {
      attachments: filesOf(r),
      mentions: mentionsOf(r),
      ...(r.type === MessageType.REPLY ? { referencedMessage: byId.get(r.referenceMessageId!) ?? null } : {}),
      ...(reactions?.has(String(r.id)) ? { reactions: reactions.get(String(r.id))! } : {}),
    }),
  );
}

/** One message's view (see messageViews). */
export async function messageView(deps: Deps, guildId: bigint | null, row: MessageRow, viewerId?: bigint): Promise<Message> {
  const [view] = await messageViews(deps, guildId, [row], viewerId);
  return view!;
}
