// The one place that reads the environment. Every setting is validated here so that a bad value
// stops the process at start with one line naming the variable.
import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { PROJECT_ROOT } from './paths.js';

const bool = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no'])
  .transform((v) => v === '1' || v === 'true' || v === 'yes');
const unsetIfEmpty = (v: unknown) => (v === '' ? undefined : v);
const wholeNumber = () => z.coerce.number({ error: (issue) => (issue.code === 'invalid_type' ? 'must be a whole number' : undefined) }).int('must be a whole number');
// An empty value means "use the default" (Number('') would silently be 0, e.g. a random SERVER_PORT).
const int = (def: number, min = 0, max = Number.MAX_SAFE_INTEGER) => z.preprocess(unsetIfEmpty, wholeNumber().min(min).max(max).default(def));
const optionalString = z.preprocess(unsetIfEmpty, z.string().optional());

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
  LOG_FORMAT: z.enum(['auto', 'json', 'pretty']).default('auto'),
  METRICS_PORT: z.preprocess(unsetIfEmpty, wholeNumber().min(0).max(65535).optional()),
  OTEL_EXPORTER_OTLP_ENDPOINT: optionalString.pipe(z.string().url().optional()),
  OTEL_SERVICE_NAME: z.preprocess(unsetIfEmpty, z.string().default('chat-server')),
  METRICS_TOKEN: optionalString.pipe(z.string().min(16, 'must be at least 16 characters').optional()),
  DATA_DIR: z.string().default('.data'),
  EMBEDDED_PG_PORT: int(54329, 1, 65535),
  DB_POOL_SIZE: int(10, 1, 200),
  TRUST_PROXY: bool.default(false),
  CORS_ORIGINS: optionalString,
  ACCESS_TOKEN_TTL_SECONDS: int(900, 5),
  REFRESH_TOKEN_TTL_SECONDS: int(30 * 24 * 3600, 60),
  RATE_LIMIT_PER_SECOND: int(50, 1),
  RATE_LIMIT_AUTH_PER_MINUTE: int(10, 1),
  MAX_BOTS_PER_USER: int(25, 0),
  RATE_LIMIT_APPLICATIONS_PER_HOUR: int(10, 1),
  MAX_BODY_BYTES: int(1024 * 1024, 1024),
  WS_MAX_BUFFERED_BYTES: int(4 * 1024 * 1024, 1024),
  GATEWAY_HEARTBEAT_INTERVAL_MS: int(41250, 100),
  GATEWAY_IDENTIFY_TIMEOUT_MS: int(30000, 100),
  GATEWAY_MAX_CONCURRENCY: int(1, 1, 1000000),
  GATEWAY_USER_IDENTIFY_BURST: int(10, 1, 1000000),
  GATEWAY_SESSION_START_LIMIT: int(1000, 1),
  GATEWAY_MAX_SESSIONS_PER_USER: int(100, 1),
  MEMBER_SEARCH_PER_MINUTE: int(60, 1),
  RESUME_WINDOW_EVENTS: int(1000, 10),
  RESUME_WINDOW_SECONDS: int(300, 5),
  MAX_GUILDS_PER_USER: int(100, 1),
  MAX_ROLES_PER_GUILD: int(250, 1),
  MAX_CHANNELS_PER_GUILD: int(500, 1),
  MAX_EMOJIS_PER_GUILD: int(50, 1),
  DM_REQUIRE_SHARED_GUILD: bool.default(true),
  PRESENCE_TTL_MS: int(30000, 1000),
  SNOWFLAKE_WORKER_ID: int(0, 0, 31),
  SNOWFLAKE_PROCESS_ID: z.preprocess(unsetIfEmpty, wholeNumber().min(0).max(31).optional()),
  SNOWFLAKE_LEASE_MS: int(30000, 300),
  SHUTDOWN_TIMEOUT_MS: int(10000, 0),
  HEAP_GROWING_PERCENT: int(30, 0, 1000),
  WEB_DIR: optionalString,
  REGISTRATION: z.enum(['open', 'invite', 'closed']).default('open'),
  ADMIN_USER_IDS: z.preprocess(
    (v) => (typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter(Boolean) : v),
    z.array(z.string().regex(/^\d{1,20}$/, 'must be comma-separated user ids')).default([]),
  ),
  STORAGE_DRIVER: z.enum(['disk', 's3']).default('disk'),
  S3_BUCKET: optionalString,
  S3_ENDPOINT: optionalString.pipe(z.string().url().optional()),
  S3_REGION: z.string().default('us-east-1'),
  S3_ACCESS_KEY_ID: optionalString,
  S3_SECRET_ACCESS_KEY: optionalString,
  S3_FORCE_PATH_STYLE: bool.default(false),
  MAX_UPLOAD_BYTES: int(25 * 1024 * 1024, 1),
  MAX_UPLOAD_REQUEST_BYTES: int(100 * 1024 * 1024, 1),
  CDN_URL: optionalString.pipe(z.string().url().optional()),
  ATTACHMENT_URL_TTL_SECONDS: int(24 * 3600, 60),
});

