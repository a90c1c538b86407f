// `npm run bench`: starts its own server (a child process, fresh database and Redis prefix per run),
// runs the scenarios, prints a table per scenario and a final table of targets, and writes every
// figure to tests/bench/results/<timestamp>.json. Loopback only; every loop is bounded; a watchdog
// ends the process if a run takes far longer than it should.
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { RunContext } from './context.js';
import { createScratchDatabase } from '../helpers/database.js';
import { benchRedisPrefix, DEFAULT_DATABASE_URL, DEFAULT_REDIS_URL, deleteRedisPrefix } from './environment.js';
import { Fixtures } from './fixtures.js';
import { HttpClient } from './http.js';
import { ensureOpenFileLimit, openFileLimit } from './limits.js';
import { parseOptions, type BenchOptions, type Scenario } from './options.js';
import { connectionsScenario } from './scenarios/connections.js';
import { fanoutScenario } from './scenarios/fanout.js';
import { identifyScenario } from './scenarios/identify.js';
import { idleAtEnd, idleAtStart } from './scenarios/idle.js';
import { roundTripScenario } from './scenarios/roundtrip.js';
import { searchScenario } from './scenarios/search.js';
import { sendScenario } from './scenarios/send.js';
import { ROOT, startServer, type ServerProcess } from './server-process.js';
import { checkTargets, medians, targetRow } from './targets.js';
import { printTable } from './table.js';

/** In the order they run: quiet measurements first, the heavy ones last. */
const ORDER: [Scenario, (ctx: RunContext) => Promise<void>][] = [
  ['roundtrip', roundTripScenario],
  ['identify', identifyScenario],
  ['send', sendScenario],
  ['fanout', fanoutScenario],
  ['connections', connectionsScenario],
  // last: it leaves a million messages in the database
  ['search', searchScenario],
];

const started = Date.now();
const log = (msg: string) => process.stderr.write(`[bench +${((Date.now() - started) / 1000).toFixed(1)}s] ${msg}\n`);

// Cleanups run once, on success, failure, Ctrl-C or the watchdog.
const cleanups: (() => Promise<unknown>)[] = [];
let cleaning: Promise<void> | undefined;
function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    for (const c of cleanups.splice(0).reverse()) await c().catch((err) => log(`cleanup failed: ${(err as Error).message}`));
  })();
  return cleaning;
}
async function abort(reason: string, code: number): Promise<never> {
  log(reason);
  try {
    if (options) report(options, reason);
  } catch (err) {
    log(`could not write the partial results: ${(err as Error).message}`);
  }
  const force = setTimeout(() => process.exit(code), 60_000);
  force.unref();
  await cleanup();
  process.exit(code);
}

interface RunResult {
  run: number;
  metrics: Record<string, number>;
  details: Record<string, unknown>;
  problems: string[];
  serverLog: { warnOrWorse: number; last: string[] };
}

// What there is to report, also when a run is cut short (Ctrl-C, watchdog).
let options: BenchOptions | undefined;
const results: RunResult[] = [];
let running: { run: number; ctx: RunContext; servers: ServerProcess[] } | undefined;

function resultOf(run: number, ctx: RunContext, servers: ServerProcess[]): RunResult {
  const logs = servers.map((p) => p.problems());
  return {
    run,
    metrics: ctx.metrics,
    details: ctx.details,
    problems: ctx.problems,
    serverLog: { warnOrWorse: logs.reduce((n, l) => n + l.count, 0), last: logs.flatMap((l) => l.last) },
  };
}

