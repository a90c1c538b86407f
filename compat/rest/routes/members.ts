// Guild members and their roles.
import { toDiscordMember } from '../../serializers.js';
import { del, get, int, NO_CONTENT, patch, put, type Route } from '../route.js';

export const memberRoutes: Route[] = [
  get('/guilds/:guildId/members', async ({ api, call, params, query }) => {
    const after = query.get('after');
    const members = await call(api.members.list, {
      guildId: params.guildId,
      // Discord's defaults: one member, starting after user id 0 (= from the start)
      limit: int(query.get('limit')) ?? 1,
      after: after === '0' ? undefined : (after ?? undefined),
    });
    return members.map(toDiscordMember);
  }),

  get('/guilds/:guildId/members/:userId', async ({ api, call, params }) =>
    toDiscordMember(await call(api.members.get, { guildId: params.guildId, userId: params.userId })),
  ),

  del('/guilds/:guildId/members/:userId', async ({ api, call, params }) => {
    await call(api.members.kick, { guildId: params.guildId, userId: params.userId });
    return NO_CONTENT;
  }),

  patch('/guilds/:guildId/members/@me', async ({ api, call, params, body }) =>
    toDiscordMember(await call(api.members.setNick, { guildId: params.guildId, nick: body.nick })),
  ),

  // of the member fields Discord lets one edit, this server has the nickname
  patch('/guilds/:guildId/members/:userId', async ({ api, call, params, body }) =>
    toDiscordMember(await call(api.members.setNick, { guildId: params.guildId, userId: params.userId, nick: body.nick })),
  ),

  put('/guilds/:guildId/members/:userId/roles/:roleId', async ({ api, call, params }) => {
    await call(api.members.addRole, { guildId: params.guildId, userId: params.userId, roleId: params.roleId });
    return NO_CONTENT;
  }),

  del('/guilds/:guildId/members/:userId/roles/:roleId', async ({ api, call, params }) => {
    await call(api.members.removeRole, { guildId: params.guildId, userId: params.userId, roleId: params.roleId });
    return NO_CONTENT;
  }),
];
