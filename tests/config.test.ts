import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../server/config.js';
import { runEntryPoint } from './helpers/processes.js';
import { ROOT } from './helpers/server.js';

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'chat-config-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const SECRET = 'a-secret-that-is-long-enough-0123456789';

function configError(env: Record<string, string>): string {
  try {
    loadConfig({ DATA_DIR: tempDir(), ...env });
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const cfg = loadConfig({ DATA_DIR: tempDir(), JWT_SECRET: SECRET });
    expect(cfg).toMatchObject({
      NODE_ENV: 'development',
      SERVER_HOST: '0.0.0.0',
      SERVER_PORT: 8080,
      LOG_LEVEL: 'info',
      JWT_SECRET: SECRET,
      HEAP_GROWING_PERCENT: 30,
      MAX_GUILDS_PER_USER: 100,
      MAX_ROLES_PER_GUILD: 250,
      MAX_CHANNELS_PER_GUILD: 500,
      DM_REQUIRE_SHARED_GUILD: true,
      REGISTRATION: 'open',
      ADMIN_USER_IDS: [],
    });
    expect(cfg.DATABASE_URL).toBeUndefined(); // embedded PostgreSQL
    expect(cfg.REDIS_URL).toBeUndefined(); // in-process bus, cache and rate limits
    expect(path.isAbsolute(cfg.DATA_DIR)).toBe(true);
  });

  it('reads and converts values, and treats empty values as unset', () => {
    const cfg = loadConfig({
      DATA_DIR: tempDir(),
      JWT_SECRET: SECRET,
      SERVER_PORT: '9000',
      TRUST_PROXY: 'true',
      DATABASE_URL: '',
      DB_POOL_SIZE: '',
      REDIS_URL: 'redis://127.0.0.1:6379',
      REGISTRATION: 'invite',
      ADMIN_USER_IDS: ' 123, 456 ,',
    });
    expect(cfg).toMatchObject({ SERVER_PORT: 9000, TRUST_PROXY: true, DB_POOL_SIZE: 10, REDIS_URL: 'redis://127.0.0.1:6379', REGISTRATION: 'invite', ADMIN_USER_IDS: ['123', '456'] });
    expect(cfg.DATABASE_URL).toBeUndefined();
  });

  it('names the variable in a one-line error', () => {
    const cases: [Record<string, string>, string][] = [
      [{ JWT_SECRET: 'too-short' }, 'JWT_SECRET'],
      [{ SERVER_PORT: 'abc' }, 'SERVER_PORT'],
      [{ SERVER_PORT: '70000' }, 'SERVER_PORT'],
      [{ NODE_ENV: 'staging' }, 'NODE_ENV'],
      [{ NODE_ENV: 'production' }, 'JWT_SECRET'],
      [{ DATABASE_URL: 'not a url' }, 'DATABASE_URL'],
      [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
      [{ TRUST_PROXY: 'maybe' }, 'TRUST_PROXY'],
      [{ HEAP_GROWING_PERCENT: '-5' }, 'HEAP_GROWING_PERCENT'],
      [{ REGISTRATION: 'sometimes' }, 'REGISTRATION'],
      [{ ADMIN_USER_IDS: '123,alice' }, 'ADMIN_USER_IDS'],
    ];
    for (const [env, variable] of cases) {
      const message = configError(env);
      expect(message).toMatch(new RegExp(`^Invalid configuration: ${variable}\\b`));
      expect(message).not.toContain('\n');
    }
  });

  it('requires JWT_SECRET in production and never generates one there', () => {
    const dir = tempDir();
    expect(() => loadConfig({ NODE_ENV: 'production', DATA_DIR: dir })).toThrow(/JWT_SECRET is required in production/);
    expect(loadConfig({ NODE_ENV: 'production', DATA_DIR: dir, JWT_SECRET: SECRET }).JWT_SECRET).toBe(SECRET);
    expect(existsSync(path.join(dir, 'jwt-secret'))).toBe(false);
  });

  it('stores files on disk by default; the S3 driver needs a bucket', () => {
    expect(loadConfig({ DATA_DIR: tempDir(), JWT_SECRET: SECRET })).toMatchObject({ STORAGE_DRIVER: 'disk', MAX_UPLOAD_BYTES: 25 * 1024 * 1024 });
    expect(configError({ JWT_SECRET: SECRET, STORAGE_DRIVER: 's3' })).toBe('Invalid configuration: S3_BUCKET is required when STORAGE_DRIVER=s3');
    expect(configError({ JWT_SECRET: SECRET, STORAGE_DRIVER: 'ftp' })).toMatch(/^Invalid configuration: STORAGE_DRIVER /);
    expect(loadConfig({ DATA_DIR: tempDir(), JWT_SECRET: SECRET, STORAGE_DRIVER: 's3', S3_BUCKET: 'b', S3_FORCE_PATH_STYLE: 'true' })).toMatchObject({ S3_BUCKET: 'b', S3_FORCE_PATH_STYLE: true });
  });

  it('outside production generates the JWT secret once and keeps it under DATA_DIR', () => {
    const dir = path.join(tempDir(), 'not-yet-created');
    const first = loadConfig({ NODE_ENV: 'development', DATA_DIR: dir }).JWT_SECRET;
    expect(first.length).toBeGreaterThanOrEqual(32);
    const file = path.join(dir, 'jwt-secret');
    expect(readFileSync(file, 'utf8').trim()).toBe(first);
    expect(statSync(file).mode & 0o077).toBe(0); // readable by the owner only
    expect(loadConfig({ NODE_ENV: 'test', DATA_DIR: dir }).JWT_SECRET).toBe(first);
    // another data folder is another installation
    expect(loadConfig({ NODE_ENV: 'development', DATA_DIR: tempDir() }).JWT_SECRET).not.toBe(first);
  });

  it('an explicit JWT_SECRET wins and is not written to disk', () => {
    const dir = tempDir();
    expect(loadConfig({ DATA_DIR: dir, JWT_SECRET: SECRET }).JWT_SECRET).toBe(SECRET);
    expect(existsSync(path.join(dir, 'jwt-secret'))).toBe(false);
  });

  it('rejects a persisted secret that is too short', () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'jwt-secret'), 'short');
    expect(configError({ DATA_DIR: dir })).toMatch(/JWT_SECRET .*at least 32 characters/);
  });

  it('processes starting together on a fresh DATA_DIR agree on one generated secret', async () => {
    const dir = tempDir();
    const script = `const { loadConfig } = await import('./server/config.ts'); process.stdout.write(loadConfig({ DATA_DIR: ${JSON.stringify(dir)} }).JWT_SECRET);`;
    const secrets = await Promise.all(
      Array.from({ length: 4 }, () => {
        const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
        let out = '';
        child.stdout.on('data', (b: Buffer) => (out += b.toString()));
        return new Promise<string>((resolve, reject) => child.once('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`exit ${code}`)))));
      }),
    );
    expect(secrets[0]!.length).toBeGreaterThanOrEqual(32);
    expect(new Set(secrets).size).toBe(1);
    expect(readFileSync(path.join(dir, 'jwt-secret'), 'utf8').trim()).toBe(secrets[0]);
  }, 90_000);
});

