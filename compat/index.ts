// The Discord compatibility layer as mounts for the HTTP server (wired by server/main.ts only):
// the REST API under /api and the gateway on /gateway.
import type { AppMounts } from '../server/app.js';
import { createGatewayPort } from '../server/gateway-port.js';
import { createGateway } from './gateway/index.js';
import { API_PREFIX, createRestHandler } from './rest/handler.js';

export function compatMounts(): AppMounts {
  let gateway: ReturnType<typeof createGateway> | undefined;
  return {
    http: (deps) => [{ prefix: API_PREFIX, handle: createRestHandler(deps) }],
    upgrades: (deps) => {
      gateway = createGateway(createGatewayPort(deps));
      return [gateway.upgrade];
    },
    beforeClose: () => gateway?.beforeClose(),
  };
}
