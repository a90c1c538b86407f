// 6. Idle footprint: server RSS a while after start (nothing connected), and again after the other
// scenarios (everything closed). With the embedded PostgreSQL, its processes' memory separately.
import { record, sleep, type RunContext } from '../context.js';
import { rssBytes } from '../proc.js';
import { MiB, round } from '../stats.js';
import { printTable } from '../table.js';

const AFTER_RUNS_SETTLE_MS = 5000;

function measure(ctx: RunContext, phase: 'start' | 'end') {
  const rss = rssBytes(ctx.server.pid);
  const pgMem = ctx.server.embeddedMemory();
  const values: Record<string, number> = { rssMiB: round(rss / MiB, 1) };
  if (pgMem) {
    values.embeddedPgRssMiB = round(pgMem.rss / MiB, 1);
    values.embeddedPgPssMiB = round(pgMem.pss / MiB, 1);
  }
  record(ctx, `idle.${phase}`, values);
  return { phase, ...values, ...(pgMem ? { embeddedPgProcesses: pgMem.processes } : {}) };
}

export async function idleAtStart(ctx: RunContext): Promise<void> {
  ctx.log(`idle: waiting ${ctx.opts.idleSeconds} s after start`);
  await sleep(ctx.opts.idleSeconds * 1000);
  const row = measure(ctx, 'start');
  ctx.details['idle.start'] = row;
  printTable(`Idle footprint ${ctx.opts.idleSeconds} s after start`, [row]);
}

export async function idleAtEnd(ctx: RunContext): Promise<void> {
  await sleep(AFTER_RUNS_SETTLE_MS);
  const row = measure(ctx, 'end');
  ctx.details['idle.end'] = row;
  printTable(`Footprint after the scenarios (${AFTER_RUNS_SETTLE_MS / 1000} s after the last one)`, [row]);
}
