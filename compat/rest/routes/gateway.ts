// Where the gateway is. discord.js appends "?v=10&encoding=json" to the URL it gets here.
import type { RESTGetAPIGatewayBotResult, RESTGetAPIGatewayResult } from 'discord-api-types/v10';
import { gatewayUrl } from '../../gateway-url.js';
import { get, type Route } from '../route.js';

export const gatewayRoutes: Route[] = [
  get('/gateway', async ({ config, req }): Promise<RESTGetAPIGatewayResult> => ({ url: gatewayUrl(req, config) })),

  get('/gateway/bot', async ({ api, call, config, req }): Promise<RESTGetAPIGatewayBotResult> => {
    const limit = await call(api.sessions.startLimit); // also authenticates the caller, as Discord requires here
    return {
      url: gatewayUrl(req, config),
      shards: 1,
      session_start_limit: { total: limit.total, remaining: limit.remaining, reset_after: limit.resetAfterMs, max_concurrency: limit.maxConcurrency },
    };
  }),
];
