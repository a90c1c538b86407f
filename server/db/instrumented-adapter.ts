// Wraps Prisma's pg driver adapter: times every statement (db_query_duration_seconds), traces it
// when tracing is on (a span per statement with its parameterized SQL, never its arguments) and runs
// the statements of one transaction one after the other.
//
// Why the second: for a read with several relations (`include`), Prisma's query interpreter fetches
// the relations with Promise.all. Outside a transaction each query takes its own pool connection;
// inside one (Prisma opens one itself for such reads and for nested writes) they all go to the
// transaction's single pg client at once, which pg 8.19+ reports with a DeprecationWarning
// ("Calling client.query() when the client is already executing a query") and pg 9 will refuse.
// pg queued them anyway, so running them in turn here changes no timing that mattered and keeps
// the log free of that warning (prisma/prisma PR #29468 proposes the same in the adapter).
import type { PrismaPg } from '@prisma/adapter-pg';
import { SpanKind } from '@opentelemetry/api';
import type { Metrics } from '../observability/metrics.js';
import { inSpan, type Tracing } from '../observability/tracing.js';

type Adapter = Awaited<ReturnType<PrismaPg['connect']>>;
type Transaction = Awaited<ReturnType<Adapter['startTransaction']>>;
type Query = Parameters<Adapter['queryRaw']>[0];

/** `target` with some methods replaced; every other property read from target (methods bound to it). */
function withMethods<T extends object>(target: T, methods: Partial<T>): T {
  return new Proxy(target, {
    get(t, prop) {
      if (Object.hasOwn(methods, prop)) return methods[prop as keyof T];
      const value: unknown = Reflect.get(t, prop, t);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(t) : value;
    },
  });
}

/** bounds the SQL text put on a span (Prisma's statements with long IN lists can be large) */
const MAX_TRACED_SQL_CHARS = 2000;

export function instrumentedAdapter(factory: PrismaPg, metrics: Metrics, tracing?: Tracing) {
  const measured = async <R>(kind: 'query' | 'execute', run: () => Promise<R>): Promise<R> => {
    const end = metrics.dbQueries.startTimer({ kind });
    try {
      const result = await run();
      end({ outcome: 'ok' });
      return result;
    } catch (err) {
      end({ outcome: 'error' });
      throw err;
    }
  };
  const timed = <R>(kind: 'query' | 'execute', q: Query, run: () => Promise<R>): Promise<R> => {
    if (!tracing) return measured(kind, run);
    const operation = /^\s*(\w+)/.exec(q.sql)?.[1]?.toUpperCase() ?? 'SQL';
    const attributes = { 'db.system.name': 'postgresql', 'db.operation.name': operation, 'db.query.text': q.sql.slice(0, MAX_TRACED_SQL_CHARS) };
    return inSpan(tracing, operation, { kind: SpanKind.CLIENT, attributes }, () => measured(kind, run));
  };

  function oneAtATime(tx: Transaction): Transaction {
    let tail: Promise<unknown> = Promise.resolve();
    const inTurn = <R>(run: () => Promise<R>): Promise<R> => {
      const result = tail.then(run);
      tail = result.catch(() => {});
      return result;
    };
    return withMethods(tx, {
      queryRaw: (q: Query) => inTurn(() => timed('query', q, () => tx.queryRaw(q))),
      executeRaw: (q: Query) => inTurn(() => timed('execute', q, () => tx.executeRaw(q))),
    });
  }

  return withMethods(factory, {
    connect: async () => {
      const adapter = await factory.connect();
      return withMethods(adapter, {
        queryRaw: (q: Query) => timed('query', q, () => adapter.queryRaw(q)),
        executeRaw: (q: Query) => timed('execute', q, () => adapter.executeRaw(q)),
        startTransaction: async (isolation?: Parameters<Adapter['startTransaction']>[0]) => oneAtATime(await adapter.startTransaction(isolation)),
      });
    },
  });
}
