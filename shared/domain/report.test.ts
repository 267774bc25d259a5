import { describe, expect, it } from 'vitest';
import { cutCellNote, idFromFileName, reportResultSchema } from './report.js';
import { formatSize } from './size.js';

describe('a report result crossing the contract', () => {
  const limits = { maxRows: 10, maxBytes: 1024, maxCellBytes: 64 };
  const result = (rows: unknown) => reportResultSchema.safeParse({ columns: ['a', 'b'], rows, truncated: false, cutBy: null, bytes: 0, cellsCut: 0, limits, ms: 1 }).success;

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

describe('sizes in results', () => {
  it('reads as bytes, KiB, MiB or GiB', () => {
    expect(formatSize(999)).toBe('999 bytes');
    expect(formatSize(256 * 1024)).toBe('256.0 KiB');
    expect(formatSize(40 * 1024 * 1024)).toBe('40.0 MiB');
    expect(formatSize(3 * 1024 ** 3)).toBe('3.0 GiB');
    expect(cutCellNote('blob', 40 * 1024 * 1024)).toBe(' … [cut by Backline: 40.0 MiB blob]');
    expect(cutCellNote('text', 1536)).toBe(' … [cut by Backline: 1.5 KiB of text]');
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
