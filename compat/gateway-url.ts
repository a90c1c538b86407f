import type { IncomingMessage } from 'node:http';

/**
 * The gateway's WebSocket URL as the client should use it: from PUBLIC_URL when the server runs
 * behind a proxy, otherwise from the Host header the client itself used.
 */
export function gatewayUrl(req: IncomingMessage, publicUrl: string | undefined): string {
  if (publicUrl) {
    const u = new URL(publicUrl);
    u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
    u.pathname = `${u.pathname.replace(/\/$/, '')}/gateway`;
    return u.toString();
  }
  const host = req.headers.host && /^[A-Za-z0-9.\-:[\]]+$/.test(req.headers.host) ? req.headers.host : `127.0.0.1:${req.socket.localPort}`;
  return `ws://${host}/gateway`;
}
