// The guild the REST and tRPC fuzz tests aim at, with something of every kind for real ids to come
// from: channels of each visibility, a role, a DM, an invite, and guilds to destroy or not to see.
import { Permissions } from '../../shared/permissions.js';
import { createGuild } from './guilds.js';

/**
 * A guild of an owner and one member with a category holding a channel hidden from @everyone, a
 * role and an unlimited invite; a DM between the two; a second guild of the owner's for
 * destructive calls (`disposable`), and a guild neither is in (`foreign`).
 */
export async function createFuzzGuild(url: string) {
  const main = await createGuild(url, { memberCount: 1 });
  const guildId = main.guild.id;
  const member = main.members[0]!;
  const c = main.owner.client;
  const category = await c.channels.create.mutate({ guildId, name: 'category', type: 4 });
  const hidden = await c.channels.create.mutate({ guildId, name: 'hidden', parentId: category.id });
  await c.channels.setOverwrite.mutate({ channelId: hidden.id, targetId: guildId, type: 0, deny: String(Permissions.VIEW_CHANNEL) });
  const role = await c.roles.create.mutate({ guildId, name: 'fuzz role' });
  const dm = await c.dms.open.mutate({ userId: member.id });
  const invite = await c.invites.create.mutate({ channelId: main.generalId, maxAge: 0 });
  const disposable = await c.guilds.create.mutate({ name: 'disposable' });
  const foreign = await createGuild(url);
  return { ...main, member, category, hidden, role, dm, invite, disposable, foreign };
}
