import { afterEach, describe, expect, it, vi } from 'vitest';
import { deconstructSnowflake, DISCORD_EPOCH, SnowflakeGenerator, SnowflakeUnavailableError, snowflakeFromTimestamp, snowflakeTimestamp } from '../shared/snowflake.js';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('SnowflakeGenerator', () => {
  it('hands out 100k unique, strictly increasing ids in a tight loop', () => {
    const gen = new SnowflakeGenerator(3, 7);
    const before = Date.now();
    const ids = new BigInt64Array(100_000);
    for (let i = 0; i < ids.length; i++) ids[i] = gen.next();
    let increasing = true;
    for (let i = 1; i < ids.length; i++) if (ids[i]! <= ids[i - 1]!) increasing = false;
    expect(increasing).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    // Faster than 4096 ids/ms the generator borrows from the next milliseconds, but never far ahead.
    const last = deconstructSnowflake(ids[ids.length - 1]!);
    expect(last.timestamp).toBeGreaterThanOrEqual(before);
    expect(last.timestamp).toBeLessThanOrEqual(Date.now() + Math.ceil(ids.length / 4096));
  });

  it('lays the fields out as Discord does: 42-bit time, 5-bit worker, 5-bit process, 12-bit increment', () => {
    const gen = new SnowflakeGenerator(31, 17);
    const before = Date.now();
    const id = gen.next();
    const parts = deconstructSnowflake(id);
    expect(parts.workerId).toBe(31);
    expect(parts.processId).toBe(17);
    expect(parts.increment).toBe(0);
    expect(parts.timestamp).toBeGreaterThanOrEqual(before);
    expect(parts.timestamp).toBeLessThanOrEqual(Date.now());
    expect(id >> 22n).toBe(BigInt(parts.timestamp) - DISCORD_EPOCH);
    expect(snowflakeTimestamp(id).getTime()).toBe(parts.timestamp);
    // A Discord-documented example: 175928847299117063 = 2016-04-30T11:18:25.796Z, worker 1, process 0, increment 7.
    expect(deconstructSnowflake('175928847299117063')).toEqual({ timestamp: 1462015105796, workerId: 1, processId: 0, increment: 7 });
    expect(snowflakeFromTimestamp(parts.timestamp)).toBe((id >> 22n) << 22n);
  });

  it('counts the increment within one millisecond and rolls over to the next millisecond after 4096', () => {
    vi.spyOn(Date, 'now').mockReturnValue(1_700_000_000_000);
    const gen = new SnowflakeGenerator(0, 0);
    const ids = Array.from({ length: 4097 }, () => gen.next());
    expect(deconstructSnowflake(ids[0]!)).toMatchObject({ timestamp: 1_700_000_000_000, increment: 0 });
    expect(deconstructSnowflake(ids[4095]!)).toMatchObject({ timestamp: 1_700_000_000_000, increment: 4095 });
    expect(deconstructSnowflake(ids[4096]!)).toMatchObject({ timestamp: 1_700_000_000_001, increment: 0 });
  });

  it('keeps increasing when the clock goes backwards', () => {
    const now = vi.spyOn(Date, 'now').mockReturnValue(1_700_000_000_500);
    const gen = new SnowflakeGenerator(0, 0);
    const a = gen.next();
    now.mockReturnValue(1_700_000_000_000);
    const b = gen.next();
    const c = gen.next();
    expect(b).toBeGreaterThan(a);
    expect(c).toBeGreaterThan(b);
  });

  it('two generators with different process ids never collide, even in the same millisecond', () => {
    vi.spyOn(Date, 'now').mockReturnValue(1_700_000_000_000);
    const p1 = new SnowflakeGenerator(0, 1);
    const p2 = new SnowflakeGenerator(0, 2);
    const all = new Set<bigint>();
    for (let i = 0; i < 20_000; i++) {
      all.add(p1.next());
      all.add(p2.next());
    }
    expect(all.size).toBe(40_000);
    const processes = new Set([...all].map((id) => deconstructSnowflake(id).processId));
    expect(processes).toEqual(new Set([1, 2]));
  });

  it('rejects worker or process ids outside 0-31', () => {
    expect(() => new SnowflakeGenerator(32, 0)).toThrow(RangeError);
    expect(() => new SnowflakeGenerator(0, -1)).toThrow(RangeError);
  });
});

describe('SnowflakeGenerator with a leased process id', () => {
  it('refuses to mint while the lease reports no id, and keeps ids increasing when the id changes', () => {
    vi.spyOn(Date, 'now').mockReturnValue(1_700_000_000_000);
    let processId: number | null = 9;
    const gen = new SnowflakeGenerator(0, () => processId);
    const a = gen.next();
    processId = null;
    expect(() => gen.next()).toThrow(SnowflakeUnavailableError);
    processId = 2;
    const b = gen.next();
    expect(deconstructSnowflake(b).processId).toBe(2);
    expect(b).toBeGreaterThan(a);
  });
});
