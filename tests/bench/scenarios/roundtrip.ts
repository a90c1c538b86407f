// 2. Round trip at rest: one send in flight; from the start of the send until the gateway listener
// has the MESSAGE_CREATE. Through Discord REST (the target) and the tRPC mutation.
import { record, type RunContext } from '../context.js';
import { Deliveries } from '../deliveries.js';
import { closeAll, connectMany, HeartbeatScheduler } from '../gateway-client.js';
import { latency } from '../stats.js';
import { printTable } from '../table.js';

const TIMEOUT_MS = 5000;

export async function roundTripScenario(ctx: RunContext): Promise<void> {
  const { opts, http, fixtures } = ctx;
  const guild = await fixtures.guild('bench roundtrip');
  const [sender, listener] = await fixtures.newBots(2);
  await fixtures.join(guild, [sender!, listener!]);
  const heartbeats = new HeartbeatScheduler();
  const deliveries = new Deliveries('r');
  const conn = await connectMany(ctx.gatewayUrl, [listener!.token], 1, { batch: 1, timeoutMs: 30_000, heartbeats, onNonce: deliveries.listener });
  if (conn.clients.length !== 1) throw new Error(`roundtrip: the listener could not identify: ${conn.failures.join('; ')}`);
  const sends = {
    rest: (nonce: string) => http.discord('POST', `/channels/${guild.channelId}/messages`, { content: `bench message ${nonce}`, nonce }, sender!.token),
    trpc: (nonce: string) => http.trpc('mutation', 'messages.send', { channelId: guild.channelId, content: `bench message ${nonce}`, nonce }, sender!.token),
  };
  const rows = [];
  try {
    for (const [via, send] of Object.entries(sends)) {
      const samples: number[] = [];
      let missed = 0;
      let errors = 0;
      const warmup = Math.min(20, Math.ceil(opts.roundTrips / 10));
      for (let i = 0; i < warmup + opts.roundTrips; i++) {
        const d = deliveries.start(deliveries.nextNonce(), 1);
        const ok = await send(d.nonce).then(
          () => deliveries.finish(d, TIMEOUT_MS),
          () => (deliveries.cancel(d), errors++, undefined),
        );
        if (i < warmup || ok === undefined) continue;
        if (ok) samples.push(d.lastAt - d.t0);
        else missed++;
        if (errors > 20) break;
      }
      const rt = latency(samples);
      record(ctx, `roundtrip.${via}`, { p50: rt.p50, p99: rt.p99, missed, errors });
      ctx.details[`roundtrip.${via}`] = { ...rt, missed, errors };
      if (missed || errors) ctx.problems.push(`round trip via ${via}: ${missed} MESSAGE_CREATEs not received within ${TIMEOUT_MS} ms, ${errors} failed sends`);
      rows.push({ via, sends: rt.count, p50: rt.p50, p95: rt.p95, p99: rt.p99, max: rt.max, missed, errors });
    }
  } finally {
    heartbeats.stop();
    await closeAll(conn.clients);
  }
  printTable('Round trip at rest (1 in flight; send start → MESSAGE_CREATE at the listener, ms)', rows);
}
