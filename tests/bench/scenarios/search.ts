// 7. Message search over a large guild: N messages (1,000,000; --quick 100,000) written straight into
// one channel with a single INSERT … SELECT generate_series (the API would take hours), then
// GET /guilds/{g}/messages/search one request at a time, each for a different word that ~300 of the
// messages contain (every content is "bench message <i> about w<a> and w<b>" with a in 0-9999 and b in
// 0-4999), and the same with an author filter. Latency from request start to the full response.
import pg from 'pg';
import { snowflakeFromTimestamp } from '../../../shared/snowflake.js';
import { record, type RunContext } from '../context.js';
import { latency, now } from '../stats.js';
import { printTable } from '../table.js';

const SPREAD_MS = 30 * 24 * 60 * 60 * 1000;

async function seed(ctx: RunContext, channelId: string, authorId: string, count: number) {
  const pool = new pg.Pool({ connectionString: ctx.databaseUrl, max: 1 });
  try {
    const first = snowflakeFromTimestamp(Date.now() - SPREAD_MS);
    // ids spaced like snowflakes over the last 30 days, oldest first
    const step = (BigInt(Math.floor(SPREAD_MS / count)) << 22n) || 1n;
    const t0 = now();
    await pool.query(
      `INSERT INTO messages (id, channel_id, author_id, content)
       SELECT $1::bigint + g * $2::bigint, $3::bigint, $4::bigint,
              'bench message ' || g || ' about w' || (g * 7919 % 10000) || ' and w' || (g * 31337 % 5000)
       FROM generate_series(0::bigint, $5::bigint - 1) AS g`,
      [String(first), String(step), channelId, authorId, count],
    );
    await pool.query('ANALYZE messages');
    return now() - t0;
  } finally {
    await pool.end();
  }
}

export async function searchScenario(ctx: RunContext): Promise<void> {
  const { opts, http, fixtures } = ctx;
  const guild = await fixtures.guild('bench search');
  const owner = fixtures.owner;
  ctx.log(`search: writing ${opts.searchMessages} messages`);
  const seedMs = await seed(ctx, guild.channelId, owner.id, opts.searchMessages);
  const queries = {
    word: (i: number) => `content=w${(i * 97) % 10000}`,
    'word + author': (i: number) => `content=w${(i * 89) % 10000}&author_id=${owner.id}`,
  };
  const rows = [];
  for (const [kind, query] of Object.entries(queries)) {
    const samples: number[] = [];
    let errors = 0;
    let totalResults = 0;
    for (let i = 0; i < opts.searchQueries + 5; i++) {
      const t0 = now();
      const res = await http.request('GET', `/api/v10/guilds/${guild.id}/messages/search?${query(i)}`, undefined, { authorization: `Bearer ${owner.token}` });
      if (res.status !== 200) {
        errors++;
        if (errors === 1) ctx.problems.push(`search (${kind}): ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
        continue;
      }
      if (i < 5) continue; // warm-up
      samples.push(now() - t0);
      totalResults += (res.body as { total_results: number }).total_results;
    }
    const lat = latency(samples);
    const key = kind === 'word' ? 'search.word' : 'search.wordAuthor';
    record(ctx, key, { p50: lat.p50, p99: lat.p99, errors });
    ctx.details[key] = { ...lat, errors, messages: opts.searchMessages, seedMs };
    rows.push({ query: kind, messages: opts.searchMessages, requests: lat.count, 'avg hits': Math.round(totalResults / Math.max(1, samples.length)), p50: lat.p50, p95: lat.p95, p99: lat.p99, max: lat.max, errors });
  }
  printTable(`Message search (1 request in flight, ms; ${opts.searchMessages} messages written in ${Math.round(seedMs / 1000)} s)`, rows);
}
