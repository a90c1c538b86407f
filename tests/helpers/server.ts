// Real servers for tests: in-process (startServer, the same function the entry point uses) or as
// separate OS processes (for crash, multi-node and shutdown tests).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { inject } from 'vitest';
import type { App } from '../../server/app.js';
import { loadConfig } from '../../server/config.js';
import { startServer } from '../../server/main.js';
import { createScratchDatabase, type ScratchDatabase } from './database.js';
import { onCleanup } from './cleanup.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

let database: Promise<ScratchDatabase> | undefined;
/** This test file's database (created on first use, dropped after the file). */
export function fileDatabase(): Promise<ScratchDatabase> {
  if (!database) {
    database = createScratchDatabase(inject('databaseUrl'), 'test');
    onCleanup(async () => (await database!).drop());
  }
  return database;
}

const redisPrefix = `test:${randomBytes(4).toString('hex')}:`;
export const hasRedis = () => inject('redisUrl') !== '';

/** Environment for a server of this test file: its database, Redis (if any) under its own prefix, quiet logs. */
export async function testEnv(overrides: Record<string, string> = {}): Promise<Record<string, string>> {
  const db = await fileDatabase();
  return {
    NODE_ENV: 'test',
    DATABASE_URL: db.url,
    REDIS_URL: inject('redisUrl'),
    REDIS_PREFIX: redisPrefix,
    JWT_SECRET: 'test-secret-test-secret-test-secret-0123456789',
    SERVER_HOST: '127.0.0.1',
    SERVER_PORT: '0',
    LOG_LEVEL: 'silent',
    DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'chat-test-data-')),
    RATE_LIMIT_PER_SECOND: '10000',
    RATE_LIMIT_AUTH_PER_MINUTE: '10000',
    // tests open many sessions of one account at once; the tests of these limits set them low
    GATEWAY_MAX_CONCURRENCY: '100000',
    GATEWAY_USER_IDENTIFY_BURST: '100000',
    GATEWAY_SESSION_START_LIMIT: '1000000',
    GATEWAY_MAX_SESSIONS_PER_USER: '100000',
    MEMBER_SEARCH_PER_MINUTE: '100000',
    ...overrides,
  };
}

/** Starts an in-process server; it is closed after the test file. */
export async function startTestServer(overrides: Record<string, string> = {}): Promise<App> {
  const app = await startServer(loadConfig(await testEnv(overrides)));
  onCleanup(() => app.close());
  return app;
}

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  port: number;
  /** everything the process wrote to stdout/stderr */
  output(): string;
  /** what the process wrote to stdout only (its log: JSON lines) */
  stdout(): string;
  /** SIGTERM and wait for exit; resolves to the exit code */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** the real entry point from source, the way tests start servers unless they test another way in */
const FROM_SOURCE = [process.execPath, '--import', 'tsx', path.join(ROOT, 'server/main.ts')];

/**
 * Starts the real entry point (`tsx server/main.ts`, or `command`, e.g. `npm start`, in `cwd`) as a
 * child process and waits until it listens.
 */
export async function spawnServer(overrides: Record<string, string> = {}, command: string[] = FROM_SOURCE, cwd = ROOT): Promise<ServerProcess> {
  const env = { ...process.env, ...(await testEnv({ LOG_LEVEL: 'info', ...overrides })) };
  const child = spawn(command[0]!, command.slice(1), { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let stdout = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), 30_000);
    const onData = (b: Buffer) => {
      out += b.toString();
      const m = /"port":(\d+),"msg":"server listening"/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    child.stdout!.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', () => {
      clearTimeout(timer);
      reject(new Error(`server exited:\n${out}`));
    });
  });
  const proc: ServerProcess = {
    child,
    port,
    url: `http://127.0.0.1:${port}`,
    output: () => out,
    stdout: () => stdout,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
  onCleanup(() => proc.stop('SIGKILL'));
  return proc;
}
