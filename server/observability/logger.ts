import pino from 'pino';

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

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino({ level, redact: { paths: redact, censor: '[redacted]' }, base: { pid: process.pid } }, destination);
}
