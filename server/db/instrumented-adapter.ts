// Wraps Prisma's pg driver adapter: times every statement (db_query_duration_seconds) and runs the
// statements of one transaction one after the other.
//
// Why the second: for a read with several relations (`include`), Prisma's query interpreter fetches
// the relations with Promise.all. Outside a transaction each query takes its own pool connection;
// inside one (Prisma opens one itself for such reads and for nested writes) they all go to the
// transaction's single pg client at once, which pg 8.19+ reports with a DeprecationWarning
// ("Calling client.query() when the client is already executing a query") and pg 9 will refuse.
// pg queued them anyway, so running them in turn here changes no timing that mattered and keeps
// the log free of that warning (prisma/prisma PR #29468 proposes the same in the adapter).
import type { PrismaPg } from '@prisma/adapter-pg';
import type { Metrics } from '../observability/metrics.js';

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

export function instrumentedAdapter(factory: PrismaPg, metrics: Metrics) {
  const timed = async <R>(kind: 'query' | 'execute', run: () => Promise<R>): Promise<R> => {
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

  function oneAtATime(tx: Transaction): Transaction {
    let tail: Promise<unknown> = Promise.resolve();
    const inTurn = <R>(run: () => Promise<R>): Promise<R> => {
      const result = tail.then(run);
      tail = result.catch(() => {});
      return result;
    };
    return withMethods(tx, {
      queryRaw: (q: Query) => inTurn(() => timed('query', () => tx.queryRaw(q))),
      executeRaw: (q: Query) => inTurn(() => timed('execute', () => tx.executeRaw(q))),
    });
  }

  return withMethods(factory, {
    connect: async () => {
      const adapter = await factory.connect();
      return withMethods(adapter, {
        queryRaw: (q: Query) => timed('query', () => adapter.queryRaw(q)),
        executeRaw: (q: Query) => timed('execute', () => adapter.executeRaw(q)),
        startTransaction: async (isolation?: Parameters<Adapter['startTransaction']>[0]) => oneAtATime(await adapter.startTransaction(isolation)),
      });
    },
  });
}
