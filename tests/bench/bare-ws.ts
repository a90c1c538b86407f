// Starts and drives the bare ws broadcast server (bare-ws-server.ts) in a child process.
import { spawn } from 'node:child_process';
import path from 'node:path';
import WebSocket from 'ws';
import { ROOT } from './server-process.js';

export interface BareWsServer {
  pid: number;
  url: string;
  setTemplate(template: string): void;
  broadcast(nonce: string): void;
  stop(): Promise<void>;
}

export async function startBareWsServer(): Promise<BareWsServer> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'tests/bench/bare-ws-server.ts')], { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error('bare ws server did not start in 30 s')), 30_000);
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      const m = /listening (\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`bare ws server exited with ${code}`));
    });
  });
  const url = `ws://127.0.0.1:${port}`;
  const control = new WebSocket(`${url}/control`, { perMessageDeflate: false });
  await new Promise<void>((resolve, reject) => {
    control.once('open', () => resolve());
    control.once('error', reject);
  });
  return {
    pid: child.pid!,
    url: `${url}/`,
    setTemplate: (template) => control.send(JSON.stringify({ template })),
    broadcast: (nonce) => control.send(JSON.stringify({ nonce })),
    async stop() {
      control.terminate();
      child.stdin!.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
