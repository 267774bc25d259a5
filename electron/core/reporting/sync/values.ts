import pg from 'pg';

/**
 * How source values arrive in the cache: timestamps as fixed-width ISO 8601 UTC text with
 * microseconds (exact, sortable as text, readable by SQLite's date functions, and valid input when
 * sent back to PostgreSQL as a watermark); bigint and numeric as numbers; booleans as 0/1.
 * Sessions run with TimeZone=UTC so timestamptz text always ends in "+00".
 */
const TIMESTAMP = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)(?:\.(\d{1,6}))?(?:\+00)?$/;

export function isoTimestamp(text: string): string {
  // The common shapes, microseconds present: "2024-03-01 09:30:00.123456+00" (timestamptz) and without "+00".
  const n = text.length;
  if ((n === 29 ? text.endsWith('+00') : n === 26 && !text.includes('+')) && text.charCodeAt(10) === 32 && text.charCodeAt(19) === 46) {
    return `${text.slice(0, 10)}T${text.slice(11, 26)}Z`;
  }
  const m = TIMESTAMP.exec(text);
  if (!m) return text; // infinity, BC dates: passed through as PostgreSQL wrote them
  return `${m[1]}T${m[2]}.${(m[3] ?? '').padEnd(6, '0')}Z`;
}

function safeInteger(text: string): number | string {
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : text;
}

const OIDS = pg.types.builtins;
const parsers = new Map<number, (text: string) => unknown>([
  [OIDS.TIMESTAMPTZ, isoTimestamp],
  [OIDS.TIMESTAMP, isoTimestamp],
  [OIDS.INT8, safeInteger],
  [OIDS.NUMERIC, (text) => Number(text)],
  [OIDS.BOOL, (text) => (text === 't' ? 1 : 0)],
]);

const NUMBERS = new Set<number>([OIDS.INT4, OIDS.INT2, OIDS.FLOAT4, OIDS.FLOAT8, OIDS.OID]);

/** Per-client type parsers; everything not listed stays as PostgreSQL's text (JSON as its text, dates as YYYY-MM-DD). */
export const cacheTypes: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    const parser = parsers.get(oid);
    if (parser && format !== 'binary') return parser;
    if (NUMBERS.has(oid)) return Number;
    return (text: string) => text;
  }) as pg.CustomTypesConfig['getTypeParser'],
};
