// Matches MESSAGE_CREATE dispatches to the sends that caused them, by nonce: when each send started,
// which clients got it, when the first and the last did, duplicates and late arrivals.
import type { LeanGateway, NonceListener } from './gateway-client.js';
import { now } from './stats.js';

export interface Delivery {
  nonce: string;
  /** when the send started (performance.now()) */
  t0: number;
  expected: number;
  seen: Set<LeanGateway>;
  firstAt: number;
  lastAt: number;
  complete: Promise<void>;
  resolve(): void;
}

export class Deliveries {
  private pending = new Map<string, Delivery>();
  /** a client got the same message twice */
  duplicates = 0;
  /** arrivals for a nonce no longer (or never) awaited */
  late = 0;
  private seq = 0;
  private prefix: string;

  constructor(tag: string) {
    // nonces are at most 25 characters
    this.prefix = tag.slice(0, 8);
  }

  nextNonce(): string {
    return `${this.prefix}${(this.seq++).toString(36)}`;
  }

  readonly listener: NonceListener = (nonce, at, client) => {
    const d = this.pending.get(nonce);
    if (!d) {
      this.late++;
      return;
    }
    if (d.seen.has(client)) {
      this.duplicates++;
      return;
    }
    d.seen.add(client);
    if (d.seen.size === 1) d.firstAt = at;
    d.lastAt = at;
    if (d.seen.size === d.expected) d.resolve();
  };

  /** Starts timing a send expected to reach `expected` clients. */
  start(nonce: string, expected: number): Delivery {
    let resolve!: () => void;
    const complete = new Promise<void>((r) => (resolve = r));
    const d: Delivery = { nonce, t0: now(), expected, seen: new Set(), firstAt: 0, lastAt: 0, complete, resolve };
    this.pending.set(nonce, d);
    return d;
  }

  /** Waits until every expected client got it (true) or the timeout (false); stops tracking it. */
  async finish(d: Delivery, timeoutMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((r) => (timer = setTimeout(() => r(false), timeoutMs)));
    const ok = await Promise.race([d.complete.then(() => true), timedOut]);
    clearTimeout(timer);
    this.pending.delete(d.nonce);
    return ok;
  }

  /** Stops tracking a send that failed. */
  cancel(d: Delivery) {
    this.pending.delete(d.nonce);
  }

  /** Sends still awaited. */
  outstanding(): Delivery[] {
    return [...this.pending.values()];
  }
}
