// 4. Connections: open many identified gateway connections (in batches; a few users, each with many
// sessions) and hold them with heartbeats: server RSS per connection, the server's event-loop lag
// (prom-client's monitorEventLoopDelay figures on /metrics, over the hold), heartbeat ACK latency.
// Runs against a server process of its own (same database and Redis), so memory left over by the
// other scenarios does not hide or inflate the per-connection cost.
import { clientLag } from '../client-lag.js';
import { record, sleep, type RunContext } from '../context.js';
import { closeAll, connectMany, droppedCodes, HeartbeatScheduler, reasonSummary } from '../gateway-client.js';
import { cpuMeter, rssBytes, rssSampler } from '../proc.js';
import { scrapeMetrics } from '../server-process.js';
import { KiB, latency, MiB, round } from '../stats.js';
import { printTable } from '../table.js';

const USERS = 10;
/** at most this many warm-up connections (a tenth of the measured ones) */
const WARMUP_CONNECTIONS = 100;
const HEAP_USED = 'nodejs_heap_size_used_bytes';
const LAG = ['nodejs_eventloop_lag_p50_seconds', 'nodejs_eventloop_lag_p99_seconds', 'nodejs_eventloop_lag_max_seconds'];

export async function connectionsScenario(ctx: RunContext): Promise<void> {
  const { opts, fixtures } = ctx;
  const guild = await fixtures.guild('bench connections');
  const users = await fixtures.newBots(USERS);
  await fixtures.join(guild, users);
  const tokens = users.map((u) => u.token);

  const server = await ctx.startAnotherServer();
  try {
    const gatewayUrl = `${server.url.replace(/^http/, 'ws')}/gateway?v=10&encoding=json`;
    // warm-up: load and compile the gateway code paths, then let the process settle
    const warm = new HeartbeatScheduler();
    const warmup = await connectMany(gatewayUrl, tokens, Math.min(WARMUP_CONNECTIONS, Math.ceil(opts.connections / 10)), { batch: opts.identifyBatch, timeoutMs: 60_000, heartbeats: warm });
    warm.stop();
    await closeAll(warmup.clients);
    await sleep(3000);
    const rssBefore = rssBytes(server.pid);
    const heapBefore = (await scrapeMetrics(server.url, [HEAP_USED]))[HEAP_USED]!;
    // the lag histogram restarts at every scrape: this one marks the start of the connect phase
    await scrapeMetrics(server.url, LAG);

    ctx.log(`connections: opening ${opts.connections} (batches of ${opts.identifyBatch})`);
    const heartbeats = new HeartbeatScheduler();
    const connectCpu = cpuMeter(server.pid);
    const conn = await connectMany(gatewayUrl, tokens, opts.connections, { batch: opts.identifyBatch, timeoutMs: 60_000, heartbeats, progress: (m) => ctx.log(`connections: ${m}`) });
    const connectCpuPct = connectCpu.read();
    const connectLag = await scrapeMetrics(server.url, LAG);
    const clients = conn.clients;
    if (conn.failures.length) ctx.problems.push(`connections: ${conn.failures.length} of ${opts.connections} never identified (failed attempts: ${reasonSummary(conn)})`);
    if (conn.retried) ctx.problems.push(`connections: ${conn.retried} identify attempts failed and were retried (${reasonSummary(conn)})`);

    ctx.log(`connections: holding ${clients.length} for ${opts.holdSeconds} s`);
    let hold;
    try {
      heartbeats.recording = true;
      const cpu = cpuMeter(server.pid);
      const sampler = rssSampler(server.pid, 1000);
      const benchLag = clientLag();
      const holdEnd = Date.now() + opts.holdSeconds * 1000;
      while (Date.now() < holdEnd && !server.exited()) await sleep(Math.min(1000, holdEnd - Date.now()));
      heartbeats.recording = false;
      const lag = await scrapeMetrics(server.url, [...LAG, HEAP_USED]);
      const mem = sampler.stop();
      hold = { lag, mem, cpu: cpu.read(), bench: benchLag.stop(), dropped: clients.filter((c) => c.unexpectedClose).length, droppedCodes: droppedCodes(clients), acks: latency(heartbeats.ackLatencies) };
    } finally {
      heartbeats.stop();
      await closeAll(clients, 60_000);
    }
    await sleep(2000);
    const rssAfterClose = rssBytes(server.pid);

    const perConn = clients.length ? (hold.mem.last - rssBefore) / clients.length : NaN;
    // the JavaScript heap's share of it (live objects and garbage not yet collected)
    const heapPerConn = clients.length ? (hold.lag[HEAP_USED]! - heapBefore) / clients.length : NaN;
    const ms = (seconds: number | undefined) => round((seconds ?? NaN) * 1000, 2);
    const identify = latency(conn.identifyMs);
    const values = {
      connected: clients.length,
      failed: conn.failures.length,
      retried: conn.retried,
      dropped: hold.dropped,
      lost: conn.failures.length + hold.dropped,
      rssBeforeMiB: round(rssBefore / MiB, 1),
      rssHeldMiB: round(hold.mem.last / MiB, 1),
      rssAfterCloseMiB: round(rssAfterClose / MiB, 1),
      kibPerConn: round(perConn / KiB, 2),
      heapKibPerConn: round(heapPerConn / KiB, 2),
      ackP50: hold.acks.p50,
      ackP99: hold.acks.p99,
      acks: hold.acks.count,
      missedAcks: heartbeats.missedAcks,
      lagP50Ms: ms(hold.lag.nodejs_eventloop_lag_p50_seconds),
      lagP99Ms: ms(hold.lag.nodejs_eventloop_lag_p99_seconds),
      lagMaxMs: ms(hold.lag.nodejs_eventloop_lag_max_seconds),
      connectLagP99Ms: ms(connectLag.nodejs_eventloop_lag_p99_seconds),
      holdCpuPct: round(hold.cpu, 1),
      connectCpuPct: round(connectCpuPct, 1),
      benchLagP99Ms: hold.bench.p99,
      connectSeconds: round(conn.elapsedMs / 1000, 1),
      identifyP50: identify.p50,
      identifyP99: identify.p99,
    };
    record(ctx, 'connections', values);
    ctx.details.connections = {
      ...values,
      heartbeatIntervalMs: opts.heartbeatMs,
      holdSeconds: opts.holdSeconds,
      lagNote: 'prom-client monitorEventLoopDelay (10 ms resolution): an idle loop reads about 10 ms',
      acks: hold.acks,
      identify,
      failedAttempts: conn.reasons,
    };
    if (hold.dropped) ctx.problems.push(`connections: ${hold.dropped} connections closed by the server while held (close codes ${hold.droppedCodes})`);
    if (heartbeats.missedAcks) ctx.problems.push(`connections: ${heartbeats.missedAcks} heartbeats were not acknowledged before the next one`);
    printTable(`Connections (${opts.connections} identified on a fresh server process, held ${opts.holdSeconds} s, heartbeat every ${opts.heartbeatMs} ms)`, [
      {
        connected: clients.length,
        failed: conn.failures.length,
        retried: conn.retried,
        dropped: hold.dropped,
        'RSS before MiB': values.rssBeforeMiB,
        'RSS held MiB': values.rssHeldMiB,
        'KiB/conn': values.kibPerConn,
        'heap KiB/conn': values.heapKibPerConn,
        'ACK p50': hold.acks.p50,
        'ACK p99': hold.acks.p99,
        ACKs: hold.acks.count,
        'lag p99 ms': values.lagP99Ms,
        'lag max ms': values.lagMaxMs,
        'hold CPU%': values.holdCpuPct,
        'bench lag p99': values.benchLagP99Ms,
        'connect s': values.connectSeconds,
        'identify p99': identify.p99,
        'RSS after close': values.rssAfterCloseMiB,
      },
    ]);
  } finally {
    await server.stop();
  }
}
