// Generates the Prisma client (server/db/generated) after `npm install`.
// `prisma generate` refuses to start unless Prisma's native schema engine is present, and tries to
// download it otherwise, which fails on offline machines. Generation never runs that engine (the
// server applies migrations itself, see server/db/migrate.ts), so when no engine is configured we
// name an existing placeholder file to satisfy the check.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const env = { ...process.env };
env.PRISMA_SCHEMA_ENGINE_BINARY ??= fileURLToPath(import.meta.url);
const result = spawnSync('npx', ['prisma', 'generate'], { stdio: 'inherit', env });
process.exit(result.status ?? 1);
