// The one place that reads the environment. Every setting is validated here so that a bad value
// stops the process at start with one line naming the variable.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

const bool = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no'])
  .transform((v) => v === '1' || v === 'true' || v === 'yes');
const int = (def: number, min = 0, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(min).max(max).default(def);
const optionalString = z.preprocess((v) => (v === '' ? undefined : v), z.string().optional());

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  DATABASE_URL: z.preprocess((v) => (v === '' ? undefined : v), z.string().url().optional()),
  REDIS_URL: z.preprocess((v) => (v === '' ? undefined : v), z.string().url().optional()),
  REDIS_PREFIX: z.string().max(64).default('chat:'),
  JWT_SECRET: z.preprocess((v) => (v === '' ? undefined : v), z.string().min(32, 'must be at least 32 characters').optional()),
  SERVER_HOST: z.string().default('0.0.0.0'),
  SERVER_PORT: int(8080, 0, 65535),
  PUBLIC_URL: optionalString.pipe(z.string().url().optional()),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DATA_DIR: z.string().default('.data'),
  EMBEDDED_PG_PORT: int(54329, 1, 65535),
  DB_POOL_SIZE: int(10, 1, 200),
  TRUST_PROXY: bool.default(false),
  ACCESS_TOKEN_TTL_SECONDS: int(900, 5),
  REFRESH_TOKEN_TTL_SECONDS: int(30 * 24 * 3600, 60),
  RATE_LIMIT_PER_SECOND: int(50, 1),
  RATE_LIMIT_AUTH_PER_MINUTE: int(10, 1),
  MAX_BODY_BYTES: int(1024 * 1024, 1024),
  WS_MAX_BUFFERED_BYTES: int(4 * 1024 * 1024, 1024),
  GATEWAY_HEARTBEAT_INTERVAL_MS: int(41250, 100),
  RESUME_WINDOW_EVENTS: int(1000, 10),
  RESUME_WINDOW_SECONDS: int(300, 5),
  SNOWFLAKE_WORKER_ID: int(0, 0, 31),
  SNOWFLAKE_PROCESS_ID: z.coerce.number().int().min(0).max(31).optional(),
  SHUTDOWN_TIMEOUT_MS: int(10000, 0),
});

export type Env = z.infer<typeof envSchema>;
export type Config = Env & { JWT_SECRET: string; DATA_DIR: string };

export class ConfigError extends Error {}

/** Reads and validates the configuration; throws ConfigError with a one-line message. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(`Invalid configuration: ${issue.path.join('.')} ${issue.message}`);
  }
  const cfg = parsed.data;
  const dataDir = path.resolve(cfg.DATA_DIR);
  let secret = cfg.JWT_SECRET;
  if (!secret) {
    if (cfg.NODE_ENV === 'production') throw new ConfigError('Invalid configuration: JWT_SECRET is required in production');
    secret = persistedSecret(dataDir);
  }
  return { ...cfg, JWT_SECRET: secret, DATA_DIR: dataDir };
}

/** Outside production a secret is generated once and kept under the data folder, so tokens survive restarts. */
function persistedSecret(dataDir: string): string {
  const file = path.join(dataDir, 'jwt-secret');
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    mkdirSync(dataDir, { recursive: true });
    const secret = randomBytes(48).toString('base64url');
    writeFileSync(file, secret, { mode: 0o600, flag: 'wx' });
    return secret;
  }
}
