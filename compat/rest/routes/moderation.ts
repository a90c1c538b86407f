// Bans and the audit log (Discord's paths and shapes); X-Audit-Log-Reason becomes the recorded reason.
import { toDiscordAuditLog, toDiscordBan } from '../../serializers.js';
import { auditLogReason, del, get, int, NO_CONTENT, post, put, type Route } from '../route.js';

const SECONDS_PER_DAY = 86_400;

export const moderationRoutes: Route[] = [
  get('/guilds/:guildId/bans', async ({ api, call, params, query }) => {
    const bans = await call(api.bans.list, {
      guildId: params.guildId,
      limit: int(query.get('limit')),
      before: query.get('before') ?? undefined,
      after: query.get('after') ?? undefined,
    });
    return bans.map(toDiscordBan);
  }),

  get('/guilds/:guildId/bans/:userId', async ({ api, call, params }) => toDiscordBan(await call(api.bans.get, { guildId: params.guildId, userId: params.userId }))),

  // delete_message_days is Discord's deprecated form of delete_message_seconds
  put('/guilds/:guildId/bans/:userId', async ({ api, call, params, body, req }) => {
    const days = body.delete_message_days;
    const deleteMessageSeconds = body.delete_message_seconds ?? (typeof days === 'number' ? days * SECONDS_PER_DAY : days);
    await call(
      api.bans.create,
      { guildId: params.guildId, userId: params.userId, deleteMessageSeconds, reason: auditLogReason(req) },
      { deleteMessageSeconds: body.delete_message_seconds === undefined && days !== undefined ? 'delete_message_days' : 'delete_message_seconds' },
    );
    return NO_CONTENT;
  }),

  del('/guilds/:guildId/bans/:userId', async ({ api, call, params, req }) => {
    await call(api.bans.remove, { guildId: params.guildId, userId: params.userId, reason: auditLogReason(req) });
    return NO_CONTENT;
  }),

  post('/guilds/:guildId/bulk-ban', async ({ api, call, params, body, req }) => {
    const result = await call(api.bans.bulk, {
      guildId: params.guildId,
      userIds: body.user_ids,
      deleteMessageSeconds: body.delete_message_seconds,
      reason: auditLogReason(req),
    });
    return { banned_users: result.bannedUsers, failed_users: result.failedUsers };
  }),

  get('/guilds/:guildId/audit-logs', async ({ api, call, params, query }) => {
    const log = await call(api.auditLog.list, {
      guildId: params.guildId,
      userId: query.get('user_id') ?? undefined,
      actionType: int(query.get('action_type')),
      before: query.get('before') ?? undefined,
      after: query.get('after') ?? undefined,
      limit: int(query.get('limit')),
    });
    return toDiscordAuditLog(log);
  }),
];
