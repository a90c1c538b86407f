// The bench's own event-loop delay during a measurement: when it is high, client-side timings
// (receipt times, ACK latencies) include time the bench itself spent busy, not only the server's.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { round } from './stats.js';

export function clientLag() {
  const h = monitorEventLoopDelay({ resolution: 10 });
  h.enable();
  return {
    /** p99 and max in ms (the 10 ms sampling resolution included) */
    stop(): { p99: number; max: number } {
      h.disable();
      return { p99: round(h.percentile(99) / 1e6, 1), max: round(h.max / 1e6, 1) };
    },
  };
}
