import pg from 'pg';
import { cacheTypes } from '../sync/values.js';

/** The test server of scripts/reporting/postgres.sh (or BACKLINE_PG_URL). */
export const TEST_PG_URL = process.env.BACKLINE_PG_URL ?? 'postgres://postgres@127.0.0.1:55432/postgres';

/**
 * A fresh, empty database on the test server, for one test file. Fails loudly (never skips) when
 * the server is not up, saying how to start it.
 */
export async function freshDatabase(prefix: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const admin = new pg.Client({ connectionString: TEST_PG_URL, connectionTimeoutMillis: 3000 });
  try {
    await admin.connect();
  } catch (error) {
    throw new Error(
      `The reporting tests need the PostgreSQL test server at ${TEST_PG_URL}, which did not answer ` +
        `(${error instanceof Error ? error.message : String(error)}). Start it with: bash scripts/reporting/postgres.sh up`,
    );
  }
  const name = `${prefix}_${process.pid}_${Math.floor(Math.random() * 1e9)}`;
  await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(name)}`);
  await admin.end();
  const url = Object.assign(new URL(TEST_PG_URL), { pathname: `/${name}` }).toString();
  return {
    url,
    drop: async () => {
      const client = new pg.Client({ connectionString: TEST_PG_URL });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(name)} WITH (FORCE)`);
      await client.end();
    },
  };
}

/** One connection to a source database, read as the sync reads it (same types, UTC), for the length of `fn`. */
export async function withSourceClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, types: cacheTypes, options: '-c TimeZone=UTC' });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}
