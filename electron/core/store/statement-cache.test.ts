import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openWorkspaceDb } from './database.js';
import { cachePreparedStatements } from './statement-cache.js';

const open: Database.Database[] = [];
afterEach(() => open.splice(0).forEach((db) => db.close()));

/** A database with a few numbered rows, its prepare cached (up to `limit` statements). */
function numbers(limit?: number): Database.Database {
  const db = cachePreparedStatements(new Database(':memory:'), limit);
  open.push(db);
  db.exec('CREATE TABLE n (i INTEGER PRIMARY KEY, word TEXT NOT NULL)');
  const insert = db.prepare('INSERT INTO n (i, word) VALUES (?, ?)');
  ['one', 'two', 'three'].forEach((word, index) => insert.run(index + 1, word));
  return db;
}

describe('cachePreparedStatements', () => {
  it('hands out the statement already prepared for the same SQL, and a new one for other SQL', () => {
    const db = numbers();
    const first = db.prepare('SELECT word FROM n WHERE i = ?');
    expect(db.prepare('SELECT word FROM n WHERE i = ?')).toBe(first);
    expect(db.prepare('SELECT i FROM n WHERE word = ?')).not.toBe(first);
    expect(first.get(2)).toEqual({ word: 'two' });
  });

  it('hands a cached statement out as new: pluck, raw, expand and safeIntegers set by an earlier caller do not carry over', () => {
    const db = numbers();
    const sql = 'SELECT i, word FROM n WHERE i = ?';
    expect(db.prepare(sql).pluck().get(1)).toBe(1);
    expect(db.prepare(sql).get(1)).toEqual({ i: 1, word: 'one' });
    expect(db.prepare(sql).raw().get(1)).toEqual([1, 'one']);
    expect(db.prepare(sql).get(1)).toEqual({ i: 1, word: 'one' });
    expect(db.prepare(sql).expand().get(1)).toEqual({ n: { i: 1, word: 'one' } });
    expect(db.prepare(sql).get(1)).toEqual({ i: 1, word: 'one' });
    expect(db.prepare(sql).safeIntegers().get(1)).toEqual({ i: 1n, word: 'one' });
    expect(db.prepare(sql).get(1)).toEqual({ i: 1, word: 'one' });
  });

  it('gives a nested prepare of SQL whose statement is still iterating a statement of its own', () => {
    const db = numbers();
    const sql = 'SELECT word FROM n WHERE i >= ? ORDER BY i';
    const seen: string[] = [];
    for (const row of db.prepare(sql).iterate(2) as IterableIterator<{ word: string }>) {
      // better-sqlite3 refuses to run a statement that is busy iterating: this must be another one.
      seen.push(`${row.word}:${db.prepare(sql).all(1).length}`);
    }
    expect(seen).toEqual(['two:3', 'three:3']);
  });

  it('keeps at most `limit` statements, dropping the least recently used', () => {
    const db = numbers(2);
    const a = db.prepare('SELECT 1');
    const b = db.prepare('SELECT 2');
    expect(db.prepare('SELECT 1')).toBe(a); // now the most recent: 'SELECT 2' is the oldest
    db.prepare('SELECT 3');
    expect(db.prepare('SELECT 1')).toBe(a);
    expect(db.prepare('SELECT 2')).not.toBe(b);
  });

  it('is what the workspace database prepares through, and its statements still see schema changes', () => {
    const db = openWorkspaceDb(':memory:');
    open.push(db);
    const count = db.prepare('SELECT count(*) AS n FROM tickets');
    expect(db.prepare('SELECT count(*) AS n FROM tickets')).toBe(count);
    db.exec('ALTER TABLE tickets ADD COLUMN extra TEXT');
    expect(db.prepare('SELECT count(*) AS n FROM tickets').get()).toEqual({ n: 0 });
  });
});
