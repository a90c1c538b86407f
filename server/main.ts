// Entry point: reads the configuration, starts the server with the Discord compat layer mounted,
// and shuts down gracefully on SIGTERM/SIGINT.
import { pathToFileURL } from 'node:url';
import v8 from 'node:v8';
import { compatMounts } from '../compat/index.js';
import { createApp, type App } from './app.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { createLogger, logFormat, routeProcessWarnings, type Logger } from './observability/logger.js';

/** Starts a complete server (tRPC + Discord compat). Tests start servers through this too. */
export function startServer(config: Config, logger?: Logger): Promise<App> {
  return createApp(config, compatMounts(), logger);
}

async function main() {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const logger = createLogger(config.LOG_LEVEL, { format: logFormat(config.LOG_FORMAT, config.NODE_ENV) });
  routeProcessWarnings(logger);
  // V8 lets a busy heap grow up to fourfold between full collections. Garbage from identify storms
  // then stays in RSS: 10,000 held gateway connections cost ~44 KiB each with V8's default, ~16 KiB
  // with 30% (npm run bench -- --only connections). 0 keeps V8's default.
  if (config.HEAP_GROWING_PERCENT > 0) v8.setFlagsFromString(`--heap-growing-percent=${config.HEAP_GROWING_PERCENT}`);
  let app: App;
  try {
    app = await startServer(config, logger);
  } catch (err) {
    logger.fatal({ err: (err as Error).message }, 'server failed to start');
    process.exit(1);
  }
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    app.close().then(
      () => process.exit(0),
      (err) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) void main();
