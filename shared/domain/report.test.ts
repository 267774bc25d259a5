import { describe, expect, it } from 'vitest';
import { reportResultSchema } from './report.js';

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
