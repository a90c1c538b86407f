// Discord permission bits and the permission algorithm (topics/permissions): owner = all;
// @everyone + member roles; ADMINISTRATOR = all; channel overwrites @everyone -> roles -> member.
// The bits are discord-api-types' PermissionFlagsBits (every bit Discord currently defines, up to
// bit 52: 64-bit values, stored as PostgreSQL bigint), under Discord's documented SCREAMING_SNAKE
// names (SendTTSMessages -> SEND_TTS_MESSAGES).
import { PermissionFlagsBits } from 'discord-api-types/v10';

type IsUpper<C extends string> = C extends Lowercase<C> ? false : true;
/** Whether a '_' goes before C: a lower-to-upper step, or the last capital of an acronym before a lowercase letter. */
type WordStart<Prev extends string, C extends string, Rest extends string> = Prev extends ''
  ? false
  : IsUpper<C> extends false
    ? false
    : IsUpper<Prev> extends false
      ? true
      : Rest extends `${infer N}${string}`
        ? IsUpper<N> extends false ? true : false
        : false;
type ScreamingSnake<S extends string, Prev extends string = ''> = S extends `${infer C}${infer Rest}`
  ? `${WordStart<Prev, C, Rest> extends true ? '_' : ''}${Uppercase<C>}${ScreamingSnake<Rest, C>}`
  : '';

const screamingSnake = (name: string) => name.replace(/([a-z])([A-Z])|([A-Z])([A-Z][a-z])/g, '$1$3_$2$4').toUpperCase();

export const Permissions = Object.fromEntries(Object.entries(PermissionFlagsBits).map(([name, bit]) => [screamingSnake(name), bit])) as {
  readonly [K in keyof typeof PermissionFlagsBits as ScreamingSnake<K>]: bigint;
};

export type PermissionName = keyof typeof Permissions;

/** Every bit Discord defines; a bitfield with any other bit set is refused. */
export const ALL_PERMISSIONS = Object.values(Permissions).reduce((a, b) => a | b, 0n);

/** Whether a bitfield only has bits Discord defines. */
export const onlyKnownPermissions = (bits: bigint) => (bits & ~ALL_PERMISSIONS) === 0n;

/** Discord's default @everyone permissions for a new guild. */
export const DEFAULT_EVERYONE_PERMISSIONS =
  Permissions.CREATE_INSTANT_INVITE |
  Permissions.ADD_REACTIONS |
  Permissions.STREAM |
  Permissions.VIEW_CHANNEL |
  Permissions.SEND_MESSAGES |
  Permissions.EMBED_LINKS |
  Permissions.ATTACH_FILES |
  Permissions.READ_MESSAGE_HISTORY |
  Permissions.MENTION_EVERYONE |
  Permissions.USE_EXTERNAL_EMOJIS |
  Permissions.CONNECT |
  Permissions.SPEAK |
  Permissions.USE_VAD |
  Permissions.CHANGE_NICKNAME |
  Permissions.USE_APPLICATION_COMMANDS;

export const hasPermission = (perms: bigint, bit: bigint) => (perms & bit) === bit;

export interface Overwrite {
  targetId: bigint;
  type: number; // 0 role, 1 member
  allow: bigint;
  deny: bigint;
}

export interface PermissionInput {
  guildId: bigint;
  ownerId: bigint;
  userId: bigint;
  /** permissions of the @everyone role */
  everyone: bigint;
  /** permissions of each role the member has (excluding @everyone) */
  memberRoles: { id: bigint; permissions: bigint }[];
  /** the member's timeout end (ms since epoch), when they have one */
  communicationDisabledUntil?: number | null;
}

/** Discord's longest timeout. */
export const MAX_TIMEOUT_MS = 28 * 24 * 60 * 60 * 1000;

/** What a timed-out member keeps (Discord: they can read, nothing else) unless they are an administrator or the owner. */
export const TIMED_OUT_PERMISSIONS = Permissions.VIEW_CHANNEL | Permissions.READ_MESSAGE_HISTORY;

/** Whether the member is timed out at `now` (ms). */
export const isTimedOut = (p: Pick<PermissionInput, 'communicationDisabledUntil'>, now: number) =>
  p.communicationDisabledUntil != null && p.communicationDisabledUntil > now;

function withoutTimeout(p: PermissionInput): bigint {
  if (p.userId === p.ownerId) return ALL_PERMISSIONS;
  let perms = p.everyone;
  for (const r of p.memberRoles) perms |= r.permissions;
  return hasPermission(perms, Permissions.ADMINISTRATOR) ? ALL_PERMISSIONS : perms;
}

/** A timeout leaves non-administrators only TIMED_OUT_PERMISSIONS (applied last, after overwrites). */
function limitedByTimeout(p: PermissionInput, base: bigint, perms: bigint, now: number) {
  return isTimedOut(p, now) && !hasPermission(base, Permissions.ADMINISTRATOR) ? perms & TIMED_OUT_PERMISSIONS : perms;
}

export function computeBasePermissions(p: PermissionInput, now = Date.now()): bigint {
  const base = withoutTimeout(p);
  return limitedByTimeout(p, base, base, now);
}

export function computeChannelPermissions(p: PermissionInput, overwrites: Overwrite[], now = Date.now()): bigint {
  const base = withoutTimeout(p);
  if (hasPermission(base, Permissions.ADMINISTRATOR)) return ALL_PERMISSIONS;
  return limitedByTimeout(p, base, applyOverwrites(p, base, overwrites), now);
}

function applyOverwrites(p: PermissionInput, base: bigint, overwrites: Overwrite[]): bigint {
  let perms = base;
  const everyone = overwrites.find((o) => o.type === 0 && o.targetId === p.guildId);
  if (everyone) perms = (perms & ~everyone.deny) | everyone.allow;
  const roleIds = new Set(p.memberRoles.map((r) => r.id));
  let allow = 0n;
  let deny = 0n;
  for (const o of overwrites) {
    if (o.type === 0 && roleIds.has(o.targetId)) {
      allow |= o.allow;
      deny |= o.deny;
    }
  }
  perms = (perms & ~deny) | allow;
  const member = overwrites.find((o) => o.type === 1 && o.targetId === p.userId);
  if (member) perms = (perms & ~member.deny) | member.allow;
  return perms;
}
