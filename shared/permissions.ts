// Discord permission bits and the permission algorithm (topics/permissions): owner = all;
// @everyone + member roles; ADMINISTRATOR = all; channel overwrites @everyone -> roles -> member.
export const Permissions = {
  CREATE_INSTANT_INVITE: 1n << 0n,
  KICK_MEMBERS: 1n << 1n,
  BAN_MEMBERS: 1n << 2n,
  ADMINISTRATOR: 1n << 3n,
  MANAGE_CHANNELS: 1n << 4n,
  MANAGE_GUILD: 1n << 5n,
  ADD_REACTIONS: 1n << 6n,
  VIEW_AUDIT_LOG: 1n << 7n,
  PRIORITY_SPEAKER: 1n << 8n,
  STREAM: 1n << 9n,
  VIEW_CHANNEL: 1n << 10n,
  SEND_MESSAGES: 1n << 11n,
  SEND_TTS_MESSAGES: 1n << 12n,
  MANAGE_MESSAGES: 1n << 13n,
  EMBED_LINKS: 1n << 14n,
  ATTACH_FILES: 1n << 15n,
  READ_MESSAGE_HISTORY: 1n << 16n,
  MENTION_EVERYONE: 1n << 17n,
  USE_EXTERNAL_EMOJIS: 1n << 18n,
  VIEW_GUILD_INSIGHTS: 1n << 19n,
  CONNECT: 1n << 20n,
  SPEAK: 1n << 21n,
  MUTE_MEMBERS: 1n << 22n,
  DEAFEN_MEMBERS: 1n << 23n,
  MOVE_MEMBERS: 1n << 24n,
  USE_VAD: 1n << 25n,
  CHANGE_NICKNAME: 1n << 26n,
  MANAGE_NICKNAMES: 1n << 27n,
  MANAGE_ROLES: 1n << 28n,
  MANAGE_WEBHOOKS: 1n << 29n,
  MANAGE_GUILD_EXPRESSIONS: 1n << 30n,
  USE_APPLICATION_COMMANDS: 1n << 31n,
  PIN_MESSAGES: 1n << 51n,
} as const;

export type PermissionName = keyof typeof Permissions;

/** Every bit this server knows about. */
export const ALL_PERMISSIONS = Object.values(Permissions).reduce((a, b) => a | b, 0n);

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
}

export function computeBasePermissions(p: PermissionInput): bigint {
  if (p.userId === p.ownerId) return ALL_PERMISSIONS;
  let perms = p.everyone;
  for (const r of p.memberRoles) perms |= r.permissions;
  return hasPermission(perms, Permissions.ADMINISTRATOR) ? ALL_PERMISSIONS : perms;
}

export function computeChannelPermissions(p: PermissionInput, overwrites: Overwrite[]): bigint {
  let perms = computeBasePermissions(p);
  if (hasPermission(perms, Permissions.ADMINISTRATOR)) return ALL_PERMISSIONS;
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
