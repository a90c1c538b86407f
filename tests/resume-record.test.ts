// Gateway resume records are written incrementally: the store mostly receives only the marks added
// since its last write (appended), and now and then the whole record. Whatever mix of writes (and
// failed writes) happened, what a resume reads back must be the session's own marks.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { describe, expect, inject, it } from 'vitest';
import { ResumeRecord } from '../compat/gateway/resume-record.js';
import { MemorySessionStore, RedisSessionStore, type SessionStore } from '../server/realtime/session-store.js';
import { onCleanup } from './helpers/cleanup.js';
import { hasRedis } from './helpers/server.js';

const TTL_SECONDS = 60;

function redisStore(): SessionStore {
  const redis = new Redis(inject('redisUrl'));
  const prefix = `test:${randomBytes(4).toString('hex')}:`;
  onCleanup(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  });
  return new RedisSessionStore(redis, prefix);
}

/** A deterministic pseudo-random sequence (the same cases on every run). */
function random(seed: number) {
  return () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
}

async function flush(store: SessionStore, id: string, record: ResumeRecord, fail: boolean) {
  const write = record.takeWrite();
  if (!write) return 'nothing';
  if (fail) {
    record.writeFailed();
    return 'failed';
  }
  await store.writeMany([{ id, ...write }], TTL_SECONDS);
  return write.append ? 'appended' : 'whole';
}

const stores: [string, () => SessionStore, boolean][] = [
  ['in-process store', () => new MemorySessionStore(), false],
  ['Redis store', redisStore, !hasRedis()],
];

describe.each(stores)('%s', (_name, makeStore, skip) => {
  it.skipIf(skip)('after any mix of appended, whole and failed writes, the stored record reads back as the live one', async () => {
    const store = makeStore();
    const next = random(7);
    const kinds = new Set<string>();
    for (let session = 0; session < 5; session++) {
      const id = `s${session}`;
      const record = new ResumeRecord({ userId: '42', intents: 513, largeThreshold: 50 });
      let seq = 0;
      let eventSeq = 1000;
      for (let flushNo = 0; flushNo < 60; flushNo++) {
        // between flushes: a few dispatches, sometimes a burst of more than the record keeps
        const dispatches = next() < 0.05 ? 150 : Math.floor(next() * 8);
        for (let i = 0; i < dispatches; i++) record.add(++seq, `${++eventSeq}-1700000000000`);
        const outcome = await flush(store, id, record, next() < 0.1);
        kinds.add(outcome);
        if (outcome === 'failed' || outcome === 'nothing') continue;
        const text = (await store.load(id))!;
        const stored = ResumeRecord.parse(text);
        expect(stored?.header).toEqual(record.header);
        expect(stored?.marks).toEqual(record.marks);
        // appending does not grow the stored record without bound: at most twice the marks kept
        expect(text.split('\n').length).toBeLessThanOrEqual(1 + 2 * 100 + 1);
      }
    }
    // every kind of write happened, so each path was checked above
    expect([...kinds].sort()).toEqual(['appended', 'failed', 'nothing', 'whole']);
  });

  it.skipIf(skip)('a header change (the final seq on close) is written whole', async () => {
    const store = makeStore();
    const record = new ResumeRecord({ userId: '42', intents: 1, largeThreshold: 50 });
    record.add(1, '5-1700000000000');
    await store.writeMany([{ id: 'h', ...record.takeWrite()! }], TTL_SECONDS);
    record.add(2, '6-1700000000000');
    record.header.finalSeq = 2;
    const write = record.takeWrite(true)!;
    expect(write.append).toBe(false);
    await store.writeMany([{ id: 'h', ...write }], TTL_SECONDS);
    const stored = ResumeRecord.parse((await store.load('h'))!)!;
    expect(stored.header.finalSeq).toBe(2);
    expect(stored.resumePoint(1)).toEqual({ eventId: '5-1700000000000', seq: 1 });
    expect(stored.markedSeq('6-1700000000000')).toBe(2);
  });
});

describe('parsing', () => {
  it('refuses a record whose header is not a record header, and skips malformed mark lines', () => {
    expect(ResumeRecord.parse('not json\n1 2-3\n')).toBeUndefined();
    expect(ResumeRecord.parse('{"userId":1}\n')).toBeUndefined();
    const r = ResumeRecord.parse('{"userId":"1","intents":0,"largeThreshold":50}\n1 9-100\ngarbage\n2 10-100\n');
    expect(r?.marks).toEqual([
      [1, '9-100'],
      [2, '10-100'],
    ]);
  });
});
