import pino from 'pino';
import { prettyDestination } from './pretty.js';

/** Paths whose values must never reach a log line (tokens, passwords, auth headers). */
const redact = [
  'req.headers.authorization',
  'req.headers.cookie',
  '*.password',
  '*.token',
  '*.refreshToken',
  '*.accessToken',
  'password',
  'token',
];

export type Logger = pino.Logger;
export type LogFormat = 'json' | 'pretty';

export interface LoggerOptions {
  format?: LogFormat;
  /** where lines go (tests); stdout otherwise */
  destination?: pino.DestinationStream;
}

export function createLogger(level: string, opts: LoggerOptions = {}): Logger {
  const destination = opts.format === 'pretty' ? prettyDestination(opts.destination ?? process.stdout) : opts.destination;
  return pino({ level, redact: { paths: redact, censor: '[redacted]' }, base: { pid: process.pid } }, destination);
}

/**
 * LOG_FORMAT=auto: readable lines for a developer at a terminal, JSON lines for everything else
 * (production, containers, pipes, log collectors).
 */
export function logFormat(setting: 'auto' | LogFormat, nodeEnv: string, stdoutIsTTY = process.stdout.isTTY === true): LogFormat {
  if (setting !== 'auto') return setting;
  return nodeEnv === 'development' && stdoutIsTTY ? 'pretty' : 'json';
}

/**
 * Node's own warnings (deprecations, experimental features, MaxListenersExceeded) become log lines
 * instead of free text on stderr, so a log collector reading the process's output sees only JSON.
 */
export function routeProcessWarnings(logger: Logger) {
  process.removeAllListeners('warning');
  process.on('warning', (w: Error & { code?: string }) => {
    logger.warn({ warning: { name: w.name, code: w.code, message: w.message } }, 'process warning');
  });
}
