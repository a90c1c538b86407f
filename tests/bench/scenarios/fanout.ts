// 3. Fan-out: one guild with N identified gateway clients; messages sent one after another; for
// each, the time from the start of the send until the LAST client has the MESSAGE_CREATE, and every
// message must reach every client. Then the physical-limit baseline: a bare ws server broadcasting
// the same payload to the same number of sockets, received by the same client code.
import { clientLag } from '../client-lag.js';
import { record, type RunContext } from '../context.js';
import { startBareWsServer } from '../bare-ws.js';
import { Deliveries } from '../deliveries.js';
import { closeAll, connectMany, droppedCodes, HeartbeatScheduler, LeanGateway, reasonSummary } from '../gateway-client.js';
import { mapLimit } from '../http.js';
import { cpuMeter, rssSampler } from '../proc.js';
import { latency, MiB, round } from '../stats.js';
import { printTable } from '../table.js';

const DELIVERY_TIMEOUT_MS = 15_000;
const SETTLE_TIMEOUT_MS = 60_000;
/** unmeasured messages after the settling one (JIT, buffers) */
const WARMUP_MESSAGES = 3;

interface FanoutFigures {
  /** send start → last client, ms */
  last: number[];
  /** send start → first client, ms */
  first: number[];
  missed: number;
  incomplete: number;
  errors: number;
}

/** Sends `count` messages one after another through `send`, each awaited at all `expected` clients. */
async function measure(deliveries: Deliveries, expected: number, count: number, send: (nonce: string) => Promise<unknown>, timeoutMs = DELIVERY_TIMEOUT_MS): Promise<FanoutFigures> {
  const f: FanoutFigures = { last: [], first: [], missed: 0, incomplete: 0, errors: 0 };
  for (let i = 0; i < count; i++) {
    const d = deliveries.start(deliveries.nextNonce(), expected);
    const sent = await send(d.nonce).then(
      () => true,
      () => false,
    );
    if (!sent) {
      deliveries.cancel(d);
      if (++f.errors > 10) break;
      continue;
    }
    if (await deliveries.finish(d, timeoutMs)) {
      f.last.push(d.lastAt - d.t0);
      f.first.push(d.firstAt - d.t0);
    } else {
      f.incomplete++;
      f.missed += expected - d.seen.size;
    }
  }
  return f;
}

