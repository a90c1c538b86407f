// The Discord gateway on /gateway: accepts WebSockets, checks the query (v, encoding, compress),
// and runs a GatewayConnection per socket. Also sweeps for zombie connections (no heartbeat) and
// unidentified ones, and flushes resume records in batches.
import type { IncomingMessage } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import { echoRequestId, type GatewayPort, type UpgradeMount } from '../../server/gateway-port.js';
import { gatewayUrl } from '../gateway-url.js';
import { GatewayConnection, recordKey } from './connection.js';
import { Close, SUPPORTED_VERSIONS } from './protocol.js';
import { createTransport } from './transport.js';

const FLUSH_MS = 1000;
/** how long clients get to leave by themselves after op 7 before the server closes them */
const RECONNECT_GRACE_MS = 500;

export function createGateway(port: GatewayPort) {
  const { config, logger } = port;
  const interval = config.GATEWAY_HEARTBEAT_INTERVAL_MS;
  const heartbeatDeadline = interval + Math.max(1000, interval / 2);
  const connections = new Set<GatewayConnection>();
  const dirty = new Set<GatewayConnection>();
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024, perMessageDeflate: false });
  echoRequestId(wss);

  const flush = async () => {
    const written = [...dirty];
    dirty.clear();
    const writes = written.flatMap((c) => c.recordWrite() ?? []);
    await port.resumeRecords.writeMany(writes, config.RESUME_WINDOW_SECONDS).catch((err) => {
      logger.warn({ err: err.message }, 'resume records not saved');
      for (const c of written) c.record?.writeFailed();
    });
  };
  const saveNow = async (c: GatewayConnection) => {
    dirty.delete(c);
    const write = c.recordWrite(true);
    if (write) await port.resumeRecords.writeMany([write], config.RESUME_WINDOW_SECONDS).catch(() => c.record?.writeFailed());
  };
  const flusher = setInterval(() => void flush(), FLUSH_MS).unref();

  const sweeper = setInterval(() => {
    const now = Date.now();
    for (const c of connections) {
      if (!c.authenticating && now - c.openedAt > config.GATEWAY_IDENTIFY_TIMEOUT_MS) c.close(Close.SESSION_TIMED_OUT, 'Identify timed out.');
      else if (now - c.lastHeartbeat > heartbeatDeadline) c.close(Close.SESSION_TIMED_OUT, 'Session timed out (no heartbeat).');
    }
  }, Math.min(1000, interval / 4)).unref();

  function accept(ws: WebSocket, req: IncomingMessage) {
    const session = port.wsSession(req);
    ws.once('close', (code) => session.closed(code));
    const query = new URL(req.url ?? '/', 'http://localhost').searchParams;
    const v = query.get('v');
    const encoding = query.get('encoding') ?? 'json';
    const transport = createTransport(ws, query.get('compress') === 'zlib-stream');
    if (v !== null && !SUPPORTED_VERSIONS.has(Number(v))) return ws.close(Close.INVALID_API_VERSION, 'Invalid API version.');
    if (encoding !== 'json') return ws.close(Close.DECODE_ERROR, 'Only encoding=json is supported.');
    const conn = new GatewayConnection({ port, resumeUrl: gatewayUrl(req, config), markDirty: (c) => dirty.add(c), saveNow, session }, ws, req, transport);
    connections.add(conn);
    ws.on('message', (data: Buffer, isBinary) => void conn.onMessage(data, isBinary));
    ws.on('close', (code) => {
      connections.delete(conn);
      conn.onClosed(code);
    });
    // After an error the WebSocket layer closes the socket itself (with 1009 for a frame over
    // maxPayload); terminating here would drop that close frame before the client got it.
    ws.on('error', (err) => logger.debug({ err: err.message }, 'gateway socket error'));
    conn.hello();
  }

  const upgrade: UpgradeMount = {
    path: '/gateway',
    handle: (req, socket, head) => wss.handleUpgrade(req, socket, head, (ws) => accept(ws, req)),
  };

  /** Graceful shutdown: op 7 so clients resume on another process, then close what is left. */
  async function beforeClose() {
    clearInterval(sweeper);
    for (const c of connections) c.reconnect();
    if (connections.size > 0) await new Promise((r) => setTimeout(r, RECONNECT_GRACE_MS));
    for (const c of connections) c.close(Close.UNKNOWN_ERROR, 'Server restarting: reconnect and resume.');
    clearInterval(flusher);
    for (const c of connections) dirty.add(c);
    await flush();
  }

  return { upgrade, beforeClose, connections };
}
