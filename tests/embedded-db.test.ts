// The zero-configuration database: DATABASE_URL unset starts PostgreSQL under DATA_DIR. Real
// server processes, because what matters is process life: stop, restart, a second server, a crash.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorOf, httpClient, registerUser, type TestUser } from './helpers/clients.js';
import { freePort, isAlive, portRefuses, runEntryPoint } from './helpers/processes.js';
import { spawnServer, testEnv } from './helpers/server.js';

const PASSWORD = 'correct horse battery';

// mkdtemp gives 0700; the server opens DATA_DIR itself to PostgreSQL's user (when run as root), and
// os.tmpdir() is traversable by everyone.
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'chat-embedded-'));
const postmasterPidFile = path.join(dataDir, 'postgres', 'postmaster.pid');
const postmasterPid = () => Number.parseInt(readFileSync(postmasterPidFile, 'utf8').split('\n')[0]!, 10);
let pgPort: number;
/** DATABASE_URL unset, JWT_SECRET unset (generated and kept under DATA_DIR, so tokens survive restarts) */
const embedded = () => ({ DATABASE_URL: '', JWT_SECRET: '', DATA_DIR: dataDir, EMBEDDED_PG_PORT: String(pgPort) });

beforeAll(async () => {
  pgPort = await freePort();
});
// Registered first, so it runs after spawnServer's own cleanup (SIGKILL), which would leave a postmaster.
afterAll(async () => {
  if (existsSync(postmasterPidFile)) {
    const pid = postmasterPid();
    if (isAlive(pid)) process.kill(pid, 'SIGINT');
    for (let i = 0; i < 100 && isAlive(pid); i++) await new Promise((r) => setTimeout(r, 100));
  }
  rmSync(dataDir, { recursive: true, force: true });
});

describe('embedded PostgreSQL', () => {
  let user: TestUser;
  let orphanPid: number | undefined;

  it('starts with DATABASE_URL unset, and stops with the server on SIGTERM', async () => {
    const server = await spawnServer(embedded());
    expect(server.output()).toContain('"msg":"embedded PostgreSQL started"');
    user = await registerUser(server.url);
    const pid = postmasterPid();
    expect(isAlive(pid)).toBe(true);

    expect(await server.stop('SIGTERM')).toBe(0);
    expect(isAlive(pid)).toBe(false);
    expect(existsSync(postmasterPidFile)).toBe(false);
  }, 60_000);

  it('`npm start` (the compiled server, no rebuild): SIGTERM to npm\'s own PID stops the server and PostgreSQL', async () => {
    // What a supervisor does: it holds npm's PID, not the server's.
    const server = await spawnServer(embedded(), ['npm', 'start', '--silent']);
    expect(server.output()).not.toContain('tsc');
    const pid = postmasterPid();
    expect(isAlive(pid)).toBe(true);
    expect(await server.stop('SIGTERM')).toBe(0);
    for (let i = 0; i < 50 && isAlive(pid); i++) await new Promise((r) => setTimeout(r, 100));
    expect(isAlive(pid)).toBe(false);
    expect(existsSync(postmasterPidFile)).toBe(false);
    expect(await portRefuses(server.port)).toBe(true);
  }, 60_000);

  it('keeps data and the generated JWT secret across restarts; a second server on the same folder is refused', async () => {
    const server = await spawnServer(embedded());
    expect(server.output()).not.toContain('"msg":"migrations applied"');
    const login = await httpClient(server.url).auth.login.mutate({ login: user.username, password: PASSWORD });
    expect(login.user.id).toBe(user.id);
    // a token issued before the restart is still valid: same data, same secret
    expect((await httpClient(server.url, user.accessToken).users.me.query()).id).toBe(user.id);

    const second = await runEntryPoint({ ...(await testEnv(embedded())), LOG_LEVEL: 'info' });
    expect(second.code).toBe(1);
    expect(second.output).toMatch(new RegExp(`in use by another process \\(pid ${server.child.pid}\\)`));
    // the refused start did not disturb the running one
    expect((await httpClient(server.url, login.accessToken).users.me.query()).id).toBe(user.id);

    // now it crashes, leaving its PostgreSQL running
    const orphan = postmasterPid();
    await server.stop('SIGKILL');
    expect(isAlive(orphan)).toBe(true);
    orphanPid = orphan;
  }, 90_000);

  it('after a crash (SIGKILL, PostgreSQL left running) the next start takes over', async () => {
    expect(orphanPid).toBeDefined();
    const server = await spawnServer(embedded());
    expect(server.output()).toContain(`stopping PostgreSQL (pid ${orphanPid})`);
    expect(isAlive(orphanPid!)).toBe(false);
    const login = await httpClient(server.url).auth.login.mutate({ login: user.username, password: PASSWORD });
    expect(login.user.id).toBe(user.id);
    const wrong = await errorOf(httpClient(server.url).auth.login.mutate({ login: user.username, password: 'not the password' }));
    expect(wrong.code).toBe('UNAUTHORIZED');
    expect(await server.stop()).toBe(0);
  }, 90_000);
});