async function runOnce(opts: BenchOptions, run: number): Promise<RunResult> {
  const databaseBase = process.env.DATABASE_URL || DEFAULT_DATABASE_URL;
  const redisUrl = process.env.REDIS_URL || DEFAULT_REDIS_URL;
  const local: (() => Promise<unknown>)[] = [];
  const own = (fn: () => Promise<unknown>) => {
    cleanups.push(fn);
    local.push(fn);
  };
  try {
    const db = opts.embedded ? undefined : await createScratchDatabase(databaseBase, 'bench');
    if (db) own(() => db.drop());
    const redisPrefix = benchRedisPrefix();
    if (opts.redis) own(() => deleteRedisPrefix(redisUrl, redisPrefix));
    log(`run ${run}: starting the server (${db ? 'PostgreSQL' : 'embedded PostgreSQL'}, ${opts.redis ? `Redis prefix ${redisPrefix}` : 'no Redis'})`);
    const serverOptions = { redisUrl: opts.redis ? redisUrl : undefined, redisPrefix, heartbeatMs: opts.heartbeatMs, jwtSecret: randomBytes(32).toString('hex') };
    const server = await startServer({ ...serverOptions, databaseUrl: db?.url });
    own(() => server.stop());
    const servers: ServerProcess[] = [server];
    const http = new HttpClient(server.url, 64);
    own(async () => http.close());
    const ctx: RunContext = {
      opts,
      server,
      async startAnotherServer() {
        // without Redis, snowflake process ids are not leased: give this one its own
        const another = await startServer({ ...serverOptions, databaseUrl: ctx.databaseUrl, env: opts.redis ? {} : { SNOWFLAKE_PROCESS_ID: '1' } });
        own(() => another.stop());
        servers.push(another);
        return another;
      },
      http,
      fixtures: undefined as unknown as Fixtures, // made after the idle measurement (registration hashes a password)
      gatewayUrl: `${server.url.replace(/^http/, 'ws')}/gateway?v=10&encoding=json`,
      databaseUrl: db?.url ?? server.embeddedDatabaseUrl!,
      metrics: {},
      details: {},
      problems: [],
      log: (m) => log(`run ${run}: ${m}`),
    };
    running = { run, ctx, servers };
    if (opts.only.has('idle')) await idleAtStart(ctx);
    ctx.fixtures = await Fixtures.create(http);
    for (const [name, scenario] of ORDER) {
      if (!opts.only.has(name)) continue;
      if (server.exited()) {
        ctx.problems.push(`the server exited; ${name} and later scenarios skipped`);
        break;
      }
      ctx.log(`${name}`);
      const t0 = Date.now();
      try {
        await scenario(ctx);
      } catch (err) {
        ctx.problems.push(`${name} failed: ${(err as Error).stack ?? err}`);
        log(`run ${run}: ${name} FAILED: ${(err as Error).message}`);
      }
      ctx.details[`${name}.seconds`] = Math.round((Date.now() - t0) / 100) / 10;
    }
    if (opts.only.has('idle') && !server.exited()) await idleAtEnd(ctx);
    if (server.exited()) ctx.problems.push(`the server process exited during the run; its last output:\n${server.output().slice(-4000)}`);
    return resultOf(run, ctx, servers);
  } finally {
    running = undefined;
    for (const fn of local.reverse()) {
      const at = cleanups.indexOf(fn);
      if (at === -1) continue; // already run by an abort
      cleanups.splice(at, 1);
      await fn().catch((err) => log(`cleanup failed: ${(err as Error).message}`));
    }
  }
}

/** Prints the targets and problems and writes the JSON; returns the number of problems. */
function report(opts: BenchOptions, aborted?: string): number {
  const all = [...results, ...(running ? [resultOf(running.run, running.ctx, running.servers)] : [])];
  const allMetrics = all.map((r) => r.metrics);
  const checked = checkTargets(allMetrics, opts.fanoutSizes, opts.only);
  const runs = all.length;
  printTable(`Targets (${runs > 1 ? `median of ${runs} runs; counts: worst run` : 'one run'}${aborted ? '; ABORTED, partial' : ''})`, checked.map(targetRow));
  const problems = all.flatMap((r) => r.problems.map((p) => `run ${r.run}: ${p}`));
  if (aborted) problems.push(`aborted: ${aborted}`);
  const serverWarnings = all.reduce((n, r) => n + r.serverLog.warnOrWorse, 0);
  if (problems.length) {
    console.log('\nProblems:');
    for (const p of problems) console.log(`  - ${p}`);
  }
  if (serverWarnings) console.log(`\nThe server logged ${serverWarnings} warning/error lines (last ones in the JSON under runs[].serverLog).`);

  const file = opts.json ?? path.join(ROOT, 'tests/bench/results', `${new Date(started).toISOString().replace(/[:.]/g, '-')}.json`);
  mkdirSync(path.dirname(file), { recursive: true });
  const json = {
    startedAt: new Date(started).toISOString(),
    finishedAt: new Date().toISOString(),
    ...(aborted ? { aborted } : {}),
    options: { ...opts, only: [...opts.only] },
    machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, memoryMiB: Math.round(os.totalmem() / 2 ** 20), node: process.version, loadAverageAtEnd: os.loadavg() },
    targets: checked,
    medians: medians(allMetrics),
    problems,
    runs: all,
  };
  writeFileSync(file, `${JSON.stringify(json, null, 2)}\n`);
  console.log(`\nResults: ${path.relative(process.cwd(), file)}`);
  return problems.length;
}

async function main() {
  const opts = parseOptions(process.argv.slice(2));
  options = opts;
  await ensureOpenFileLimit(Math.max(opts.connections, ...opts.fanoutSizes) + 2000);
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => void abort(`${sig}: stopping`, 130));
  // generous: a full run takes minutes; this only ends a run that hangs
  const budgetMs = opts.quick ? 10 * 60_000 : (20 + 90 * opts.runs) * 60_000;
  setTimeout(() => void abort(`watchdog: still running after ${budgetMs / 60_000} min`, 2), budgetMs).unref();

  log(`fd limit ${openFileLimit()}; ${os.cpus().length} CPUs; load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}; scenarios ${[...opts.only].join(', ')}; runs ${opts.runs}${opts.quick ? ' (quick)' : ''}`);
  for (let run = 1; run <= opts.runs; run++) results.push(await runOnce(opts, run));
  const problems = report(opts);
  await cleanup();
  process.exit(problems ? 1 : 0);
}

main().catch((err) => void abort(`bench failed: ${(err as Error).stack ?? err}`, 1));
