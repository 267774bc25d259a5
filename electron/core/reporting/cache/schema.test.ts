import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CacheTable } from '../../../../shared/contract/reporting.js';
import { tempDir } from '../../testing/temp-dir.js';
import { openReadableCache, openWritableCache, type ReadableCache } from './database.js';
import { BOOKKEEPING_TABLES, readCacheSchema } from './schema.js';

const dir = tempDir('backline-cache-schema-');
let db: ReadableCache;
let tables: CacheTable[];
const table = (name: string) => tables.find((t) => t.name === name);

beforeAll(() => {
  const file = join(dir.path, 'reporting.sqlite');
  const w = openWritableCache(file);
  // Not made by a migration, but a cache may hold one; a report reads it like a table.
  w.exec('CREATE VIEW open_tickets AS SELECT id, customer FROM tickets');
  w.close();
  db = openReadableCache(file);
  tables = readCacheSchema(db);
});

afterAll(() => {
  db.close();
  dir.remove();
});

describe('readCacheSchema', () => {
  it('lists every table and view by name, none of SQLite\'s own', () => {
    const names = tables.map((t) => t.name);
    expect(names).toEqual([...names].sort());
    expect(names).toEqual(expect.arrayContaining(['comments', 'team_names', 'techs', 'tech_teams', 'tickets', 'ticket_spans', 'ticket_status_events', 'ssl_certificates', 'ssl_tracking', 'open_tickets']));
    expect(names.filter((n) => n.startsWith('sqlite_'))).toEqual([]);
    expect(table('open_tickets')).toMatchObject({ kind: 'view', indexes: [], columns: [{ name: 'id' }, { name: 'customer' }] });
  });

  it('gives columns in declared order with their types, primary keys and NOT NULL', () => {
    expect(table('comments')?.columns).toEqual([
      { name: 'id', type: 'INTEGER', notNull: false, primaryKey: true, generated: false },
      { name: 'ticket_id', type: 'INTEGER', notNull: true, primaryKey: false, generated: false },
      { name: 'tech_id', type: 'INTEGER', notNull: true, primaryKey: false, generated: false },
      { name: 'at', type: 'TEXT', notNull: true, primaryKey: false, generated: false },
      { name: 'points', type: 'REAL', notNull: true, primaryKey: false, generated: false },
      { name: 'body', type: 'TEXT', notNull: true, primaryKey: false, generated: false },
    ]);
    // A generated column is one a report can name.
    expect(table('ticket_spans')?.columns.find((c) => c.name === 'long_lived')).toMatchObject({ type: 'INTEGER', generated: true });
    expect(table('ticket_status_events')?.columns.filter((c) => c.primaryKey).map((c) => c.name)).toEqual(['origin', 'id']);
  });

  it('lists indexes by their columns in order, leaving out SQLite\'s automatic ones', () => {
    expect(table('comments')?.indexes).toEqual([{ name: 'comments_by_tech', columns: ['tech_id', 'at', 'ticket_id', 'points'] }]);
    expect(table('team_names')?.indexes.map((i) => i.name)).toEqual(['team_names_by_name', 'team_names_by_team']);
    expect(tables.flatMap((t) => t.indexes).filter((i) => i.name.startsWith('sqlite_'))).toEqual([]);
  });

  it('marks the sync\'s own tables as bookkeeping, and only those', () => {
    expect(tables.filter((t) => t.bookkeeping).map((t) => t.name).sort()).toEqual([...BOOKKEEPING_TABLES].sort());
  });
});
