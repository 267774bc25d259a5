import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSyncConfig } from './config.js';
import { keysetQuery, overlapQuery } from './engine.js';
import { SyncError, sourceError } from './errors.js';
import { standardConfig } from './standard-sources.js';
import { isoTimestamp } from './values.js';

describe('source config', () => {
  it('accepts the shipped config for two sources', () => {
    const config = parseSyncConfig(standardConfig('postgres://a@127.0.0.1/x', 'postgres://a@127.0.0.1/y'));
    expect(config.sources.map((s) => s.name)).toEqual(['main', 'archive']);
  });

  it('says what is wrong, where', () => {
    const bad = { sources: [{ name: 'main', url: 'mysql://x', tables: [{ name: 'tickets; drop', query: 'SELECT 1; DROP TABLE x', watermark: 'id', key: [] }] }] };
    const error = (() => {
      try {
        parseSyncConfig(bad, 'sources.json');
      } catch (e) {
        return e;
      }
    })() as SyncError;
    expect(error).toBeInstanceOf(SyncError);
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toMatch(/^sources.json is not valid/);
    for (const where of ['sources.0.url', 'sources.0.tables.0.name', 'sources.0.tables.0.query', 'sources.0.tables.0.key']) expect(error.message).toContain(where);
  });

  it('ships an example config file that is the standard config', () => {
    const file = join(import.meta.dirname, '../../../../scripts/reporting/sources.example.json');
    const example = parseSyncConfig(JSON.parse(readFileSync(file, 'utf8')), file);
    const [main, archive] = example.sources;
    expect(example).toEqual(standardConfig(main?.url ?? '', archive?.url));
  });

  it('takes an overlap as a number of ids or a PostgreSQL interval, and prune as a flag', () => {
    const with_ = (extra: object) => ({ sources: [{ name: 'main', url: 'postgres://a@h/x', tables: [{ name: 'tickets', query: 'SELECT 1', watermark: 'id', key: ['id'], ...extra }] }] });
    for (const overlap of [1000, '5 minutes', '1 hour 30 mins', '90 s', '00:05:00', '2 days']) expect(() => parseSyncConfig(with_({ overlap, prune: true }))).not.toThrow();
    for (const overlap of [0, -5, 1.5, '5', 'five minutes', "5 minutes'; DROP TABLE x; --"]) {
      expect(() => parseSyncConfig(with_({ overlap })), String(overlap)).toThrow(/sources\.0\.tables\.0\.overlap/);
    }
  });

  it('refuses two sources with the same name', () => {
    const one = standardConfig('postgres://a@127.0.0.1/x').sources[0];
    expect(() => parseSyncConfig({ sources: [one, one] })).toThrow(/unique/);
  });
});

describe('keyset pagination', () => {
  const table = { name: 'tickets', query: 'SELECT id, updated_at FROM tickets', watermark: 'updated_at', key: ['id'] };
  it('starts from the beginning, ordered by watermark then key', () => {
    expect(keysetQuery(table, null)).toEqual({ text: 'SELECT * FROM (SELECT id, updated_at FROM tickets) AS q  ORDER BY q."updated_at", q."id"', values: [] });
  });
  it('continues strictly after the last (watermark, key), so ties are neither skipped nor repeated', () => {
    const q = keysetQuery(table, ['2024-01-01T00:00:00.000000Z', 41]);
    expect(q.text).toContain('WHERE (q."updated_at", q."id") > ($1, $2)');
    expect(q.values).toEqual(['2024-01-01T00:00:00.000000Z', 41]);
  });
  it('does not repeat a key that is also the watermark', () => {
    expect(keysetQuery({ ...table, watermark: 'id' }, [7]).text).toContain('WHERE (q."id") > ($1)');
  });
});

describe('overlap', () => {
  const table = { name: 'tickets', query: 'SELECT id, updated_at FROM tickets', watermark: 'updated_at', key: ['id'], overlap: '5 minutes' };
  it('reads again from (watermark - overlap) up to and including the saved position, the bound a constant so the index serves it', () => {
    const q = overlapQuery(table, ['2024-01-01T00:00:00.000000Z', 41]);
    expect(q.text).toBe(
      'SELECT * FROM (SELECT id, updated_at FROM tickets) AS q WHERE q."updated_at" > $1::timestamptz - $2::interval AND (q."updated_at", q."id") <= ($3, $4) ORDER BY q."updated_at", q."id"',
    );
    expect(q.values).toEqual(['2024-01-01T00:00:00.000000Z', '5 minutes', '2024-01-01T00:00:00.000000Z', 41]);
    expect(overlapQuery({ ...table, watermark: 'id', overlap: 1000 }, [5000]).text).toContain('WHERE q."id" > $1::bigint - $2::bigint AND (q."id") <= ($3)');
    expect(overlapQuery({ ...table, watermark: 'id', overlap: 1000 }, [5000], String).text).toContain('WHERE q."id" > 5000::bigint - 1000::bigint AND (q."id") <= (5000)');
  });
  it('says when the overlap does not fit the watermark', () => {
    expect(() => overlapQuery({ ...table, overlap: 1000 }, ['2024-01-01T00:00:00.000000Z', 1])).toThrow(/must be an interval/);
    expect(() => overlapQuery({ ...table, watermark: 'id' }, [5])).toThrow(/must be a number of ids/);
    expect(() => overlapQuery({ ...table, watermark: 'name' }, ['bob'])).toThrow(/needs an integer or timestamp watermark/);
  });
});

describe('values', () => {
  it('turns PostgreSQL timestamps into fixed-width ISO UTC text that sorts as time does', () => {
    expect(isoTimestamp('2024-03-01 09:30:00+00')).toBe('2024-03-01T09:30:00.000000Z');
    expect(isoTimestamp('2024-03-01 09:30:00.12+00')).toBe('2024-03-01T09:30:00.120000Z');
    expect(isoTimestamp('2024-03-01 09:30:00.123456')).toBe('2024-03-01T09:30:00.123456Z');
    expect(isoTimestamp('2024-03-01 09:30:00.123+00')).toBe('2024-03-01T09:30:00.123000Z');
    expect(isoTimestamp('2024-03-01 09:30:00.1234+00')).toBe('2024-03-01T09:30:00.123400Z');
    expect(isoTimestamp('2024-03-01 09:30:00.123456+00')).toBe('2024-03-01T09:30:00.123456Z');
    expect(isoTimestamp('infinity')).toBe('infinity');
    const sorted = ['2024-03-01 09:30:00.5+00', '2024-03-01 09:30:00+00', '2024-03-01 09:30:00.05+00'].map(isoTimestamp).sort();
    expect(sorted).toEqual(['2024-03-01T09:30:00.000000Z', '2024-03-01T09:30:00.050000Z', '2024-03-01T09:30:00.500000Z']);
  });
});

describe('source errors', () => {
  it('names a terminated backend as a disconnect, with what to do next', () => {
    const error = sourceError(Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }), 'main', 'comments', 'read');
    expect(error).toMatchObject({ code: 'SOURCE_DISCONNECTED', where: { source: 'main', table: 'comments' } });
    expect(error.message).toMatch(/run the sync again/);
  });
  it('names a bad query as such', () => {
    expect(sourceError(Object.assign(new Error('column "x" does not exist'), { code: '42703' }), 'main', 'tickets', 'read').code).toBe('SOURCE_QUERY_FAILED');
  });
});
