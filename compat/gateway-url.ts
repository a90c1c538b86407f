import type { IncomingMessage } from 'node:http';

/** The scheme the client used: the proxy's X-Forwarded-Proto when the proxy is trusted, else this socket's. */
function clientUsedTls(req: IncomingMessage, trustProxy: boolean): boolean {
  if (trustProxy) {
    const fwd = req.headers['x-forwarded-proto'];
    const first = (Array.isArray(fwd) ? fwd[0] : fwd)?.split(',')[0]?.trim().toLowerCase();
    if (first) return first === 'https' || first === 'wss';
  }
  return 'encrypted' in req.socket && req.socket.encrypted === true;
}

/**
 * The gateway's WebSocket URL as the client should use it: from PUBLIC_URL when it is set,
 * otherwise from the Host header the client itself used, with `wss:` when the client came over TLS
 * (behind a trusted proxy: X-Forwarded-Proto says so).
 */
export function gatewayUrl(req: IncomingMessage, config: { PUBLIC_URL?: string; TRUST_PROXY: boolean }): string {
  if (config.PUBLIC_URL) {
    const u = new URL(config.PUBLIC_URL);
    u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
    u.pathname = `${u.pathname.replace(/\/$/, '')}/gateway`;
    return u.toString();
  }
  const host = req.headers.host && /^[A-Za-z0-9.\-:[\]]+$/.test(req.headers.host) ? req.headers.host : `127.0.0.1:${req.socket.localPort}`;
  return `${clientUsedTls(req, config.TRUST_PROXY) ? 'wss' : 'ws'}://${host}/gateway`;
}
