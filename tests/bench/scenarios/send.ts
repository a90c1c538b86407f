// 1. Send throughput: 20 sends in flight for the configured time, through Discord REST
// (POST /api/v10/channels/:id/messages) and the native tRPC mutation (messages.send), with one
// identified gateway listener: messages/s, send latency, send→MESSAGE_CREATE latency, server CPU and
// RSS. Then the plain-pg INSERT baseline at the same concurrency.
import { clientLag } from '../client-lag.js';
import { record, type RunContext } from '../context.js';
import { Deliveries } from '../deliveries.js';
import { closeAll, connectMany, HeartbeatScheduler } from '../gateway-client.js';
import { closedLoop } from '../load.js';
import { cpuMeter, rssSampler } from '../proc.js';
import { latency, MiB, round } from '../stats.js';
import { printTable } from '../table.js';
import { pgInsertBaseline } from './pg-baseline.js';

const DELIVERY_GRACE_MS = 10_000;

/** Until every awaited MESSAGE_CREATE arrived or was given up (each is bounded by the grace). */
async function drained(deliveries: Deliveries) {
  const end = Date.now() + DELIVERY_GRACE_MS + 1000;
  while (deliveries.outstanding().length && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
}

export async function sendScenario(ctx: RunContext): Promise<void> {
  const { opts, http, fixtures } = ctx;
  const guild = await fixtures.guild('bench send');
  const [sender, listener] = await fixtures.newBots(2);
  await fixtures.join(guild, [sender!, listener!]);
  const heartbeats = new HeartbeatScheduler();
  const deliveries = new Deliveries('s');
  const conn = await connectMany(ctx.gatewayUrl, [listener!.token], 1, { batch: 1, timeoutMs: 30_000, heartbeats, onNonce: deliveries.listener });
  if (conn.clients.length !== 1) throw new Error(`send: the listener could not identify: ${conn.failures.join('; ')}`);

  // one more variant, for diagnosis (no target): the same load spread over as many channels as there
  // are workers, which shows whether sends into one channel wait for each other
  const channels = await fixtures.textChannels(guild, opts.sendConcurrency);
  const rest = (channelId: string, nonce: string) => http.discord('POST', `/channels/${channelId}/messages`, { content: `bench message ${nonce}`, nonce }, sender!.token);
  const sends: Record<string, (nonce: string, worker: number) => Promise<unknown>> = {
    rest: (nonce) => rest(guild.channelId, nonce),
    trpc: (nonce) => http.trpc('mutation', 'messages.send', { channelId: guild.channelId, content: `bench message ${nonce}`, nonce }, sender!.token),
    restManyChannels: (nonce, worker) => rest(channels[worker % channels.length]!, nonce),
  };
  const rows = [];
  try {
    for (const [via, send] of Object.entries(sends)) {
      const makeOp = (roundTrips: number[]) => async (worker: number) => {
        const d = deliveries.start(deliveries.nextNonce(), 1);
        try {
          await send(d.nonce, worker);
        } catch (err) {
          deliveries.cancel(d);
          throw err;
        }
        void deliveries.finish(d, DELIVERY_GRACE_MS).then((ok) => ok && roundTrips.push(d.lastAt - d.t0));
      };
      await closedLoop(opts.sendConcurrency, Math.min(2, opts.sendSeconds / 5), makeOp([])); // warm-up (JIT, pools)
      await drained(deliveries);
      const cpu = cpuMeter(ctx.server.pid);
      const rss = rssSampler(ctx.server.pid);
      const clientCpu = process.cpuUsage();
      const lag = clientLag();
      const roundTrips: number[] = [];
      const r = await closedLoop(opts.sendConcurrency, opts.sendSeconds, makeOp(roundTrips));
      const benchLag = lag.stop();
      const serverCpu = cpu.read();
      const mem = rss.stop();
      const used = process.cpuUsage(clientCpu);
      const benchCpu = ((used.user + used.system) / 1000 / r.elapsedMs) * 100;
      await drained(deliveries);
      const missed = r.ok - roundTrips.length;
      const post = latency(r.latencies);
      const rt = latency(roundTrips);
      const values = {
        msgPerSec: round(r.perSecond, 1),
        postP50: post.p50,
        postP95: post.p95,
        postP99: post.p99,
        rtP50: rt.p50,
        rtP95: rt.p95,
        rtP99: rt.p99,
        serverCpuPct: round(serverCpu, 1),
        serverRssMiB: round(mem.last / MiB, 1),
        serverPeakRssMiB: round(mem.peak / MiB, 1),
        errors: r.errors,
        missed,
      };
      record(ctx, `send.${via}`, values);
      ctx.details[`send.${via}`] = { ...values, sent: r.ok, benchCpuPct: round(benchCpu, 1), benchLagP99Ms: benchLag.p99, firstError: r.firstError, post, roundTrip: rt };
      if (r.errors) ctx.problems.push(`send via ${via}: ${r.errors} failed sends (${r.firstError})`);
      if (missed > 0) ctx.problems.push(`send via ${via}: ${missed} of ${r.ok} sent messages never reached the listener (within ${DELIVERY_GRACE_MS / 1000} s)`);
      rows.push({ via, 'msg/s': values.msgPerSec, 'post p50': post.p50, 'post p95': post.p95, 'post p99': post.p99, '→event p50': rt.p50, '→event p95': rt.p95, '→event p99': rt.p99, 'server CPU%': values.serverCpuPct, 'RSS MiB': values.serverRssMiB, 'bench CPU%': round(benchCpu, 1), 'bench lag p99': benchLag.p99, errors: r.errors, missed });
    }
    if (deliveries.duplicates) ctx.problems.push(`send: ${deliveries.duplicates} MESSAGE_CREATEs delivered twice to the listener`);
  } finally {
    heartbeats.stop();
    await closeAll(conn.clients);
  }

  await pgInsertBaseline(ctx);
  const base = ctx.metrics['baseline.pgInsert.perSec']!;
  rows.push({ via: 'plain pg INSERT', 'msg/s': base, 'post p50': ctx.metrics['baseline.pgInsert.p50'], 'post p99': ctx.metrics['baseline.pgInsert.p99'] });
  for (const via of Object.keys(sends)) record(ctx, `send.${via}`, { ofPgBaseline: round(ctx.metrics[`send.${via}.msgPerSec`]! / base, 3) });
  printTable(`Send throughput (${opts.sendConcurrency} in flight, ${opts.sendSeconds} s; latencies in ms; restManyChannels: one channel per worker)`, rows);
}
