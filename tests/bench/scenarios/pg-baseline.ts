// Physical-limit baseline for sends: plain `pg` single-row INSERTs into a table shaped like
// messages (same columns, defaults and indexes), same database, same concurrency.
import pg from 'pg';
import { record, type RunContext } from '../context.js';
import { closedLoop } from '../load.js';
import { latency, round } from '../stats.js';

const TABLE = 'bench_baseline_messages';

export async function pgInsertBaseline(ctx: RunContext): Promise<void> {
  const { opts } = ctx;
  const pool = new pg.Pool({ connectionString: ctx.databaseUrl, max: opts.sendConcurrency });
  try {
    await pool.query(`DROP TABLE IF EXISTS ${TABLE}; CREATE TABLE ${TABLE} (LIKE messages INCLUDING ALL)`);
    // ids increase like snowflakes (time in the high bits, a counter in the low ones)
    let counter = 0n;
    const base = BigInt(Date.now()) << 22n;
    const insert = () =>
      pool
        .query(`INSERT INTO ${TABLE} (id, channel_id, author_id, content, nonce, type) VALUES ($1, $2, $3, $4, $5, 0)`, [
          String(base + counter++),
          '1000',
          '2000',
          `bench message ${counter}`,
          `n${counter}`,
        ])
        .then(() => undefined);
    await closedLoop(opts.sendConcurrency, Math.min(2, opts.sendSeconds / 5), insert); // warm-up
    const r = await closedLoop(opts.sendConcurrency, opts.sendSeconds, insert);
    const lat = latency(r.latencies);
    record(ctx, 'baseline.pgInsert', { perSec: round(r.perSecond, 1), p50: lat.p50, p99: lat.p99, errors: r.errors });
    ctx.details.pgInsertBaseline = { ...lat, perSec: round(r.perSecond, 1), errors: r.errors, firstError: r.firstError };
    if (r.errors) ctx.problems.push(`pg baseline: ${r.errors} failed INSERTs (${r.firstError})`);
  } finally {
    await pool.query(`DROP TABLE IF EXISTS ${TABLE}`).catch(() => {});
    await pool.end();
  }
}
