import type { Db } from '../store/database.js';

/**
 * Counts the durable commits made on `db` from now on: its outermost transactions (a nested one is a
 * savepoint inside its parent, as the workspace's group commit runs each change).
 */
export function countCommits(db: Db): { count: number } {
  const counted = { count: 0 };
  const transaction = db.transaction.bind(db);
  db.transaction = ((fn: (...args: unknown[]) => unknown) => {
    const run = transaction(fn);
    return (...args: unknown[]) => {
      const outermost = !db.inTransaction;
      const result = run(...args);
      if (outermost) counted.count++;
      return result;
    };
  }) as typeof db.transaction;
  return counted;
}
