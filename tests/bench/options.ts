// Command-line flags of `npm run bench` and the sizes/durations they select.
import { parseArgs } from 'node:util';

export const SCENARIOS = ['idle', 'send', 'roundtrip', 'fanout', 'connections', 'identify', 'search'] as const;
export type Scenario = (typeof SCENARIOS)[number];

export interface BenchOptions {
  quick: boolean;
  only: Set<Scenario>;
  runs: number;
  json?: string;
  redis: boolean;
  embedded: boolean;
  /** send throughput: requests in flight and seconds per measurement */
  sendConcurrency: number;
  sendSeconds: number;
  /** round trip at rest: sequential sends */
  roundTrips: number;
  /** fan-out: guild sizes and messages per size */
  fanoutSizes: number[];
  fanoutMessages: number;
  /** connections scenario: how many, and how long they are held */
  connections: number;
  holdSeconds: number;
  /** identify scenario: guilds, members per guild, measured identifies */
  identifyGuilds: number;
  identifyMembers: number;
  identifySamples: number;
  /** server RSS is read this long after start */
  idleSeconds: number;
  /** gateway heartbeat interval the bench server announces (Discord's is 41250 ms) */
  heartbeatMs: number;
  /** gateway clients connecting/identifying at once */
  identifyBatch: number;
  /** search scenario: messages in the searched guild, measured searches per query kind */
  searchMessages: number;
  searchQueries: number;
}

const HELP = `npm run bench -- [flags]
  --quick                 smoke run (small sizes, short durations; < 2 min)
  --only a,b              scenarios: ${SCENARIOS.join(', ')}
  --runs N                repeat N times (fresh database and server each) and report medians (default 1)
  --json PATH             where to write the results (default tests/bench/results/<timestamp>.json)
  --no-redis              run the server without Redis (in-process bus)
  --embedded              let the server start its embedded PostgreSQL (DATABASE_URL unset)
  --fanout-sizes 100,1000 guild sizes for the fan-out scenario (default 100,1000,5000)
  --max-fanout N          drop fan-out sizes above N
  --connections N         gateway connections to hold (default 10000)
  --hold-seconds S        how long they are held (default 60)
  --send-seconds S        duration of each send-throughput measurement (default 10)
  --idle-seconds S        wait before reading the idle RSS (default 30)
  --heartbeat-ms MS       gateway heartbeat interval (default 41250, Discord's)
  --search-messages N     messages in the searched guild (default 1000000; --quick 100000)
Environment: DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/postgres), REDIS_URL
(default redis://127.0.0.1:6379); any other server variable (e.g. DB_POOL_SIZE) is passed through.`;

const list = (s: string) => s.split(',').map((x) => x.trim()).filter(Boolean);
function positive(name: string, v: string | undefined, def: number): number {
  if (v === undefined) return def;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number, got "${v}"`);
  return n;
}

export function parseOptions(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      runs: { type: 'string' },
      json: { type: 'string' },
      'no-redis': { type: 'boolean', default: false },
      embedded: { type: 'boolean', default: false },
      'fanout-sizes': { type: 'string' },
      'max-fanout': { type: 'string' },
      connections: { type: 'string' },
      'hold-seconds': { type: 'string' },
      'send-seconds': { type: 'string' },
      'idle-seconds': { type: 'string' },
      'heartbeat-ms': { type: 'string' },
      'search-messages': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(HELP);
    process.exit(0);
  }
  const quick = values.quick!;
  const only = new Set<Scenario>();
  for (const s of values.only ? list(values.only) : SCENARIOS) {
    if (!(SCENARIOS as readonly string[]).includes(s)) throw new Error(`unknown scenario "${s}" (known: ${SCENARIOS.join(', ')})`);
    only.add(s as Scenario);
  }
  let fanoutSizes = values['fanout-sizes'] ? list(values['fanout-sizes']).map((s) => positive('fanout-sizes', s, 0)) : quick ? [20, 100] : [100, 1000, 5000];
  const maxFanout = positive('max-fanout', values['max-fanout'], Infinity);
  fanoutSizes = fanoutSizes.filter((n) => n <= maxFanout).map(Math.floor);
  return {
    quick,
    only,
    runs: Math.floor(positive('runs', values.runs, 1)),
    json: values.json,
    redis: !values['no-redis'],
    embedded: values.embedded!,
    sendConcurrency: 20,
    sendSeconds: positive('send-seconds', values['send-seconds'], quick ? 3 : 10),
    roundTrips: quick ? 50 : 500,
    fanoutSizes,
    fanoutMessages: quick ? 10 : 50,
    connections: Math.floor(positive('connections', values.connections, quick ? 300 : 10_000)),
    holdSeconds: positive('hold-seconds', values['hold-seconds'], quick ? 5 : 60),
    identifyGuilds: 10,
    identifyMembers: quick ? 10 : 100,
    identifySamples: quick ? 5 : 50,
    idleSeconds: positive('idle-seconds', values['idle-seconds'], quick ? 3 : 30),
    heartbeatMs: Math.floor(positive('heartbeat-ms', values['heartbeat-ms'], quick ? 5000 : 41_250)),
    identifyBatch: 200,
    searchMessages: Math.floor(positive('search-messages', values['search-messages'], quick ? 100_000 : 1_000_000)),
    searchQueries: quick ? 30 : 200,
  };
}
