// What the signed-in user may do, computed from what the store holds with the server's own
// permission algorithm (shared/permissions.ts), so the UI offers exactly what the server allows.
// The server still checks every call.
import type { Channel } from '../../shared/schemas/channel.js';
import { computeChannelPermissions, hasPermission, Permissions, type PermissionInput } from '../../shared/permissions.js';
import type { GuildView } from './store.js';

function inputFor(g: GuildView): PermissionInput {
  const roles = new Map(g.guild.roles.map((r) => [r.id, BigInt(r.permissions)]));
  return {
    guildId: BigInt(g.guild.id),
    ownerId: BigInt(g.guild.ownerId),
    userId: BigInt(g.self.user.id),
    everyone: roles.get(g.guild.id) ?? 0n,
    memberRoles: g.self.roles.map((id) => ({ id: BigInt(id), permissions: roles.get(id) ?? 0n })),
  };
}

export function can(g: GuildView, permission: keyof typeof Permissions, channel?: Channel): boolean {
  const overwrites = (channel?.permissionOverwrites ?? []).map((o) => ({ targetId: BigInt(o.id), type: o.type, allow: BigInt(o.allow), deny: BigInt(o.deny) }));
  return hasPermission(computeChannelPermissions(inputFor(g), overwrites), Permissions[permission]);
}
