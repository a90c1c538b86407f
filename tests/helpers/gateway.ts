// A raw Discord-gateway WebSocket client for protocol tests: records every payload and the close.
import zlib from 'node:zlib';
import WebSocket from 'ws';
import { onCleanup } from './cleanup.js';

export interface GatewayPayload {
  op: number;
  d: any;
  s: number | null;
  t: string | null;
}

export interface RawGateway {
  ws: WebSocket;
  received: GatewayPayload[];
  send(op: number, d: unknown): void;
  sendText(text: string | Buffer, binary?: boolean): void;
  next(pred: (p: GatewayPayload) => boolean, timeoutMs?: number): Promise<GatewayPayload>;
  dispatch(t: string, pred?: (d: any) => boolean, timeoutMs?: number): Promise<GatewayPayload>;
  closed: Promise<{ code: number; reason: string }>;
  /** identify and wait for READY plus one GUILD_CREATE per guild */
  identify(token: string, intents?: number, extra?: Record<string, unknown>): Promise<GatewayPayload>;
  close(code?: number): void;
}

export const ALL_NON_PRIVILEGED = 0b1111111111111111 & ~(1 << 1) & ~(1 << 8) & ~(1 << 15);
export const EVERYTHING = (1 << 0) | (1 << 1) | (1 << 6) | (1 << 8) | (1 << 9) | (1 << 11) | (1 << 12) | (1 << 14) | (1 << 15);

export async function connectGateway(baseUrl: string, query = 'v=10&encoding=json'): Promise<RawGateway> {
  const ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/gateway?${query}`);
  const received: GatewayPayload[] = [];
  const waiters = new Set<() => void>();
  const zlibStream = query.includes('compress=zlib-stream');
  const inflate = zlibStream ? zlib.createInflate() : undefined;
  const onPayload = (text: string) => {
    received.push(JSON.parse(text));
    waiters.forEach((w) => w());
  };
  if (inflate) {
    let buf = '';
    inflate.on('data', (c: Buffer) => {
      buf += c.toString();
      // each flushed payload is one complete JSON document
      try {
        onPayload(buf);
        buf = '';
      } catch {
        // incomplete: wait for more
      }
    });
  }
  ws.on('message', (data: Buffer, isBinary) => (inflate && isBinary ? inflate.write(data) : onPayload(data.toString())));
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => {
      resolve({ code, reason: reason.toString() });
      waiters.forEach((w) => w());
    }),
  );
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  onCleanup(() => ws.terminate());

  const next = (pred: (p: GatewayPayload) => boolean, timeoutMs = 5000) =>
    new Promise<GatewayPayload>((resolve, reject) => {
      const check = () => {
        const hit = received.find(pred);
        if (hit) {
          waiters.delete(check);
          clearTimeout(timer);
          resolve(hit);
        }
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`timed out; received ${received.map((p) => p.t ?? `op${p.op}`).join(', ')}`));
      }, timeoutMs);
      waiters.add(check);
      check();
    });

  const g: RawGateway = {
    ws,
    received,
    send: (op, d) => ws.send(JSON.stringify({ op, d })),
    sendText: (text, binary = false) => ws.send(text, { binary }),
    next,
    dispatch: (t, pred = () => true, timeoutMs) => next((p) => p.op === 0 && p.t === t && pred(p.d), timeoutMs),
    closed,
    async identify(token, intents = EVERYTHING, extra = {}) {
      await next((p) => p.op === 10);
      g.send(2, { token, intents, properties: { os: 'linux', browser: 'test', device: 'test' }, ...extra });
      const ready = await g.dispatch('READY');
      const ids: string[] = ready.d.guilds.map((x: { id: string }) => x.id);
      await Promise.all(ids.map((id) => g.dispatch('GUILD_CREATE', (d) => d.id === id)));
      return ready;
    },
    close: (code = 1000) => ws.close(code),
  };
  return g;
}
