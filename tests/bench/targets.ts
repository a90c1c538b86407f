// The targets of the issue, checked against the medians across runs (or the worst run, for counts
// that must be zero).
import type { Cell } from './table.js';
import { median } from './stats.js';

interface Target {
  name: string;
  key: string;
  /** how runs are combined: the median, or the worst (for things that must never happen) */
  across: 'median' | 'max';
  op: '>=' | '<=';
  limit: number;
  unit?: string;
}

function targets(fanoutSizes: number[]): Target[] {
  const list: Target[] = [];
  for (const via of ['rest', 'trpc']) {
    list.push({ name: `send (${via}) throughput`, key: `send.${via}.msgPerSec`, across: 'median', op: '>=', limit: 1000, unit: 'msg/s' });
    list.push({ name: `send (${via}) ÷ plain pg INSERT`, key: `send.${via}.ofPgBaseline`, across: 'median', op: '>=', limit: 0.5 });
    list.push({ name: `send (${via}) messages lost`, key: `send.${via}.missed`, across: 'max', op: '<=', limit: 0 });
  }
  list.push({ name: 'round trip at rest p50', key: 'roundtrip.rest.p50', across: 'median', op: '<=', limit: 5, unit: 'ms' });
  list.push({ name: 'round trip at rest p99', key: 'roundtrip.rest.p99', across: 'median', op: '<=', limit: 20, unit: 'ms' });
  if (fanoutSizes.includes(1000)) {
    list.push({ name: 'fan-out 1000 p99', key: 'fanout.1000.p99', across: 'median', op: '<=', limit: 100, unit: 'ms' });
    list.push({ name: 'fan-out 1000 p99 ÷ bare ws', key: 'fanout.1000.ratioP99', across: 'median', op: '<=', limit: 2 });
  }
  if (fanoutSizes.includes(5000)) list.push({ name: 'fan-out 5000 p99', key: 'fanout.5000.p99', across: 'median', op: '<=', limit: 500, unit: 'ms' });
  for (const n of fanoutSizes) {
    list.push({ name: `fan-out ${n} missed deliveries`, key: `fanout.${n}.missed`, across: 'max', op: '<=', limit: 0 });
    list.push({ name: `fan-out ${n} clients not identified`, key: `fanout.${n}.identifyFailures`, across: 'max', op: '<=', limit: 0 });
  }
  list.push({ name: 'connections: RSS per connection', key: 'connections.kibPerConn', across: 'median', op: '<=', limit: 30, unit: 'KiB' });
  list.push({ name: 'connections: heartbeat ACK p99', key: 'connections.ackP99', across: 'median', op: '<=', limit: 50, unit: 'ms' });
  list.push({ name: 'connections: failed or dropped', key: 'connections.lost', across: 'max', op: '<=', limit: 0 });
  list.push({ name: 'identify → all GUILD_CREATEs p50', key: 'identify.p50', across: 'median', op: '<=', limit: 20, unit: 'ms' });
  list.push({ name: 'message search p50 (target over 1,000,000 messages)', key: 'search.word.p50', across: 'median', op: '<=', limit: 50, unit: 'ms' });
  list.push({ name: 'idle RSS after start', key: 'idle.start.rssMiB', across: 'median', op: '<=', limit: 120, unit: 'MiB' });
  return list;
}

export interface TargetResult {
  target: string;
  goal: string;
  measured: number;
  runs: number[];
  pass: boolean | undefined;
}

/** Medians of every metric across runs. */
export function medians(runs: Record<string, number>[]): Record<string, number> {
  const keys = [...new Set(runs.flatMap((r) => Object.keys(r)))].sort();
  return Object.fromEntries(keys.map((k) => [k, median(runs.map((r) => r[k] ?? NaN))]));
}

/** The targets of the scenarios that ran (a metric key starts with its scenario's name). */
export function checkTargets(runs: Record<string, number>[], fanoutSizes: number[], scenarios: ReadonlySet<string>): TargetResult[] {
  return targets(fanoutSizes)
    .filter((t) => scenarios.has(t.key.split('.')[0]!))
    .map((t) => {
      const values = runs.map((r) => r[t.key]).filter((v): v is number => v !== undefined && Number.isFinite(v));
      const measured = values.length === 0 ? NaN : t.across === 'max' ? Math.max(...values) : median(values);
      const pass = Number.isFinite(measured) ? (t.op === '>=' ? measured >= t.limit : measured <= t.limit) : undefined;
      return { target: t.name, goal: `${t.op} ${t.limit}${t.unit ? ` ${t.unit}` : ''}`, measured, runs: values, pass };
    });
}

export const targetRow = (r: TargetResult): Record<string, Cell> => ({
  target: r.target,
  goal: r.goal,
  measured: r.measured,
  runs: r.runs.join(' / ') || undefined,
  result: r.pass === undefined ? 'not run' : r.pass ? 'PASS' : 'FAIL',
});
