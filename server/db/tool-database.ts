// The database for command-line tools (migrate, studio): DATABASE_URL when set; otherwise the
// embedded database of DATA_DIR, started for the tool's lifetime, or, when a server on this data
// folder already runs it, that server's one.
import type { DatabaseConfig } from '../config.js';
import { embeddedDatabaseUrl, EmbeddedDatabaseInUseError, startEmbeddedPostgres } from './embedded.js';

export interface ToolDatabase {
  url: string;
  close(): Promise<void>;
}

export async function openToolDatabase(config: DatabaseConfig, log: (msg: string) => void): Promise<ToolDatabase> {
  if (config.DATABASE_URL) return { url: config.DATABASE_URL, close: async () => {} };
  try {
    const embedded = await startEmbeddedPostgres(config.DATA_DIR, config.EMBEDDED_PG_PORT, log);
    log(`embedded PostgreSQL started from ${config.DATA_DIR} on port ${config.EMBEDDED_PG_PORT}`);
    return { url: embedded.url, close: () => embedded.stop() };
  } catch (err) {
    if (!(err instanceof EmbeddedDatabaseInUseError)) throw err;
    log(`using the embedded database of the running process ${err.ownerPid} (port ${config.EMBEDDED_PG_PORT})`);
    return { url: embeddedDatabaseUrl(config.EMBEDDED_PG_PORT), close: async () => {} };
  }
}
