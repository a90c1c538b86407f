// What every scenario gets: the options, the server under test, an HTTP client, the fixtures, and
// places to put its figures (flat numeric metrics for medians across runs, plus free-form details).
import type { Fixtures } from './fixtures.js';
import type { HttpClient } from './http.js';
import type { BenchOptions } from './options.js';
import type { ServerProcess } from './server-process.js';

export interface RunContext {
  opts: BenchOptions;
  server: ServerProcess;
  /** another server process on the same database, Redis and secret (stopped by the caller) */
  startAnotherServer(): Promise<ServerProcess>;
  http: HttpClient;
  fixtures: Fixtures;
  /** ws://.../gateway?v=10&encoding=json */
  gatewayUrl: string;
  /** the database the server uses (for the plain-pg baseline) */
  databaseUrl: string;
  /** flat numeric results of this run, e.g. "send.rest.msgPerSec" */
  metrics: Record<string, number>;
  /** everything else worth keeping in the JSON (per scenario) */
  details: Record<string, unknown>;
  /** functional problems seen (missed deliveries, failed connections, ...) */
  problems: string[];
  log(msg: string): void;
}

export function record(ctx: RunContext, prefix: string, values: Record<string, number>) {
  for (const [k, v] of Object.entries(values)) ctx.metrics[`${prefix}.${k}`] = v;
}

/** A bounded wait for a condition polled every few milliseconds; false on timeout. */
export async function waitFor(cond: () => boolean, timeoutMs: number, pollMs = 5): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, pollMs));
  }
  return true;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
