import Database from 'better-sqlite3';

/**
 * Time this thread spends inside better-sqlite3 transactions (synchronous: the event loop waits),
 * for benchmarks that show where a run's time goes. Importing this module starts counting. Only
 * outermost transactions count (each is one durable commit); a nested one is a savepoint inside
 * its parent (the workspace's group commit runs each change in one), whose time its parent holds.
 */
export const sqlite = { ms: 0, commits: 0 };

type Transaction = (...args: unknown[]) => unknown;
const proto = Database.prototype as unknown as { transaction: (this: { inTransaction: boolean }, fn: Transaction) => Transaction };
const original = proto.transaction;
proto.transaction = function (this: { inTransaction: boolean }, fn: Transaction): Transaction {
  const run = original.call(this, fn);
  return (...args: unknown[]) => {
    if (this.inTransaction) return run(...args);
    const start = performance.now();
    try {
      return run(...args);
    } finally {
      sqlite.ms += performance.now() - start;
      sqlite.commits++;
    }
  };
};

/** Runs `work`, returning its time and the SQLite transaction time and commits within it. */
export async function timedSqlite(work: () => Promise<unknown>): Promise<{ ms: number; sqliteMs: number; commits: number }> {
  const before = { ...sqlite };
  const start = performance.now();
  await work();
  return { ms: performance.now() - start, sqliteMs: sqlite.ms - before.ms, commits: sqlite.commits - before.commits };
}
