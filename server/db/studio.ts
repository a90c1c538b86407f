// `npm run studio [-- --port N]`: Prisma Studio for administrators, on DATABASE_URL or on the
// embedded database of DATA_DIR (started here if no server runs it). Extra arguments go to
// `prisma studio` (e.g. --port 5555, --browser none).
import { spawn } from 'node:child_process';
import path from 'node:path';
import { ConfigError, loadDatabaseConfig } from '../config.js';
import { applyMigrations } from './migrate.js';
import { PROJECT_ROOT } from '../paths.js';
import { openToolDatabase } from './tool-database.js';

const ROOT = PROJECT_ROOT;
/** The Prisma CLI itself rather than `npx prisma`, so signals reach it without an npm wrapper in between. */
const PRISMA_CLI = path.join(ROOT, 'node_modules/prisma/build/index.js');
const log = (msg: string) => process.stderr.write(`${msg}\n`);

async function main(): Promise<number> {
  const database = await openToolDatabase(loadDatabaseConfig(), log);
  try {
    // A fresh embedded database has no tables until a server started once; show the real schema.
    await applyMigrations(database.url);
    const studio = spawn(process.execPath, [PRISMA_CLI, 'studio', ...process.argv.slice(2)], {
      cwd: ROOT,
      stdio: 'inherit',
      // CHECKPOINT_DISABLE: no update check against prisma.io (machines may be offline).
      env: { CHECKPOINT_DISABLE: '1', ...process.env, DATABASE_URL: database.url },
    });
    // Ctrl-C reaches studio directly (same process group); a SIGTERM sent to this process is passed on.
    const forward = (signal: NodeJS.Signals) => studio.kill(signal);
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    return await new Promise<number>((resolve, reject) => {
      studio.once('error', reject);
      studio.once('exit', (code) => resolve(code ?? 0));
    });
  } finally {
    await database.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    log(err instanceof ConfigError ? err.message : `studio failed: ${err.message}`);
    process.exit(1);
  },
);
