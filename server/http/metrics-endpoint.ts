// /metrics for Prometheus: on the API port by default, or on a port of its own (METRICS_PORT, e.g.
// reachable only from the monitoring network), and behind a bearer token when METRICS_TOKEN is set.
import { timingSafeEqual } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AppDeps } from '../deps.js';

function authorized(req: IncomingMessage, token: string | undefined): boolean {
  if (token === undefined) return true;
  const given = Buffer.from(/^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1]?.trim() ?? '');
  const wanted = Buffer.from(token);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}

export async function serveMetrics(deps: Pick<AppDeps, 'metrics' | 'config'>, req: IncomingMessage, res: ServerResponse) {
  if (!authorized(req, deps.config.METRICS_TOKEN)) {
    res.writeHead(401, { 'content-type': 'text/plain; charset=utf-8', 'www-authenticate': 'Bearer realm="metrics"' });
    return void res.end('401: Unauthorized\n');
  }
  const body = await deps.metrics.registry.metrics();
  res.writeHead(200, { 'content-type': deps.metrics.registry.contentType });
  res.end(body);
}

/** The METRICS_PORT listener: /metrics and nothing else. */
export function createMetricsServer(deps: Pick<AppDeps, 'metrics' | 'config' | 'logger'>) {
  return http.createServer((req, res) => {
    if ((req.url ?? '/').split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      return void res.end('404: Not Found\n');
    }
    serveMetrics(deps, req, res).catch((err) => {
      deps.logger.error({ err }, 'metrics scrape failed');
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
}
