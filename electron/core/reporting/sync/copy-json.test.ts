import { describe, expect, it } from 'vitest';
import { ColumnKind, CopyJsonEncoder, JsonRows, unescapeCopy } from './copy-json.js';
import { cacheTypes } from './values.js';

/** How PostgreSQL's COPY TO (text format) writes one text value. */
const copyText = (value: string) =>
  value.replace(/[\\\n\r\t\b\f\v]/g, (ch) => ({ '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f', '\v': '\\v' })[ch] ?? ch);

const OID = { INT8: 20, INT4: 23, FLOAT8: 701, NUMERIC: 1700, BOOL: 16, TIMESTAMPTZ: 1184, TIMESTAMP: 1114, TEXT: 25 };
const KIND: Record<number, ColumnKind> = {
  [OID.INT8]: ColumnKind.Integer,
  [OID.INT4]: ColumnKind.Integer,
  [OID.FLOAT8]: ColumnKind.Float,
  [OID.NUMERIC]: ColumnKind.Float,
  [OID.BOOL]: ColumnKind.Boolean,
  [OID.TIMESTAMPTZ]: ColumnKind.Timestamp,
  [OID.TIMESTAMP]: ColumnKind.Timestamp,
  [OID.TEXT]: ColumnKind.Text,
};

/** What the row-by-row path gives for the same lines: split, unescape, cacheTypes' parsers, JSON. */
function reference(lines: string[], oids: number[]): unknown[][] {
  const parsers = oids.map((oid) => cacheTypes.getTypeParser(oid, 'text') as (text: string) => unknown);
  const rows = lines.map((line) => line.split('\t').map((text, i) => (text === '\\N' ? null : (parsers[i] as (t: string) => unknown)(unescapeCopy(text)))));
  return JSON.parse(JSON.stringify(rows)) as unknown[][];
}

function encode(lines: string[], oids: number[], timeIndex = -1): { rows: unknown[][]; newest: string | null } {
  const encoder = new CopyJsonEncoder(oids.map((oid) => KIND[oid] ?? ColumnKind.Text), timeIndex, timeIndex >= 0 ? (cacheTypes.getTypeParser(oids[timeIndex] ?? 0, 'text') as (t: string) => unknown) : null);
  const input = Buffer.from(lines.map((l) => `${l}\n`).join(''), 'utf8');
  const out = new JsonRows(16); // tiny, so it has to grow
  let p = 0;
  while (p < input.length) p = encoder.encodeLine(input, p, input.length, out);
  return { rows: JSON.parse(Buffer.from(out.finish()).toString('utf8')) as unknown[][], newest: encoder.takeNewest() };
}

describe('COPY text to JSON', () => {
  const oids = [OID.INT8, OID.INT4, OID.FLOAT8, OID.NUMERIC, OID.BOOL, OID.TIMESTAMPTZ, OID.TIMESTAMP, OID.TEXT];

  it('gives the values the row-by-row parsers give, for every column type and awkward text', () => {
    const texts = ['plain', 'with "quotes"', 'back\\slash', 'tab\there', 'new\nline', 'cr\rlf', 'bell\u0007 and \u0001', 'vt\v ff\f bs\b', 'émoji 🎉 ünïcödé', '', '\\N as text', 'ends with \\'];
    const lines = texts.map((text, i) =>
      [
        String(9_007_199_254_740_000 + i),
        String(-i),
        ['1.5', 'NaN', 'Infinity', '-Infinity', '1e-07', '-0'][i % 6],
        ['0.5', '1.0', 'NaN', '12345678901234.5'][i % 4],
        i % 2 ? 't' : 'f',
        ['2024-03-01 09:30:00.123456+00', '2024-03-01 09:30:00+00', '2024-03-01 09:30:00.5+00', '2024-03-01 09:30:00.123+00', 'infinity', '-infinity'][i % 6],
        ['2024-03-01 09:30:00.123456', '2024-03-01 09:30:00', '2024-03-01 09:30:00.12'][i % 3],
        copyText(text),
      ].join('\t'),
    );
    lines.push(['\\N', '\\N', '\\N', '\\N', '\\N', '\\N', '\\N', '\\N'].join('\t'));
    expect(encode(lines, oids).rows).toEqual(reference(lines, oids));
    // The text survives exactly.
    expect(encode(lines, oids).rows.slice(0, texts.length).map((r) => r[7])).toEqual(texts);
  });

  it('keeps integers beyond 2^53 exact (SQLite reads them as 64-bit integers)', () => {
    const { rows } = encode(['9223372036854775807'], [OID.INT8]);
    expect(rows).toHaveLength(1);
    const json = (() => {
      const out = new JsonRows();
      new CopyJsonEncoder([ColumnKind.Integer], -1).encodeLine(Buffer.from('9223372036854775807\n'), 0, 20, out);
      return Buffer.from(out.finish()).toString();
    })();
    expect(json).toBe('[[9223372036854775807]]');
  });

  it('tracks the greatest time-column value, as ISO text', () => {
    const lines = ['1\t2024-03-01 09:30:00.5+00', '2\t2024-03-01 09:30:00.51+00', '3\t2024-03-01 09:30:00+00', '4\t\\N'];
    expect(encode(lines, [OID.INT8, OID.TIMESTAMPTZ], 1).newest).toBe('2024-03-01T09:30:00.510000Z');
    // A shape the fast path does not take still counts.
    expect(encode([...lines, '5\tinfinity'], [OID.INT8, OID.TIMESTAMPTZ], 1).newest).toBe('infinity');
    // A time column that is text (a date, say) is compared as text.
    expect(encode(['1\t2024-03-02', '2\t2024-03-10', '3\t2024-03-09'], [OID.INT8, OID.TEXT], 1).newest).toBe('2024-03-10');
  });

  it('fills missing trailing fields with null', () => {
    expect(encode(['1'], [OID.INT8, OID.TEXT]).rows).toEqual([[1, null]]);
  });
});
