// Guild message search on PostgreSQL full-text search: content matches the expression index
// messages_content_search_idx (to_tsvector('simple', content), maintained by the database), the other
// filters are plain columns. Only channels the caller can read (VIEW_CHANNEL and READ_MESSAGE_HISTORY)
// are searched: the channel list is narrowed before the query, so a hidden channel's messages can
// neither appear nor be counted.
import { MessageFlag } from '../../shared/schemas/message.js';
import type { MessageSearchResult, SearchMessagesInput } from '../../shared/schemas/message-search.js';
import { Prisma } from '../db/prisma.js';
import type { AppDeps } from '../deps.js';
import { messageViews } from './message-view.js';
import { channelInfo, channelPermissions, hasPermission, Permissions, requireGuildPermission } from './permissions.js';
import { messageInclude } from './serialize.js';

type Deps = Pick<AppDeps, 'db' | 'cache' | 'config' | 'urls'>;

const READ = Permissions.VIEW_CHANNEL | Permissions.READ_MESSAGE_HISTORY;
/** What Discord's search counts as a link: an http(s) URL anywhere in the content. */
const LINK_PATTERN = 'https?://[^\\s]';

/** The guild's channels whose history the user may read, narrowed to `only` when given. */
async function readableChannels(deps: Deps, guildId: bigint, userId: bigint, only: string[] | undefined): Promise<bigint[]> {
  const wanted = only && new Set(only);
  const rows = await deps.db.channel.findMany({ where: { guildId }, select: { id: true } });
  const candidates = rows.filter((c) => !wanted || wanted.has(String(c.id)));
  const readable = await Promise.all(
    candidates.map(async ({ id }) => {
      const info = await channelInfo(deps, id);
      const perms = info && (await channelPermissions(deps, info, userId));
      return perms !== null && hasPermission(perms, READ) ? id : null;
    }),
  );
  return readable.filter((id): id is bigint => id !== null);
}

/** The WHERE conditions for the filters present (the channel restriction always). */
function conditions(input: SearchMessagesInput, channelIds: bigint[]): Prisma.Sql[] {
  const where = [Prisma.sql`m.channel_id = ANY(${channelIds}::bigint[])`];
  if (input.content !== undefined && input.content.trim() !== '') {
    where.push(Prisma.sql`to_tsvector('simple'::regconfig, m.content) @@ websearch_to_tsquery('simple'::regconfig, ${input.content})`);
  }
  if (input.authorIds?.length) where.push(Prisma.sql`m.author_id = ANY(${input.authorIds.map(BigInt)}::bigint[])`);
  if (input.mentions?.length) where.push(Prisma.sql`m.mention_user_ids && ${input.mentions.map(BigInt)}::bigint[]`);
  if (input.mentionEveryone !== undefined) where.push(Prisma.sql`m.mention_everyone = ${input.mentionEveryone}`);
  if (input.pinned !== undefined) where.push(Prisma.sql`${Prisma.raw(input.pinned ? '' : 'NOT ')}EXISTS (SELECT 1 FROM pins p WHERE p.message_id = m.id)`);
  for (const has of new Set(input.has)) {
    const negated = has.startsWith('-');
    // Suppressed embeds are not shown, so a message with them does not "have" an embed.
    const test =
      has.endsWith('embed')
        ? Prisma.sql`(jsonb_array_length(m.embeds) > 0 AND m.flags & ${MessageFlag.SUPPRESS_EMBEDS} = 0)`
        : Prisma.sql`(m.content ~* ${LINK_PATTERN})`;
    where.push(negated ? Prisma.sql`NOT ${test}` : test);
  }
  if (input.before) where.push(Prisma.sql`m.id < ${BigInt(input.before)}`);
  if (input.after) where.push(Prisma.sql`m.id > ${BigInt(input.after)}`);
  return where;
}

/** One page of matches (newest first unless sortOrder is asc) and the number of all matches. */
export async function searchMessages(deps: Deps, userId: bigint, input: SearchMessagesInput): Promise<MessageSearchResult> {
  const guildId = BigInt(input.guildId);
  await requireGuildPermission(deps, guildId, userId);
  const channelIds = await readableChannels(deps, guildId, userId, input.channelIds);
  if (channelIds.length === 0) return { totalResults: 0, messages: [] };
  const order = Prisma.raw(input.sortOrder === 'asc' ? 'ASC' : 'DESC');
  const [found] = await deps.db.$queryRaw<{ total: number; ids: bigint[] | null }[]>`
    WITH matches AS (SELECT m.id FROM messages m WHERE ${Prisma.join(conditions(input, channelIds), ' AND ')})
    SELECT (SELECT count(*)::int FROM matches) AS total,
           (SELECT array_agg(id ORDER BY id ${order}) FROM (SELECT id FROM matches ORDER BY id ${order} LIMIT ${input.limit} OFFSET ${input.offset}) page) AS ids`;
  const ids = found?.ids ?? [];
  const rows = ids.length === 0 ? [] : await deps.db.message.findMany({ where: { id: { in: ids } }, include: messageInclude });
  const byId = new Map(rows.map((r) => [r.id, r]));
  // A message deleted between the two queries is left out of the page (Discord's total may be off too).
  const page = ids.flatMap((id) => byId.get(id) ?? []);
  return { totalResults: found?.total ?? 0, messages: await messageViews(deps, guildId, page) };
}
