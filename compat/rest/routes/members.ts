// Guild members and their roles; edits and kicks carry X-Audit-Log-Reason into the audit log.
import { toDiscordMember } from '../../serializers.js';
import { auditLogReason, del, get, int, NO_CONTENT, patch, put, type Route } from '../route.js';

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

  // Discord: members whose username or nickname starts with `query`, `limit` 1-1000 (default 1)
  get('/guilds/:guildId/members/search', async ({ api, call, params, query }) => {
    const found = await call(api.members.search, { guildId: params.guildId, query: query.get('query') ?? undefined, limit: int(query.get('limit')) ?? 1 });
    return found.members.map(toDiscordMember);
  }),

  get('/guilds/:guildId/members/:userId', async ({ api, call, params }) =>
    toDiscordMember(await call(api.members.get, { guildId: params.guildId, userId: params.userId })),
  ),

  del('/guilds/:guildId/members/:userId', async ({ api, call, params, req }) => {
    await call(api.members.kick, { guildId: params.guildId, userId: params.userId, reason: auditLogReason(req) });
    return NO_CONTENT;
  }),

  patch('/guilds/:guildId/members/@me', async ({ api, call, params, body, req }) =>
    toDiscordMember(await call(api.members.setNick, { guildId: params.guildId, nick: body.nick, reason: auditLogReason(req) })),
  ),

  // Of the fields Discord lets one edit: nick, roles and the timeout. Fields left out stay as they are.
  patch('/guilds/:guildId/members/:userId', async ({ api, call, params, body, req }) =>
    toDiscordMember(
      await call(
        api.members.update,
        {
          guildId: params.guildId,
          userId: params.userId,
          nick: body.nick,
          roles: body.roles,
          communicationDisabledUntil: body.communication_disabled_until,
          reason: auditLogReason(req),
        },
        { communicationDisabledUntil: 'communication_disabled_until' },
      ),
    ),
  ),

  put('/guilds/:guildId/members/:userId/roles/:roleId', async ({ api, call, params, req }) => {
    await call(api.members.addRole, { guildId: params.guildId, userId: params.userId, roleId: params.roleId, reason: auditLogReason(req) });
    return NO_CONTENT;
  }),

  del('/guilds/:guildId/members/:userId/roles/:roleId', async ({ api, call, params, req }) => {
    await call(api.members.removeRole, { guildId: params.guildId, userId: params.userId, roleId: params.roleId, reason: auditLogReason(req) });
    return NO_CONTENT;
  }),
];
