// Framing of outgoing gateway payloads: JSON text frames, or with `compress=zlib-stream` one shared
// zlib context per connection whose output for each payload ends with a Z_SYNC_FLUSH (the client
// detects payload boundaries by the 00 00 ff ff suffix).
import zlib from 'node:zlib';
import type { WebSocket } from 'ws';

export interface Transport {
  send(payload: unknown): void;
  /** pre-serialized JSON, for payloads shared by many connections */
  sendRaw(json: string): void;
  close(): void;
}

export function createTransport(ws: WebSocket, compress: boolean): Transport {
  if (!compress) {
    return {
      send: (p) => ws.send(JSON.stringify(p)),
      sendRaw: (json) => ws.send(json),
      close: () => {},
    };
  }
  const deflate = zlib.createDeflate({ chunkSize: 64 * 1024 });
  let chunks: Buffer[] = [];
  deflate.on('data', (c: Buffer) => chunks.push(c));
  deflate.on('error', () => ws.terminate());
  const sendRaw = (json: string) => {
    deflate.write(json);
    deflate.flush(zlib.constants.Z_SYNC_FLUSH, () => {
      if (chunks.length === 0) return;
      const frame = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
      chunks = [];
      if (ws.readyState === ws.OPEN) ws.send(frame);
    });
  };
  return { send: (p) => sendRaw(JSON.stringify(p)), sendRaw, close: () => deflate.destroy() };
}
