// `npm run db:migrate`: applies pending migrations to DATABASE_URL (or the embedded database of
// DATA_DIR) and exits. Servers also do this at start; this is for deploy pipelines and tooling.
import { ConfigError, loadDatabaseConfig } from '../config.js';
import { applyMigrations } from './migrate.js';
import { openToolDatabase } from './tool-database.js';

const log = (msg: string) => process.stderr.write(`${msg}\n`);

async function main(): Promise<number> {
  const database = await openToolDatabase(loadDatabaseConfig(), log);
  try {
    const applied = await applyMigrations(database.url);
    log(applied.length ? `applied ${applied.length} migration(s): ${applied.join(', ')}` : 'database is up to date');
    return 0;
  } finally {
    await database.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    log(err instanceof ConfigError ? err.message : `migration failed: ${err.message}`);
    process.exit(1);
  },
);
