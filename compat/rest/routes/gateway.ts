// Where the gateway is. discord.js appends "?v=10&encoding=json" to the URL it gets here.
import type { RESTGetAPIGatewayBotResult, RESTGetAPIGatewayResult } from 'discord-api-types/v10';
import { gatewayUrl } from '../../gateway-url.js';
import { get, type Route } from '../route.js';

export const gatewayRoutes: Route[] = [
  get('/gateway', async ({ config, req }): Promise<RESTGetAPIGatewayResult> => ({ url: gatewayUrl(req, config) })),

  get('/gateway/bot', async ({ call, config, req }): Promise<RESTGetAPIGatewayBotResult> => {
    await call('users.me'); // authenticates the caller, as Discord requires here
    return {
      url: gatewayUrl(req, config),
      shards: 1,
      // this server keeps no per-day identify budget: always a full one
      session_start_limit: { total: 1000, remaining: 1000, reset_after: 0, max_concurrency: 1 },
    };
  }),
];
