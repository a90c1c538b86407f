// The server under test as a child process, run as `npm start` runs it (the compiled
// dist/server/main.js, built by `npm run bench` first), so its CPU and
// memory are measured apart from the bench's clients. Ready when /health/ready answers 200.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { treeMemory } from './proc.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const START_TIMEOUT_MS = 180_000;
const STOP_TIMEOUT_MS = 20_000;
const OUTPUT_KEEP = 64 * 1024;

export interface ServerOptions {
  databaseUrl?: string;
  redisUrl?: string;
  redisPrefix: string;
  heartbeatMs: number;
  /** shared by the servers of a run, so tokens work on each */
  jwtSecret: string;
  /** extra variables (over the caller's environment) */
  env?: Record<string, string>;
}

export interface ServerProcess {
  pid: number;
  url: string;
  /** the embedded PostgreSQL's URL, when the server runs one */
  embeddedDatabaseUrl?: string;
  /** memory of the embedded PostgreSQL's processes (postmaster + backends), when there is one */
  embeddedMemory(): { rss: number; pss: number; processes: number } | undefined;
  /** warn/error/fatal lines the server logged so far (the last ones) and their count */
  problems(): { count: number; last: string[] };
  output(): string;
  exited(): boolean;
  stop(): Promise<void>;
}

/** A TCP port that was free a moment ago (the server binds it right after). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** node flags for the server alone (SERVER_NODE_ARGS, e.g. --cpu-prof, which NODE_OPTIONS refuses) */
const serverNodeArgs = () => (process.env.SERVER_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startServer(opts: ServerOptions): Promise<ServerProcess> {
  const [port, pgPort] = await Promise.all([freePort(), freePort()]);
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'chat-bench-data-'));
  const env: Record<string, string | undefined> = {
    // defaults the caller's environment may override (e.g. DB_POOL_SIZE, LOG_LEVEL)
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    RATE_LIMIT_PER_SECOND: '1000000',
    RATE_LIMIT_AUTH_PER_MINUTE: '1000000',
    GATEWAY_MAX_CONCURRENCY: '1000000',
    GATEWAY_USER_IDENTIFY_BURST: '1000000',
    GATEWAY_SESSION_START_LIMIT: '1000000000',
    GATEWAY_MAX_SESSIONS_PER_USER: '1000000',
    MEMBER_SEARCH_PER_MINUTE: '1000000',
    // the bench owner creates a dozen guilds per run, and runs repeat
    MAX_GUILDS_PER_USER: '1000000',
    // the scenarios' bot accounts are owned by one user
    MAX_BOTS_PER_USER: '1000000',
    RATE_LIMIT_APPLICATIONS_PER_HOUR: '1000000',
    ...process.env,
    // what this run owns
    DATABASE_URL: opts.databaseUrl ?? '',
    REDIS_URL: opts.redisUrl ?? '',
    REDIS_PREFIX: opts.redisPrefix,
    SERVER_HOST: '127.0.0.1',
    SERVER_PORT: String(port),
    DATA_DIR: dataDir,
    EMBEDDED_PG_PORT: String(pgPort),
    GATEWAY_HEARTBEAT_INTERVAL_MS: String(opts.heartbeatMs),
    JWT_SECRET: opts.jwtSecret,
    ...opts.env,
  };
  const child: ChildProcess = spawn(process.execPath, [...serverNodeArgs(), path.join(ROOT, 'dist/server/main.js')], {
    env,
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let problemCount = 0;
  const problems: string[] = [];
  const onData = (b: Buffer) => {
    const text = b.toString();
    out = (out + text).slice(-OUTPUT_KEEP);
    for (const line of text.split('\n')) {
      const level = /"level":(\d+)/.exec(line)?.[1];
      if ((level && Number(level) >= 40) || (!level && line.trim() && !line.startsWith('{'))) {
        problemCount++;
        problems.push(line.slice(0, 500));
        if (problems.length > 20) problems.shift();
      }
    }
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  let exitedFlag = false;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exitedFlag = true;
      resolve();
    }),
  );
  const url = `http://127.0.0.1:${port}`;
  const cleanupDir = () => rmSync(dataDir, { recursive: true, force: true });

  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (exitedFlag) {
      cleanupDir();
      throw new Error(`server exited during start:\n${out}`);
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      await exited;
      cleanupDir();
      throw new Error(`server not ready after ${START_TIMEOUT_MS / 1000} s:\n${out}`);
    }
    const ready = await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(2000) }).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ready) break;
    await sleep(200);
  }

  const postmasterPid = (): number | undefined => {
    if (opts.databaseUrl) return undefined;
    try {
      const pid = Number(readFileSync(path.join(dataDir, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0]);
      return pid > 0 ? pid : undefined;
    } catch {
      return undefined;
    }
  };

  return {
    pid: child.pid!,
    url,
    embeddedDatabaseUrl: opts.databaseUrl ? undefined : `postgresql://postgres:embedded@127.0.0.1:${pgPort}/chat`,
    embeddedMemory() {
      const pid = postmasterPid();
      return pid === undefined ? undefined : treeMemory(pid);
    },
    problems: () => ({ count: problemCount, last: [...problems] }),
    output: () => out,
    exited: () => exitedFlag,
    async stop() {
      if (!exitedFlag) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
        await exited;
        clearTimeout(timer);
      }
      cleanupDir();
    },
  };
}

/** Values of Prometheus metrics from one scrape of the server's /metrics (first sample of each name; NaN if absent). */
export async function scrapeMetrics(url: string, names: string[]): Promise<Record<string, number>> {
  const text = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(10_000) }).then((r) => r.text());
  const out: Record<string, number> = {};
  for (const name of names) {
    const m = new RegExp(`^${name}(?:\\{[^}]*\\})? ([^\\s]+)`, 'm').exec(text);
    out[name] = m ? Number(m[1]) : NaN;
  }
  return out;
}
