// The one permission service every guild- or channel-touching procedure goes through.
// Computed permissions are cached per guild (VersionedCache namespace "perm:<guildId>") and the
// namespace is invalidated on every role, overwrite, membership or ownership change.
// A non-member learns nothing about a guild: they get the same error as for an unknown guild.
import {
  ALL_PERMISSIONS,
  computeBasePermissions,
  computeChannelPermissions,
  hasPermission,
  isTimedOut,
  Permissions,
  type Overwrite,
  type PermissionInput,
} from '../../shared/permissions.js';
import { cached } from '../infra/cache.js';
import type { AppDeps } from '../deps.js';
import { missingAccess, missingPermissions, notFound } from './errors.js';

type Deps = Pick<AppDeps, 'db' | 'cache'>;

export const permissionNamespace = (guildId: bigint | string) => `perm:${guildId}`;
const channelNamespace = (channelId: bigint | string) => `chan:${channelId}`;

/** Call after any change to roles, overwrites, memberships or ownership in a guild. */
export function invalidateGuildPermissions(deps: Deps, guildId: bigint | string) {
  return deps.cache.invalidate(permissionNamespace(guildId));
}

/** Call after a channel is created (a lookup of its id before then may have cached "no such channel") and after its guild-independent facts change (update, delete, recipients). */
export function invalidateChannel(deps: Deps, channelId: bigint | string) {
  return deps.cache.invalidate(channelNamespace(channelId));
}

export interface ChannelInfo {
  id: bigint;
  guildId: bigint | null;
  type: number;
  rateLimitPerUser: number;
  /** DM channels: the participants */
  recipientIds: bigint[];
}

function parseChannelInfo(channelId: bigint, raw: string): ChannelInfo | null {
  const v = JSON.parse(raw) as null | { guildId: string | null; type: number; rateLimitPerUser: number; recipientIds: string[] };
  if (!v) return null;
  return {
    id: channelId,
    guildId: v.guildId === null ? null : BigInt(v.guildId),
    type: v.type,
    rateLimitPerUser: v.rateLimitPerUser,
    recipientIds: v.recipientIds.map(BigInt),
  };
}

/**
 * The channel info last parsed by knownChannelVisibility: a fan-out asks about one channel once per
 * recipient, with the same cached string each time, so it is parsed once per event, not per recipient.
 */
let lastPeeked: { channelId: bigint; raw: string; info: ChannelInfo | null } | undefined;
function lastPeekedChannel(channelId: bigint, raw: string): ChannelInfo | null {
  if (lastPeeked?.channelId !== channelId || lastPeeked.raw !== raw) lastPeeked = { channelId, raw, info: parseChannelInfo(channelId, raw) };
  return lastPeeked.info;
}

/**
 * Cached permissions are "none" (not a member), "<bits>", or while a timeout lasts
 * "<bits now>~<timeout end, ms>~<bits after it>": the entry stays true when the timeout ends by
 * itself, which no event announces and nothing invalidates.
 */
function encodePermissions(input: PermissionInput | null, compute: (input: PermissionInput, now: number) => bigint): string {
  if (!input) return 'none';
  const now = Date.now();
  if (!isTimedOut(input, now)) return String(compute(input, now));
  const until = input.communicationDisabledUntil!;
  return `${compute(input, now)}~${until}~${compute(input, until)}`;
}

/** The permissions a cached entry stands for now, and whether a timeout limits them. */
function parseAccess(raw: string): { perms: bigint; timedOut: boolean } | null {
  if (raw === 'none') return null;
  if (!raw.includes('~')) return { perms: BigInt(raw), timedOut: false };
  const [during, until, after] = raw.split('~') as [string, string, string];
  const timedOut = Date.now() < Number(until);
  return { perms: BigInt(timedOut ? during : after), timedOut };
}

const parsePermissions = (raw: string) => parseAccess(raw)?.perms ?? null;

/**
 * Whether the user sees the guild channel (and holds `need` in it), when this process's cache tier
 * already knows both the channel and the user's permissions in it (no I/O, no promise); undefined
 * when it does not.
 */
