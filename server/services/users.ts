import type { z } from 'zod';
import type { updateMeInput, UserProfile } from '../../shared/schemas/user.js';
import type { AppDeps } from '../deps.js';
import * as publish from '../realtime/publish.js';
import { notFound } from './errors.js';
import { imageField, removeImages } from './images.js';
import { guildPermissions } from './permissions.js';
import { memberInclude, publicUserSelect, toMember, toPublicUser, toSelfUser } from './serialize.js';

type Deps = Pick<AppDeps, 'db' | 'cache' | 'bus' | 'presence' | 'config' | 'storage' | 'logger' | 'ids'>;

export async function getSelf(deps: Deps, userId: bigint) {
  const u = await deps.db.user.findUnique({ where: { id: userId } });
  if (!u) return notFound.user();
  return toSelfUser(u);
}

/**
 * A user's profile. Their status is shown only to users who share a guild with them (as presence
 * events are); to anyone else they look offline.
 */
export async function getUser(deps: Deps, viewerId: bigint, userId: bigint): Promise<UserProfile> {
  const u = await deps.db.user.findUnique({ where: { id: userId }, select: { ...publicUserSelect, bio: true } });
  if (!u) return notFound.user();
  const sharesGuild =
    viewerId === userId ||
    (await deps.db.member.findFirst({ where: { userId, guild: { members: { some: { userId: viewerId } } } }, select: { guildId: true } })) !== null;
  const status = sharesGuild ? ((await deps.presence.visible([userId])).get(userId)?.status ?? 'offline') : 'offline';
  return { ...toPublicUser(u), bio: u.bio, status };
}

/** Updates the caller; USER_UPDATE goes to them, and to the guilds they share (profile changes). */
export async function updateSelf(deps: Deps, userId: bigint, input: z.infer<typeof updateMeInput>) {
  const { status, avatar, ...rest } = input;
  const profile = { ...rest, ...(avatar !== undefined ? { avatar: await imageField(deps, 'avatars', userId, avatar) } : {}) };
  let u = await deps.db.user.update({ where: { id: userId }, data: profile });
  if (avatar !== undefined) await removeImages(deps, 'avatars', userId, u.avatar);
  if (status && status !== u.status) {
    await deps.presence.set(userId, { status });
    u = { ...u, status };
  }
  return announceUserUpdate(deps, u, Object.keys(profile).length > 0);
}

/**
 * USER_UPDATE to the user's own clients; when what others see of them changed (profile, username),
 * GUILD_MEMBER_UPDATE to every guild they are in.
 */
export async function announceUserUpdate(deps: Pick<Deps, 'db' | 'bus'>, u: Parameters<typeof toSelfUser>[0], seenByOthers: boolean) {
  const self = toSelfUser(u);
  await publish.toUsers(deps, [u.id], { type: 'USER_UPDATE', data: self });
  if (seenByOthers) {
    const memberships = await deps.db.member.findMany({ where: { userId: u.id }, include: memberInclude });
    await Promise.all(
      memberships.map((m) =>
        publish.toGuild(deps, m.guildId, { type: 'GUILD_MEMBER_UPDATE', data: toMember(m) }),
      ),
    );
  }
  return self;
}

export async function myGuilds(deps: Deps, userId: bigint) {
  const rows = await deps.db.member.findMany({
    where: { userId },
    select: { guild: { select: { id: true, name: true, icon: true, ownerId: true, description: true, createdAt: true, _count: { select: { members: true } } } } },
    orderBy: { guildId: 'asc' },
  });
  return Promise.all(
    rows.map(async ({ guild: g }) => ({
      id: g.id.toString(),
      name: g.name,
      icon: g.icon,
      ownerId: g.ownerId.toString(),
      owner: g.ownerId === userId,
      permissions: String((await guildPermissions(deps, g.id, userId)) ?? 0n),
      description: g.description,
      createdAt: g.createdAt.toISOString(),
      memberCount: g._count.members,
    })),
  );
}
