// The original server's REST API under /api/v1: its own routes, bodies and error shape, over the
// same procedures as the Discord API (see compat/rest/handler.ts, which serves both).
import type { RestApi } from '../rest/handler.js';
import { RouteTable } from '../rest/route-table.js';
import { toV1Error, v1ErrorResponse } from './errors.js';
import { authRoutes } from './routes/auth.js';
import { channelRoutes } from './routes/channels.js';
import { guildRoutes } from './routes/guilds.js';
import { inviteRoutes } from './routes/invites.js';
import { userRoutes } from './routes/users.js';

export const v1Routes = [...authRoutes, ...userRoutes, ...guildRoutes, ...channelRoutes, ...inviteRoutes];

export const v1Api: RestApi = {
  base: '/api/v1',
  table: new RouteTable(v1Routes),
  translate: toV1Error,
  errorResponse: v1ErrorResponse,
};
