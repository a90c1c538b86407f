// Physical-limit baseline for fan-out, run as its own process: a bare `ws` server that broadcasts a
// payload to every socket. The bench sets the payload template on the /control socket
// ({"template": "...__NONCE__..."}) and then sends a nonce there for each broadcast. Prints
// "listening <port>" once ready; exits when stdin closes (the bench went away).
import { WebSocketServer, type WebSocket } from 'ws';

const clients = new Set<WebSocket>();
let template = '';
const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });

wss.on('connection', (ws, req) => {
  if (req.url === '/control') {
    ws.on('message', (data: Buffer) => {
      const msg = JSON.parse(data.toString()) as { template?: string; nonce?: string };
      if (msg.template !== undefined) template = msg.template;
      if (msg.nonce !== undefined) {
        const payload = template.replace('__NONCE__', msg.nonce);
        for (const c of clients) c.send(payload);
      }
    });
    return;
  }
  clients.add(ws);
  ws.on('close', () => clients.delete(ws));
  ws.on('error', () => ws.terminate());
});

wss.on('listening', () => {
  const address = wss.address();
  process.stdout.write(`listening ${typeof address === 'object' && address ? address.port : address}\n`);
});

process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));
