// One WebSocket session (Discord gateway or tRPC) in the log and the metrics: a line when it opens,
// when it identifies or resumes, and when it closes (code, duration), and the open-connections gauge.
import type { IncomingMessage } from 'node:http';
import { clientIp } from '../context.js';
import type { AppDeps } from '../deps.js';
import { callerOf, requestId } from '../http/request-info.js';

export type WsEndpoint = 'gateway' | 'trpc';

export interface WsSession {
  /** the client proved who it is (gateway IDENTIFY, tRPC connection params) */
  identified(userId: string, sessionId?: string): void;
  /** the client took up an earlier session (gateway RESUME) */
  resumed(userId: string, sessionId: string): void;
  /** the socket closed with `code` (as received or sent); later calls do nothing */
  closed(code: number): void;
}

export function openWsSession(deps: Pick<AppDeps, 'logger' | 'metrics' | 'config'>, endpoint: WsEndpoint, req: IncomingMessage): WsSession {
  const { logger, metrics } = deps;
  const opened = Date.now();
  const base = { endpoint, requestId: requestId(req), ip: clientIp(req, deps.config.TRUST_PROXY) };
  let userId: string | undefined;
  let sessionId: string | undefined;
  let closed = false;
  metrics.wsConnections.inc({ endpoint });
  metrics.wsOpen.inc({ endpoint });
  logger.info(base, 'ws open');
  return {
    identified(user, session) {
      userId = user;
      sessionId = session;
      logger.info({ ...base, userId, sessionId }, 'ws identify');
    },
    resumed(user, session) {
      userId = user;
      sessionId = session;
      logger.info({ ...base, userId, sessionId }, 'ws resume');
    },
    closed(code) {
      if (closed) return;
      closed = true;
      metrics.wsOpen.dec({ endpoint });
      logger.info({ ...base, userId: userId ?? callerOf(req), sessionId, code, durationMs: Date.now() - opened }, 'ws close');
    },
  };
}
