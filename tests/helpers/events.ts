// Collects a user's event stream (events.stream over a real tRPC WebSocket) for assertions.
import type { StreamEvent } from '../../shared/schemas/events.js';
import { wsClient } from './clients.js';

export interface Received {
  id: string;
  event: StreamEvent;
}

export interface EventCollector {
  received: Received[];
  errors: unknown[];
  /** resolves with the first received event (past or future) matching the predicate */
  waitFor(pred: (e: StreamEvent) => boolean, timeoutMs?: number): Promise<Received>;
  /** resolves once `n` events matching the predicate have been received */
  waitForCount(pred: (e: StreamEvent) => boolean, n: number, timeoutMs?: number): Promise<Received[]>;
  /** resolves when the subscription reported an error */
  waitForError(timeoutMs?: number): Promise<unknown>;
  stop(): void;
  close(): void;
}

export async function collectEvents(baseUrl: string, token: string, lastEventId?: string): Promise<EventCollector> {
  const { ws, client } = wsClient(baseUrl, token);
  const received: Received[] = [];
  const errors: unknown[] = [];
  const waiters = new Set<() => void>();
  const notify = () => waiters.forEach((w) => w());
  let started!: () => void;
  const ready = new Promise<void>((r) => (started = r));
  const sub = client.events.stream.subscribe(lastEventId ? { lastEventId } : undefined, {
    onStarted: () => started(),
    onData: (d) => {
      received.push({ id: d.id, event: d.data });
      notify();
    },
    onError: (err) => {
      errors.push(err);
      started(); // a stream refused at once never starts
      notify();
    },
  });
  await ready;

  function until<T>(check: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
    return new Promise((resolve, reject) => {
      const done = () => {
        const v = check();
        if (v === undefined) return;
        waiters.delete(done);
        clearTimeout(timer);
        resolve(v);
      };
      const timer = setTimeout(() => {
        waiters.delete(done);
        reject(new Error(`timed out waiting for ${what}; received: ${received.map((r) => r.event.type).join(', ')}`));
      }, timeoutMs);
      waiters.add(done);
      done();
    });
  }

  return {
    received,
    errors,
    waitFor: (pred, timeoutMs = 5000) => until(() => received.find((r) => pred(r.event)), timeoutMs, 'an event'),
    waitForCount: (pred, n, timeoutMs = 10_000) =>
      until(() => {
        const m = received.filter((r) => pred(r.event));
        return m.length >= n ? m : undefined;
      }, timeoutMs, `${n} events`),
    waitForError: (timeoutMs = 5000) => until(() => errors[0], timeoutMs, 'an error'),
    stop: () => sub.unsubscribe(),
    close: () => {
      sub.unsubscribe();
      ws.close();
    },
  };
}
