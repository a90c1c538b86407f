// Dependency outages for fault tests: a TCP proxy that can go down (listener closed, connections
// cut) and come back on the same port, a private redis-server this test file may kill, freeze and
// restart (the machine's Redis is shared by test files running in parallel), and probes of a
// server process (readiness, memory).
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { freePort } from './processes.js';
import { onCleanup } from './cleanup.js';

export interface OutageProxy {
  port: number;
  /** closes the listener (new connections are refused) and destroys every connection through it */
  down(): Promise<void>;
  /** listens again, on the same port */
  up(): Promise<void>;
}

export async function startOutageProxy(targetPort: number): Promise<OutageProxy> {
  const sockets = new Set<net.Socket>();
  const track = (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  };
  let server: net.Server | undefined;
  let port = 0;
  const proxy: OutageProxy = {
    get port() {
      return port;
    },
    async up() {
      const s = net.createServer((client) => {
        const upstream = net.connect(targetPort, '127.0.0.1');
        track(client);
        track(upstream);
        const drop = () => {
          client.destroy();
          upstream.destroy();
        };
        client.on('error', drop).on('close', drop);
        upstream.on('error', drop).on('close', drop);
        client.pipe(upstream).pipe(client);
      });
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.listen(port, '127.0.0.1', resolve);
      });
      port = (s.address() as net.AddressInfo).port;
      server = s;
    },
    async down() {
      const s = server;
      server = undefined;
      const closed = new Promise<void>((resolve) => (s ? s.close(() => resolve()) : resolve()));
      for (const c of sockets) c.destroy();
      await closed;
    },
  };
  await proxy.up();
  onCleanup(() => proxy.down());
  return proxy;
}

export interface PrivateRedis {
  url: string;
  port: number;
  /** SIGKILL: every key is gone with it (no persistence) */
  kill(): Promise<void>;
  /** starts a new, empty redis-server on the same port */
  restart(): Promise<void>;
  /** SIGSTOP / SIGCONT: connections stay open but nothing answers */
  freeze(): void;
  thaw(): void;
}

/** A redis-server of this test file only, without persistence, on a free port. */
export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const launch = () =>
    new Promise<void>((resolve, reject) => {
      const c = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child = c;
      let out = '';
      const timer = setTimeout(() => reject(new Error(`redis-server did not start:\n${out}`)), 10_000);
      c.stdout!.on('data', (b: Buffer) => {
        out += b.toString();
        if (out.includes('Ready to accept connections')) {
          clearTimeout(timer);
          resolve();
        }
      });
      c.once('exit', () => {
        clearTimeout(timer);
        reject(new Error(`redis-server exited:\n${out}`));
      });
    });
  const kill = async () => {
    const c = child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise((resolve) => c.once('exit', resolve));
    c.kill('SIGCONT');
    c.kill('SIGKILL');
    await exited;
  };
  await launch();
  onCleanup(kill);
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    kill,
    restart: launch,
    freeze: () => void child?.kill('SIGSTOP'),
    thaw: () => void child?.kill('SIGCONT'),
  };
}

export interface Readiness {
  status: number;
  body: { ok: boolean; checks: Record<string, string> };
}

export async function readiness(url: string): Promise<Readiness> {
  const res = await fetch(`${url}/health/ready`);
  return { status: res.status, body: (await res.json()) as Readiness['body'] };
}

/** Polls /health/ready until it answers `status`; resolves with that answer and how long it took. */
export async function readinessBecomes(url: string, status: number, withinMs: number): Promise<Readiness & { afterMs: number }> {
  const started = Date.now();
  for (;;) {
    const r = await readiness(url);
    const afterMs = Date.now() - started;
    if (r.status === status) return { ...r, afterMs };
    if (afterMs > withinMs) throw new Error(`readiness still ${r.status} after ${afterMs} ms: ${JSON.stringify(r.body)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Resident memory of a process (Linux), in bytes. */
export function rssOf(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmRSS for process ${pid}`);
  return Number(m[1]) * 1024;
}
