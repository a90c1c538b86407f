// Guild fixtures built through the real API: a guild with members joined by invite, and roles.
import type { App } from '../../server/app.js';
import type { Guild } from '../../shared/schemas/guild.js';
import type { Role } from '../../shared/schemas/role.js';
import { registerUser, uniqueName, type TestUser } from './clients.js';

export interface GuildFixture {
  owner: TestUser;
  guild: Guild;
  /** the #general channel created with the guild */
  generalId: string;
  members: TestUser[];
}

/** Makes `users` members of the guild through one unlimited invite to `channelId`. */
export async function joinGuild(inviter: TestUser, channelId: string, users: TestUser[]) {
  const invite = await inviter.client.invites.create.mutate({ channelId, maxAge: 0 });
  for (const u of users) await u.client.invites.accept.mutate({ code: invite.code });
}

/** A new guild owned by `owner` (registered if not given) with `memberCount` new users (or `members`) joined. */
export async function createGuild(
  url: string,
  opts: { owner?: TestUser; members?: TestUser[]; memberCount?: number } = {},
): Promise<GuildFixture> {
  const owner = opts.owner ?? (await registerUser(url));
  const members = opts.members ?? (await Promise.all(Array.from({ length: opts.memberCount ?? 0 }, () => registerUser(url))));
  const guild = await owner.client.guilds.create.mutate({ name: uniqueName('guild') });
  const generalId = guild.systemChannelId!;
  if (members.length) await joinGuild(owner, generalId, members);
  return { owner, guild, generalId, members };
}

/** A new role with these permissions (created by `by`), assigned to each of `users`. */
export async function grantRole(by: TestUser, guildId: string, users: TestUser[], permissions: bigint, extra: { position?: number } = {}): Promise<Role> {
  const role = await by.client.roles.create.mutate({ guildId, name: uniqueName('role'), permissions: String(permissions), ...extra });
  for (const u of users) await by.client.members.addRole.mutate({ guildId, userId: u.id, roleId: role.id });
  return role;
}

/**
 * A guild (new owner) of the four `pool` users, ranked: `mod` holds a "mod" role (position 2, with
 * `perms`) above `peer`'s "low" role (position 1), `equal` holds the same "mod" role, `plain` has none.
 */
export async function rankedGuild(url: string, pool: TestUser[], perms: bigint) {
  const f = await createGuild(url, { owner: await registerUser(url), members: pool });
  const [mod, equal, peer, plain] = f.members as [TestUser, TestUser, TestUser, TestUser];
  const low = await grantRole(f.owner, f.guild.id, [peer], 0n);
  const modRole = await grantRole(f.owner, f.guild.id, [mod, equal], perms, { position: 2 });
  return { ...f, mod, equal, peer, plain, low, modRole };
}

/**
 * `count` more members for a guild, as users written straight to the database (usernames
 * `${prefix}_<i>`, no password): a guild of thousands cannot be built through the API in a test.
 */
export async function seedMembers(app: App, guildId: string, count: number, prefix = uniqueName('seed')): Promise<string[]> {
  const users = Array.from({ length: count }, (_, i) => ({ id: app.deps.ids.next(), username: `${prefix}_${i}` }));
  await app.deps.db.user.createMany({ data: users });
  await app.deps.db.member.createMany({ data: users.map((u) => ({ guildId: BigInt(guildId), userId: u.id })) });
  return users.map((u) => String(u.id));
}
