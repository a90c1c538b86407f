// Who a message pings, decided once when it is sent (or its content edited) and stored with it:
// the mention syntax of the content (<@id>, <@!id>, <@&role>, @everyone, @here), narrowed by
// allowed_mentions and by what the author may ping (Discord's rules), plus the replied-to author.
// <#channel> mentions need nothing stored: Discord fills mention_channels only for crossposts.
import type { AllowedMentions, MentionedUser } from '../../shared/schemas/message.js';
import type { AppDeps } from '../deps.js';
import { hasPermission, Permissions, type ChannelInfo } from './permissions.js';
import { publicUserSelect, toPublicUser } from './serialize.js';

type Deps = Pick<AppDeps, 'db'>;

const USER_MENTION = /<@!?(\d{1,19})>/g;
const ROLE_MENTION = /<@&(\d{1,19})>/g;
const EVERYONE_MENTION = /@(everyone|here)\b/;

export interface Mentions {
  /** the pinged users that exist, with their profiles */
  users: MentionedUser[];
  roleIds: bigint[];
  everyone: boolean;
}

const ids = (content: string, pattern: RegExp) => [...new Set([...content.matchAll(pattern)].map((m) => BigInt(m[1]!)))];

/** Without allowed_mentions everything may ping; with it, only what it lists (replied_user defaults to false then). */
function allows(allowed: AllowedMentions | undefined, kind: 'users' | 'roles', id: bigint): boolean {
  if (!allowed) return true;
  return allowed.parse?.includes(kind) === true || (allowed[kind]?.includes(String(id)) ?? false);
}

/**
 * The mentions of `content` by an author with `perms` in `channel`, plus `repliedAuthorId` (the
 * author of the message replied to, when the caller decided the reply pings them). Unknown users and
 * roles are dropped, as Discord does.
 */
export async function resolveMentions(
  deps: Deps,
  channel: ChannelInfo,
  perms: bigint,
  content: string,
  allowed: AllowedMentions | undefined,
  repliedAuthorId: bigint | null,
): Promise<Mentions> {
  const canPingAll = hasPermission(perms, Permissions.MENTION_EVERYONE);
  const userIds = ids(content, USER_MENTION).filter((id) => allows(allowed, 'users', id));
  if (repliedAuthorId !== null && !userIds.includes(repliedAuthorId)) userIds.push(repliedAuthorId);
  const roleIds = channel.guildId === null ? [] : ids(content, ROLE_MENTION).filter((id) => allows(allowed, 'roles', id) && id !== channel.guildId);
  const everyone = canPingAll && EVERYONE_MENTION.test(content) && (!allowed || allowed.parse?.includes('everyone') === true);
  const [users, roles] = await Promise.all([
    mentionedUsers(deps, channel.guildId, userIds),
    roleIds.length
      ? deps.db.role.findMany({ where: { id: { in: roleIds }, guildId: channel.guildId!, ...(canPingAll ? {} : { mentionable: true }) }, select: { id: true } })
      : [],
  ]);
  return {
    users: userIds.flatMap((id) => users.get(String(id)) ?? []),
    roleIds: roleIds.filter((id) => roles.some((r) => r.id === id)),
    everyone,
  };
}

/** The profiles of mentioned users, with their membership of `guildId` when they have one. */
export async function mentionedUsers(deps: Deps, guildId: bigint | null, userIds: bigint[]): Promise<Map<string, MentionedUser>> {
  if (userIds.length === 0) return new Map();
  const rows = await deps.db.user.findMany({
    where: { id: { in: userIds } },
    select: {
      ...publicUserSelect,
      memberships: { where: { guildId: guildId ?? -1n }, select: { nick: true, joinedAt: true, roles: { select: { roleId: true } } } },
    },
  });
  return new Map(
    rows.map((u) => {
      const m = u.memberships[0];
      const member = m ? { nick: m.nick, roles: m.roles.map((r) => String(r.roleId)), joinedAt: m.joinedAt.toISOString() } : undefined;
      return [String(u.id), { ...toPublicUser(u), ...(member ? { member } : {}) }];
    }),
  );
}