export type Env = z.infer<typeof envSchema>;
export type Config = Env & { JWT_SECRET: string; DATA_DIR: string; WEB_DIR: string };

export class ConfigError extends Error {}

type EnvInput = Record<string, string | undefined>;

function parse<T extends z.ZodType>(schema: T, env: EnvInput): z.infer<T> {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(`Invalid configuration: ${issue.path.join('.')} ${issue.message}`);
  }
  return parsed.data;
}

/** Reads and validates the configuration; throws ConfigError with a one-line message. */
export function loadConfig(env: EnvInput = process.env): Config {
  const cfg = parse(envSchema, env);
  const dataDir = path.resolve(cfg.DATA_DIR);
  let secret = cfg.JWT_SECRET;
  if (!secret) {
    if (cfg.NODE_ENV === 'production') throw new ConfigError('Invalid configuration: JWT_SECRET is required in production');
    secret = persistedSecret(dataDir);
  }
  if (cfg.STORAGE_DRIVER === 's3' && !cfg.S3_BUCKET) throw new ConfigError('Invalid configuration: S3_BUCKET is required when STORAGE_DRIVER=s3');
  // The built web app belongs to the installation, not to where the server was started from.
  const webDir = path.resolve(PROJECT_ROOT, cfg.WEB_DIR ?? 'web/dist');
  return { ...cfg, JWT_SECRET: secret, DATA_DIR: dataDir, WEB_DIR: webDir };
}

const databaseSchema = envSchema.pick({ DATABASE_URL: true, DATA_DIR: true, EMBEDDED_PG_PORT: true, LOG_LEVEL: true });
export type DatabaseConfig = z.infer<typeof databaseSchema>;

/** Only the database settings, for command-line tools (migrate, studio) that need no JWT secret. */
export function loadDatabaseConfig(env: EnvInput = process.env): DatabaseConfig {
  const cfg = parse(databaseSchema, env);
  return { ...cfg, DATA_DIR: path.resolve(cfg.DATA_DIR) };
}

/**
 * Outside production a secret is generated once and kept under the data folder, so tokens survive
 * restarts. Processes starting together agree on one secret: each writes a candidate to its own
 * file and links it into place; link() fails for all but the first.
 */
function persistedSecret(dataDir: string): string {
  const file = path.join(dataDir, 'jwt-secret');
  try {
    try {
      return readSecret(file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    mkdirSync(dataDir, { recursive: true });
    const candidate = `${file}.${process.pid}.tmp`;
    writeFileSync(candidate, randomBytes(48).toString('base64url'), { mode: 0o600 });
    try {
      linkSync(candidate, file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    } finally {
      rmSync(candidate, { force: true });
    }
    return readSecret(file);
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new ConfigError(`Invalid configuration: DATA_DIR cannot hold the generated JWT secret (${(err as Error).message}); set JWT_SECRET or fix DATA_DIR`);
  }
}

function readSecret(file: string): string {
  const secret = readFileSync(file, 'utf8').trim();
  if (secret.length < 32) throw new ConfigError(`Invalid configuration: JWT_SECRET in ${file} must be at least 32 characters (delete the file to generate a new one)`);
  return secret;
}
