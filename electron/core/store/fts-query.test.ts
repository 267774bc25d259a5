import { describe, expect, it } from 'vitest';
import { toFtsQuery } from './fts-query.js';

describe('toFtsQuery', () => {
  it('quotes every word and lets the last be a prefix', () => {
    expect(toFtsQuery('oom killer')).toBe('"oom" "killer"*');
  });

  it('searches FTS5 operators and quotes literally instead of interpreting them', () => {
    expect(toFtsQuery('body:"x" OR NEAR(a b)')).toBe('"body" "x" "OR" "NEAR" "a" "b"*');
  });

  it('keeps non-ASCII words whole', () => {
    expect(toFtsQuery('Größe überschritten')).toBe('"Größe" "überschritten"*');
  });

  it('returns null when nothing searchable is left', () => {
    expect(toFtsQuery('  -- ** ')).toBeNull();
  });
});
