import type Database from 'better-sqlite3';

/** How many distinct statements stay prepared: the workspace's repositories use about 130. */
export const STATEMENT_CACHE_SIZE = 512;

/**
 * Makes `db.prepare` return the statement already prepared for the same SQL. better-sqlite3 compiles
 * SQL afresh on every `prepare`, and the repositories prepare where they run. In a tight loop that
 * costs a few microseconds, but a command's writes run once every few milliseconds, after the
 * thread has waited on the network, and there the 15 or so prepares of a warm one-server command
 * took about 0.3 ms: a sixth of what Backline adds to the SSH round trip.
 *
 * A cached statement is handed out as new: its result modes (pluck, raw, expand, safeIntegers) go back
 * to better-sqlite3's defaults, which the workspace database keeps; one still busy (an `iterate` in
 * progress) is not reused, so a nested prepare of the same SQL gets a statement of its own. The least
 * recently used are dropped past `limit`, so SQL built with a varying number of placeholders cannot
 * grow the cache without bound. `bind()` fixes a statement's parameters for good: never call it on a
 * statement from this cache.
 */
export function cachePreparedStatements(db: Database.Database, limit = STATEMENT_CACHE_SIZE): Database.Database {
  const prepare = db.prepare.bind(db) as (source: string) => Database.Statement;
  const cache = new Map<string, Database.Statement>();
  const cached = (source: string): Database.Statement => {
    const statement = cache.get(source);
    if (statement && !statement.busy) {
      // Most recently used last, so the first key is the one to drop.
      cache.delete(source);
      cache.set(source, statement);
      if (statement.reader) statement.pluck(false).raw(false).expand(false);
      return statement.safeIntegers(false);
    }
    const fresh = prepare(source);
    cache.delete(source);
    cache.set(source, fresh);
    if (cache.size > limit) cache.delete(cache.keys().next().value!);
    return fresh;
  };
  db.prepare = cached as Database.Database['prepare'];
  return db;
}
