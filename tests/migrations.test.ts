import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { httpClient, registerUser } from './helpers/clients.js';
import { fileDatabase, ROOT, spawnServer } from './helpers/server.js';

const MIGRATIONS = path.join(ROOT, 'prisma/migrations');

/** What `prisma migrate deploy` records: the sha256 of each migration.sql, by directory name. */
function expectedMigrations(): Map<string, string> {
  const dirs = readdirSync(MIGRATIONS, { withFileTypes: true }).filter((d) => d.isDirectory());
  return new Map(dirs.map((d) => [d.name, createHash('sha256').update(readFileSync(path.join(MIGRATIONS, d.name, 'migration.sql'))).digest('hex')]));
}

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

describe('migrations', () => {
  it('two servers started together on a fresh database both start, and every migration is applied exactly once', async () => {
    const db = await fileDatabase();
    expect(await query(db.url, "SELECT 1 FROM pg_tables WHERE tablename = '_prisma_migrations'")).toHaveLength(0);

    const [a, b] = await Promise.all([spawnServer(), spawnServer()]);

    const expected = expectedMigrations();
    expect(expected.size).toBeGreaterThan(0);
    const rows = await query<{ migration_name: string; checksum: string; finished_at: Date | null; rolled_back_at: Date | null; applied_steps_count: number }>(
      db.url,
      'SELECT migration_name, checksum, finished_at, rolled_back_at, applied_steps_count FROM "_prisma_migrations" ORDER BY migration_name',
    );
    expect(rows.map((r) => r.migration_name)).toEqual([...expected.keys()].sort());
    for (const row of rows) {
      expect(row.checksum).toBe(expected.get(row.migration_name));
      expect(row.finished_at).toBeInstanceOf(Date);
      expect(row.rolled_back_at).toBeNull();
      expect(row.applied_steps_count).toBe(1);
    }
    // exactly one of the two applied them; the other found them done
    const appliedBy = [a, b].filter((s) => s.output().includes('"msg":"migrations applied"'));
    expect(appliedBy).toHaveLength(1);

    // both serve requests against the migrated schema, and see each other's writes
    const user = await registerUser(a.url);
    const viaB = await httpClient(b.url).auth.login.mutate({ login: user.username, password: 'correct horse battery' });
    expect(viaB.user.id).toBe(user.id);

    expect(await Promise.all([a.stop(), b.stop()])).toEqual([0, 0]);

    // a restart applies nothing and records nothing new
    const c = await spawnServer();
    expect(c.output()).not.toContain('"msg":"migrations applied"');
    expect(await query(db.url, 'SELECT 1 FROM "_prisma_migrations"')).toHaveLength(rows.length);
    expect(await c.stop()).toBe(0);
  }, 120_000);
});
