// 5. Identify: a user in 10 guilds of 100 members each connects, one connection at a time; from
// IDENTIFY until READY and until the last GUILD_CREATE.
import { record, type RunContext } from '../context.js';
import { HeartbeatScheduler, LeanGateway, closeAll } from '../gateway-client.js';
import { latency } from '../stats.js';
import { printTable } from '../table.js';

export async function identifyScenario(ctx: RunContext): Promise<void> {
  const { opts, fixtures } = ctx;
  // the owner and the subject are members of every guild; bots of their own fill the rest (pooled
  // ones would make the fan-out clients' identifies carry these 10 guilds too)
  const [subject, ...others] = await fixtures.newBots(opts.identifyMembers - 1);
  for (let g = 0; g < opts.identifyGuilds; g++) {
    const guild = await fixtures.guild(`bench identify ${g}`);
    await fixtures.join(guild, [subject!, ...others]);
  }
  const heartbeats = new HeartbeatScheduler();
  const toReady: number[] = [];
  const toGuilds: number[] = [];
  let failures = 0;
  let firstFailure: string | undefined;
  try {
    const warmup = 3;
    for (let i = 0; i < warmup + opts.identifySamples; i++) {
      const c = new LeanGateway(ctx.gatewayUrl, heartbeats);
      try {
        await c.identify(subject!.token, 30_000);
        if (i >= warmup) {
          toReady.push(c.readyAt - c.identifySentAt);
          toGuilds.push(c.guildsAt - c.identifySentAt);
        }
      } catch (err) {
        failures++;
        firstFailure ??= (err as Error).message;
        if (failures > 5) break;
      } finally {
        await closeAll([c]);
      }
    }
  } finally {
    heartbeats.stop();
  }
  const ready = latency(toReady);
  const all = latency(toGuilds);
  record(ctx, 'identify', { readyP50: ready.p50, readyP99: ready.p99, p50: all.p50, p99: all.p99, failures });
  ctx.details.identify = { guilds: opts.identifyGuilds, membersPerGuild: opts.identifyMembers, ready, withGuilds: all, failures, firstFailure };
  if (failures) ctx.problems.push(`identify: ${failures} identifies failed (${firstFailure})`);
  printTable(`Identify (user in ${opts.identifyGuilds} guilds of ${opts.identifyMembers} members; IDENTIFY → ..., ms)`, [
    { until: 'READY', samples: ready.count, p50: ready.p50, p95: ready.p95, p99: ready.p99, max: ready.max },
    { until: 'last GUILD_CREATE', samples: all.count, p50: all.p50, p95: all.p95, p99: all.p99, max: all.max, failures },
  ]);
}