export function knownChannelVisibility(deps: Deps, channelId: bigint, userId: bigint, need = Permissions.VIEW_CHANNEL): boolean | undefined {
  const rawInfo = deps.cache.peek(channelNamespace(channelId), 'info');
  if (rawInfo === undefined) return undefined;
  const channel = lastPeekedChannel(channelId, rawInfo);
  if (!channel || channel.guildId === null) return channel ? undefined : false;
  const rawPerms = deps.cache.peek(permissionNamespace(channel.guildId), `c:${userId}:${channelId}`);
  if (rawPerms === undefined) return undefined;
  const perms = parsePermissions(rawPerms);
  return perms !== null && hasPermission(perms, need | Permissions.VIEW_CHANNEL);
}

/** Whether the user is a member of the guild, when this process's cache tier already knows; undefined when it does not. */
export function knownMembership(deps: Deps, guildId: bigint, userId: bigint): boolean | undefined {
  const raw = deps.cache.peek(permissionNamespace(guildId), `g:${userId}`);
  return raw === undefined ? undefined : parsePermissions(raw) !== null;
}

/** The channel's basic facts (cached), or null when it does not exist. */
export async function channelInfo(deps: Deps, channelId: bigint): Promise<ChannelInfo | null> {
  const raw = await cached(deps.cache, channelNamespace(channelId), 'info', async () => {
    const c = await deps.db.channel.findUnique({
      where: { id: channelId },
      select: { id: true, guildId: true, type: true, rateLimitPerUser: true, recipients: { select: { userId: true } } },
    });
    return JSON.stringify(
      c && { guildId: c.guildId?.toString() ?? null, type: c.type, rateLimitPerUser: c.rateLimitPerUser, recipientIds: c.recipients.map((r) => String(r.userId)) },
    );
  });
  return parseChannelInfo(channelId, raw);
}

async function permissionInput(deps: Deps, guildId: bigint, userId: bigint): Promise<PermissionInput | null> {
  const [guild, member, everyone] = await Promise.all([
    deps.db.guild.findUnique({ where: { id: guildId }, select: { ownerId: true } }),
    deps.db.member.findUnique({
      where: { guildId_userId: { guildId, userId } },
      select: { communicationDisabledUntil: true, roles: { select: { role: { select: { id: true, permissions: true } } } } },
    }),
    deps.db.role.findUnique({ where: { id: guildId }, select: { permissions: true } }),
  ]);
  if (!guild || !member) return null;
  return {
    guildId,
    ownerId: guild.ownerId,
    userId,
    everyone: everyone?.permissions ?? 0n,
    memberRoles: member.roles.map((r) => r.role),
    communicationDisabledUntil: member.communicationDisabledUntil?.getTime() ?? null,
  };
}

/** The member's guild-level permissions, or null when the user is not a member (or the guild does not exist). */
export async function guildPermissions(deps: Deps, guildId: bigint, userId: bigint): Promise<bigint | null> {
  const raw = await cached(deps.cache, permissionNamespace(guildId), `g:${userId}`, async () =>
    encodePermissions(await permissionInput(deps, guildId, userId), computeBasePermissions),
  );
  return parsePermissions(raw);
}

/** What a DM participant may do (Discord: talk, send files, read, react and pin). */
const DM_PERMISSIONS =
  Permissions.VIEW_CHANNEL |
  Permissions.SEND_MESSAGES |
  Permissions.ATTACH_FILES |
  Permissions.READ_MESSAGE_HISTORY |
  Permissions.ADD_REACTIONS |
  Permissions.PIN_MESSAGES;

/**
 * The user's permissions in a channel: guild channels by the Discord algorithm; DM channels give
 * their participants view/send/history and nobody else anything. null when the user cannot see
 * that the channel exists (not a member of its guild, not a DM participant, or no such channel).
 */
export async function channelPermissions(deps: Deps, channel: ChannelInfo, userId: bigint): Promise<bigint | null> {
  return (await channelAccess(deps, channel, userId))?.perms ?? null;
}