export async function fanoutScenario(ctx: RunContext): Promise<void> {
  const { opts, http, fixtures } = ctx;
  const bare = await startBareWsServer();
  try {
    for (const n of opts.fanoutSizes) {
      ctx.log(`fan-out ${n}: creating/joining members`);
      const guild = await fixtures.guild(`bench fanout ${n}`);
      const bots = await fixtures.pooledBots(n);
      await fixtures.join(guild, bots);
      const post = (nonce: string) => http.discord('POST', `/channels/${guild.channelId}/messages`, { content: `bench fan-out ${nonce}`, nonce }, fixtures.owner.token);

      ctx.log(`fan-out ${n}: identifying ${n} gateway clients`);
      const deliveries = new Deliveries(`f${n}`);
      const heartbeats = new HeartbeatScheduler();
      const conn = await connectMany(ctx.gatewayUrl, bots.map((b) => b.token), n, {
        batch: opts.identifyBatch,
        timeoutMs: 60_000,
        heartbeats,
        onNonce: deliveries.listener,
        progress: (m) => ctx.log(`fan-out ${n}: ${m}`),
      });
      const clients = conn.clients;
      if (conn.failures.length) ctx.problems.push(`fan-out ${n}: ${conn.failures.length} clients never identified (failed attempts: ${reasonSummary(conn)})`);
      if (conn.retried) ctx.problems.push(`fan-out ${n}: ${conn.retried} identify attempts failed and were retried (${reasonSummary(conn)})`);
      if (clients.length === 0) {
        heartbeats.stop();
        record(ctx, `fanout.${n}`, { clients: 0, identifyFailures: conn.failures.length });
        continue;
      }
      let ours: FanoutFigures;
      let template: string | undefined;
      let serverCpu = NaN;
      let rss = { peak: NaN, last: NaN };
      let dropped = 0;
      let codes = '';
      let benchLag = { p99: NaN, max: NaN };
      try {
        // settle: the identify storm (presence updates etc.) must be over before measuring
        const settle = await measure(deliveries, clients.length, 1, post, SETTLE_TIMEOUT_MS);
        if (settle.incomplete) ctx.problems.push(`fan-out ${n}: the settling message reached only ${clients.length - settle.missed} of ${clients.length} clients within ${SETTLE_TIMEOUT_MS / 1000} s`);
        await measure(deliveries, clients.length, WARMUP_MESSAGES, post);
        ctx.log(`fan-out ${n}: sending ${opts.fanoutMessages} messages`);
        const cpu = cpuMeter(ctx.server.pid);
        const sampler = rssSampler(ctx.server.pid);
        const lag = clientLag();
        ours = await measure(deliveries, clients.length, opts.fanoutMessages, post);
        benchLag = lag.stop();
        serverCpu = cpu.read();
        rss = sampler.stop();
        template = clients[0]?.lastMessageCreate;
        dropped = clients.filter((c) => c.unexpectedClose).length;
        codes = droppedCodes(clients);
      } finally {
        heartbeats.stop();
        await closeAll(clients);
      }

      // the baseline: same payload, as many sockets as our clients, same receiving code; sockets
      // open a batch at a time (all at once would overflow the listen backlog)
      const bareDeliveries = new Deliveries(`x${n}`);
      const bareClients: LeanGateway[] = [];
      let bareFailed = 0;
      let baseline: FanoutFigures | undefined;
      try {
        await mapLimit(clients.map((_, i) => i), opts.identifyBatch, async () => {
          const c = new LeanGateway(bare.url);
          c.onNonce = bareDeliveries.listener;
          try {
            await c.open(30_000);
            bareClients.push(c);
          } catch {
            bareFailed++;
            c.ws.terminate();
          }
        });
        if (bareFailed) ctx.problems.push(`fan-out ${n}: ${bareFailed} sockets to the bare ws baseline failed to open`);
        if (template) {
          const nonceAt = template.indexOf('"nonce":"') + '"nonce":"'.length;
          bare.setTemplate(`${template.slice(0, nonceAt)}__NONCE__${template.slice(template.indexOf('"', nonceAt))}`);
          const broadcast = async (nonce: string) => bare.broadcast(nonce);
          await measure(bareDeliveries, bareClients.length, 1 + WARMUP_MESSAGES, broadcast, SETTLE_TIMEOUT_MS);
          baseline = await measure(bareDeliveries, bareClients.length, opts.fanoutMessages, broadcast);
        }
      } finally {
        await closeAll(bareClients);
      }

      const last = latency(ours.last);
      const first = latency(ours.first);
      const bareLast = latency(baseline?.last ?? []);
      const identify = latency(conn.identifyMs);
      const values = {
        clients: clients.length,
        p50: last.p50,
        p99: last.p99,
        firstP50: first.p50,
        missed: ours.missed,
        identifyFailures: conn.failures.length,
        identifyRetries: conn.retried,
        incompleteMessages: ours.incomplete,
        errors: ours.errors,
        duplicates: deliveries.duplicates,
        dropped,
        bareSockets: bareClients.length,
        bareP50: bareLast.p50,
        bareP99: bareLast.p99,
        ratioP99: round(last.p99 / bareLast.p99, 2),
        serverCpuPct: round(serverCpu, 1),
        serverRssMiB: round(rss.last / MiB, 1),
        identifyP50: identify.p50,
        identifyP99: identify.p99,
        connectSeconds: round(conn.elapsedMs / 1000, 1),
        benchLagP99Ms: benchLag.p99,
      };
      record(ctx, `fanout.${n}`, values);
      ctx.details[`fanout.${n}`] = { ...values, last, first, bare: bareLast, identify, failedAttempts: conn.reasons };
      if (ours.missed) ctx.problems.push(`fan-out ${n}: ${ours.missed} deliveries missing across ${ours.incomplete} messages (each awaited ${DELIVERY_TIMEOUT_MS / 1000} s)`);
      if (ours.errors) ctx.problems.push(`fan-out ${n}: ${ours.errors} sends failed`);
      if (deliveries.duplicates) ctx.problems.push(`fan-out ${n}: ${deliveries.duplicates} duplicate MESSAGE_CREATEs`);
      if (dropped) ctx.problems.push(`fan-out ${n}: ${dropped} gateway connections closed by the server during the measurement (close codes ${codes})`);
      if (!template) ctx.problems.push(`fan-out ${n}: no MESSAGE_CREATE captured; bare ws baseline skipped`);
      printTable(`Fan-out to ${n} (${opts.fanoutMessages} messages; send start → first/last client, ms; bare = plain ws broadcast of the same payload)`, [
        {
          N: n,
          clients: clients.length,
          'last p50': last.p50,
          'last p99': last.p99,
          'first p50': first.p50,
          missed: values.missed,
          dup: deliveries.duplicates,
          'bare p50': bareLast.p50,
          'bare p99': bareLast.p99,
          'p99 ÷ bare': values.ratioP99,
          'server CPU%': values.serverCpuPct,
          'RSS MiB': values.serverRssMiB,
          'identify p50': identify.p50,
          'identify p99': identify.p99,
          'connect s': values.connectSeconds,
          retried: conn.retried,
          'bench lag p99': benchLag.p99,
        },
      ]);
    }
  } finally {
    await bare.stop();
  }
}