describe('the entry point with a bad configuration', () => {
  it('exits 1 printing exactly one line that names the variable, without a stack trace', async () => {
    const notADirectory = path.join(tempDir(), 'file');
    writeFileSync(notADirectory, '');
    const cases: [Record<string, string | undefined>, string][] = [
      [{ JWT_SECRET: 'short' }, 'JWT_SECRET'],
      [{ SERVER_PORT: 'abc' }, 'SERVER_PORT'],
      [{ NODE_ENV: 'production', JWT_SECRET: undefined }, 'JWT_SECRET'],
      [{ JWT_SECRET: undefined, DATA_DIR: path.join(notADirectory, 'data') }, 'DATA_DIR'],
    ];
    const results = await Promise.all(
      cases.map(([env]) => runEntryPoint({ NODE_ENV: 'development', JWT_SECRET: SECRET, DATA_DIR: tempDir(), SERVER_PORT: '0', ...env })),
    );
    results.forEach(({ code, output }, i) => {
      const variable = cases[i]![1];
      expect(code, output).toBe(1);
      const lines = output.trimEnd().split('\n');
      expect(lines, output).toHaveLength(1);
      expect(lines[0]).toMatch(new RegExp(`^Invalid configuration: ${variable}\\b`));
      expect(output).not.toMatch(/^\s+at /m);
    });
  }, 120_000);
});
