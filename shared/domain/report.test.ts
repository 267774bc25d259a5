import { describe, expect, it } from 'vitest';
import { idFromFileName, reportResultSchema } from './report.js';

describe('a report result crossing the contract', () => {
  const result = (rows: unknown) => reportResultSchema.safeParse({ columns: ['a', 'b'], rows, truncated: false, ms: 1 }).success;

  it('accepts rows of text, finite numbers and nulls', () => {
    expect(result([['x', 1], [null, 2.5], []])).toBe(true);
    expect(result([])).toBe(true);
  });

  it('refuses anything else in a cell, or rows that are not arrays', () => {
    expect(result([['x', Number.NaN]])).toBe(false);
    expect(result([['x', Infinity]])).toBe(false);
    expect(result([['x', { y: 1 }]])).toBe(false);
    expect(result([['x', true]])).toBe(false);
    expect(result([['x', 1n]])).toBe(false);
    expect(result(['x'])).toBe(false);
    expect(result({ 0: ['x'] })).toBe(false);
  });
});

describe('the id a shared report file gives', () => {
  it('is its name, lowercased and hyphenated, whatever the folder', () => {
    expect(idFromFileName('SSL Lookup (team).sql')).toBe('ssl-lookup-team');
    expect(idFromFileName('C:\\Users\\me\\queue-at.SQL')).toBe('queue-at');
    expect(idFromFileName('/tmp/x/tech_reflection.sql')).toBe('tech-reflection');
    expect(idFromFileName('---.sql')).toBe('');
  });
});
