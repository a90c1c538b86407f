// The production path a fresh clone takes (and the Dockerfile's build stage runs):
//   npm ci && npm run build && npm prune --omit=dev && npm start --silent
// in a clean folder holding only the git-tracked files, with npm's local cache, against the test
// PostgreSQL and Redis.
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { registerUser } from './helpers/clients.js';
import { logLines } from './helpers/logs.js';
import { ROOT, spawnServer } from './helpers/server.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'chat-production-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Ran {
  code: number | null;
  output: string;
}

function run(command: string, args: string[], cwd = dir): Promise<Ran> {
  return new Promise((resolve, reject) => {
    // npm's own environment from the test runner (npm_config_*, npm_lifecycle_*) stays out: the
    // steps run as an operator would type them.
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
    const child = spawn(command, args, { cwd, env: { ...env, NODE_ENV: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (b: Buffer) => (output += b.toString()));
    child.stderr.on('data', (b: Buffer) => (output += b.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, output }));
  });
}

async function step(command: string, ...args: string[]) {
  const r = await run(command, args);
  expect(r.code, `${command} ${args.join(' ')} failed:\n${r.output}`).toBe(0);
  return r;
}

describe('production install from a clean copy of the repository', () => {
  it('installs, builds, drops the dev packages, and starts from the build', { timeout: 10 * 60_000 }, async () => {
    const tracked = (await step('git', '-C', ROOT, 'ls-files', '-z')).output.split('\0').filter(Boolean);
    for (const file of tracked) {
      if (!existsSync(path.join(ROOT, file))) continue; // deleted in the working tree, not yet committed
      mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      copyFileSync(path.join(ROOT, file), path.join(dir, file));
    }
    expect(existsSync(path.join(dir, 'node_modules'))).toBe(false);

    await step('npm', 'ci', '--prefer-offline', '--no-audit', '--no-fund');
    await step('npm', 'run', 'build');
    await step('npm', 'prune', '--omit=dev', '--no-audit', '--no-fund');
    for (const dev of ['vitest', 'discord.js', 'playwright-core']) expect(existsSync(path.join(dir, 'node_modules', dev)), dev).toBe(false);

    const server = await spawnServer({ NODE_ENV: 'production' }, ['npm', 'start', '--silent'], dir);
    const ready = await fetch(`${server.url}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ ok: true, checks: { postgres: 'ok' } });
    await registerUser(server.url);
    // the scratch database was empty: the built server applied the copied migrations itself
    expect(logLines(server).find((l) => l.msg === 'migrations applied')?.applied.length).toBeGreaterThan(0);
    expect(await server.stop('SIGTERM')).toBe(0);
    // npm's banner stays out (--silent): stdout is the server's JSON lines only, and stderr is empty
    expect(() => logLines(server)).not.toThrow();
    expect(server.output()).toBe(server.stdout());
  });

  it('an install without devDependencies keeps an existing build, and without one says how to install', { timeout: 2 * 60_000 }, async () => {
    // the folder is the pruned one above: no devDependencies, a build in dist/
    const kept = await run(process.execPath, ['scripts/postinstall.mjs']);
    expect(kept.code, kept.output).toBe(0);
    expect(kept.output).toContain('keeping the existing build in dist/');

    renameSync(path.join(dir, 'dist'), path.join(dir, 'dist.kept'));
    const refused = await run(process.execPath, ['scripts/postinstall.mjs']);
    renameSync(path.join(dir, 'dist.kept'), path.join(dir, 'dist'));
    expect(refused.code).toBe(1);
    expect(refused.output).toContain('cannot build the server: this install left the devDependencies out (');
    expect(refused.output).toMatch(/left the devDependencies out \([^)]*@types\/jsonwebtoken[,)]/);
    expect(refused.output).toContain('npm ci && npm run build && npm prune --omit=dev');
  });
});