/** channelPermissions, and whether a timeout is what limits them. */
async function channelAccess(deps: Deps, channel: ChannelInfo, userId: bigint): Promise<{ perms: bigint; timedOut: boolean } | null> {
  if (channel.guildId === null) {
    return channel.recipientIds.includes(userId) ? { perms: DM_PERMISSIONS, timedOut: false } : null;
  }
  const guildId = channel.guildId;
  const raw = await cached(deps.cache, permissionNamespace(guildId), `c:${userId}:${channel.id}`, async () => {
    const input = await permissionInput(deps, guildId, userId);
    const overwrites = input ? await deps.db.permissionOverwrite.findMany({ where: { channelId: channel.id } }) : [];
    return encodePermissions(input, (i, now) => computeChannelPermissions(i, overwrites, now));
  });
  return parseAccess(raw);
}

/**
 * The member's permissions in a channel with these overwrites, uncached: for a channel that no
 * longer exists, with the overwrites it had. null when the user is not a member.
 */
export async function permissionsWithOverwrites(deps: Deps, guildId: bigint, userId: bigint, overwrites: Overwrite[]): Promise<bigint | null> {
  const input = await permissionInput(deps, guildId, userId);
  return input && computeChannelPermissions(input, overwrites);
}

/**
 * Whether a member sees a channel, from rows the caller already loaded (the guild with all its roles,
 * the member's role ids, the channel's overwrites): the algorithm channelPermissions caches, for
 * callers that read whole guilds at once and would otherwise ask the cache once per channel.
 */
export function canViewLoaded(guild: { id: bigint; ownerId: bigint; roles: { id: bigint; permissions: bigint }[] }, userId: bigint, memberRoleIds: bigint[], overwrites: Overwrite[]) {
  const mine = new Set(memberRoleIds);
  const input: PermissionInput = {
    guildId: guild.id,
    ownerId: guild.ownerId,
    userId,
    everyone: guild.roles.find((r) => r.id === guild.id)?.permissions ?? 0n,
    memberRoles: guild.roles.filter((r) => mine.has(r.id) && r.id !== guild.id),
  };
  return hasPermission(computeChannelPermissions(input, overwrites), Permissions.VIEW_CHANNEL);
}

/** The guild's permissions for a member; throws Unknown Guild for non-members, Missing Permissions when `need` is lacking. */
export async function requireGuildPermission(deps: Deps, guildId: bigint, userId: bigint, need = 0n): Promise<bigint> {
  const perms = await guildPermissions(deps, guildId, userId);
  if (perms === null) return notFound.guild();
  if (!hasPermission(perms, need)) missingPermissions();
  return perms;
}

/**
 * A channel the user may see, with their permissions in it (and whether a timeout limits them:
 * reactions need that, see reactions.ts). Unknown Channel when it does not exist or the user is
 * outside its guild/DM; Missing Access when they are a member without VIEW_CHANNEL; Missing
 * Permissions when `need` is lacking.
 */
export async function requireChannelPermission(deps: Deps, channelId: bigint, userId: bigint, need = 0n) {
  const channel = await channelInfo(deps, channelId);
  if (!channel) return notFound.channel();
  const access = await channelAccess(deps, channel, userId);
  if (access === null) return notFound.channel();
  const { perms, timedOut } = access;
  if (!hasPermission(perms, Permissions.VIEW_CHANNEL)) return missingAccess();
  if (!hasPermission(perms, need)) return missingPermissions();
  return { channel, perms, timedOut };
}

/** Highest role position of a member (owner: above everything), for role-hierarchy checks. */
export async function highestRolePosition(deps: Deps, guildId: bigint, userId: bigint): Promise<number> {
  const guild = await deps.db.guild.findUnique({ where: { id: guildId }, select: { ownerId: true } });
  if (guild?.ownerId === userId) return Number.POSITIVE_INFINITY;
  const roles = await deps.db.memberRole.findMany({ where: { guildId, userId }, select: { role: { select: { position: true } } } });
  return roles.reduce((max, r) => Math.max(max, r.role.position), 0);
}

export { ALL_PERMISSIONS, hasPermission, Permissions };
