// Building blocks for the fuzz tests: hostile strings and ids, values of every JSON type, and the
// run count (FUZZ_RUNS scales every surface; the default keeps each one within about a minute).
import fc from 'fast-check';

/** Generated cases per surface: at least 10,000 unless FUZZ_RUNS says otherwise. */
export function fuzzCases(defaultCases = 10_000): number {
  const n = Number(process.env.FUZZ_RUNS);
  return Number.isInteger(n) && n > 0 ? n : defaultCases;
}

/** fast-check options: FUZZ_SEED replays a failure (the seed is printed in every failure message). */
export function fuzzParams(numRuns: number): fc.Parameters<unknown> {
  const seed = Number(process.env.FUZZ_SEED);
  return { numRuns, ...(Number.isInteger(seed) ? { seed } : {}), endOnFailure: true };
}

/**
 * Sends `cases` generated cases in concurrent batches of `batchSize`; each answer is tracked (what a
 * successful one wrote) before it is checked. Returns how many were sent and the count of each HTTP status.
 */
export async function fuzzInBatches<C, R extends { res: { status: number } }>(opts: {
  cases: number;
  batchSize: number;
  arb: fc.Arbitrary<C>;
  send: (c: C) => Promise<R>;
  track: (r: R) => void;
  check: (r: R) => void;
}): Promise<{ sent: number; statuses: Record<number, number> }> {
  let batches = 0;
  const statuses: Record<number, number> = {};
  await fc.assert(
    fc.asyncProperty(fc.array(opts.arb, { minLength: opts.batchSize, maxLength: opts.batchSize }), async (cases) => {
      const results = await Promise.all(cases.map(opts.send));
      for (const r of results) {
        statuses[r.res.status] = (statuses[r.res.status] ?? 0) + 1;
        opts.track(r);
        opts.check(r);
      }
      batches++;
    }),
    fuzzParams(Math.ceil(opts.cases / opts.batchSize)),
  );
  return { sent: batches * opts.batchSize, statuses };
}

/** Unicode that breaks naive code: lone surrogates, zero-width and direction marks, 4-byte emoji, NUL, combining marks. */
export const unicodeEdge = fc.constantFrom(
  '\uD800',
  '\uDFFF',
  'a\uDC00b',
  '\u200B',
  '\u200D',
  '\uFEFF',
  '\u202E',
  '\u200F',
  '\u0000',
  '😀',
  '👩‍👩‍👧‍👦',
  '𝕏',
  'e\u0301',
  '\u0085',
  '\u2028',
  '\\',
  '"',
  '%00',
  '../',
);

/** Strings: short ASCII, any code point, the edge cases above mixed in, and very long ones. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 3, arbitrary: fc.array(fc.oneof(unicodeEdge, fc.string({ maxLength: 4 })), { maxLength: 8 }).map((a) => a.join('')) },
  { weight: 1, arbitrary: fc.tuple(fc.oneof(unicodeEdge, fc.constant('x')), fc.constantFrom(33, 101, 2001, 4097, 70_000)).map(([s, n]) => s.repeat(n)) },
  { weight: 1, arbitrary: fc.constantFrom('', ' ', '\t\n', 'null', 'undefined', 'true', '0', '-1', 'NaN', '[object Object]', '__proto__', 'constructor') },
);

/** Snowflake-shaped and anything-but-snowflake ids, for paths and bodies. */
export const hostileId: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('0', '-1', '1', '00012', '9223372036854775807', '9223372036854775808', '18446744073709551616', '99999999999999999999999', '1e10', '0x1f', '1.5', ' 1', '@me', 'null', '%F0%9F%98%80', '%ZZ', '..', '__proto__', 'constructor'),
  fc.bigInt({ min: -(1n << 70n), max: 1n << 70n }).map(String),
  fc.nat().map(String),
  hostileString,
);

/** Objects whose keys try prototype pollution. */
export const pollutingObject: fc.Arbitrary<unknown> = fc.constantFrom('__proto__', 'constructor', 'prototype').chain((key) =>
  fc.constantFrom<unknown>(
    JSON.parse(`{"${key}": {"polluted": "yes", "isAdmin": true, "permissions": "8"}}`),
    JSON.parse(`{"${key}": {"prototype": {"polluted": "yes"}}}`),
    JSON.parse(`{"${key}": "x"}`),
  ),
);

/** A value of any JSON type, including hostile strings and numbers JSON cannot carry exactly. */
export const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 2, arbitrary: fc.constantFrom(null, true, false, 0, -1, 1, 1.5, -0.5, 2 ** 53, -(2 ** 63), 1e300, -1e300, 4294967296) },
  { weight: 2, arbitrary: fc.integer() },
  { weight: 3, arbitrary: hostileString },
  { weight: 2, arbitrary: hostileId },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
  { weight: 1, arbitrary: pollutingObject },
);

/**
 * A mutation of a well-formed object: one field replaced by a value of another type, removed,
 * or a polluting key added.
 */
export function mutated(base: Record<string, unknown>): fc.Arbitrary<Record<string, unknown>> {
  const keys = Object.keys(base);
  return fc.oneof(
    { weight: 6, arbitrary: fc.tuple(fc.constantFrom(...keys), anyValue).map(([k, v]) => ({ ...base, [k]: v })) },
    { weight: 1, arbitrary: fc.constantFrom(...keys).map((k) => Object.fromEntries(Object.entries(base).filter(([key]) => key !== k))) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom('__proto__', 'constructor'), anyValue).map(([k, v]) => ({ ...JSON.parse(`{"${k}": ${JSON.stringify(v ?? null)}}`), ...base })) },
    { weight: 1, arbitrary: fc.constant(base) },
  );
}

/** True when no fuzz case polluted Object.prototype of this process (in-process servers share it). */
export function prototypeIsClean(): boolean {
  const probe: Record<string, unknown> = {};
  return probe.polluted === undefined && probe.isAdmin === undefined && probe.permissions === undefined;
}

/** The error and fatal lines of a server's JSON log (pino levels 50 and 60). */
export function errorLogLines(output: string): string[] {
  return output.split('\n').filter((line) => /"level":(5|6)0\b/.test(line));
}
