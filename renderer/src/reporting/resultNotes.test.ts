import { describe, expect, it } from 'vitest';
import { resultNotes } from './resultNotes.js';

const limits = { maxRows: 200_000, maxBytes: 64 * 1024 * 1024, maxCellBytes: 256 * 1024 };
const rows = (n: number) => Array.from({ length: n }, (_, i) => [i]);

describe('resultNotes', () => {
  it('says nothing about a result that is all there', () => {
    expect(resultNotes({ rows: rows(3), cutBy: null, bytes: 24, cellsCut: 0, limits })).toEqual([]);
  });

  it('says a result was cut at the row limit', () => {
    expect(resultNotes({ rows: rows(1200), cutBy: 'rows', bytes: 9600, cellsCut: 0, limits })).toEqual([
      { title: 'Truncated', text: 'The result had more rows than the 1,200 rows shown (and exported). Narrow it down with the parameters or a WHERE clause.' },
    ]);
  });

  it('says a result was too large, what was kept, and what to do', () => {
    const [note, ...rest] = resultNotes({ rows: rows(335), cutBy: 'bytes', bytes: 67_002_680, cellsCut: 0, limits });
    expect(rest).toEqual([]);
    expect(note?.title).toBe('Result too large');
    expect(note?.text).toBe(
      'Backline keeps at most 64.0 MiB of a result: the first 335 rows (63.9 MiB) are shown and exported, the rest was not read. ' +
        'Select fewer or shorter columns (substr(), length()), or narrow it down with the parameters or a WHERE clause.',
    );
  });

  it('counts the values cut to their first part, beside a cut result', () => {
    const notes = resultNotes({ rows: rows(1), cutBy: 'bytes', bytes: 270_000, cellsCut: 1, limits });
    expect(notes.map((n) => n.title)).toEqual(['Result too large', 'A value cut']);
    expect(notes[1]?.text).toMatch(/^1 value is longer than 256\.0 KiB: each shows its first part.*substr\(column, start, length\)/);
    expect(resultNotes({ rows: rows(4), cutBy: null, bytes: 1_000_000, cellsCut: 8, limits })[0]?.text).toMatch(/^8 values are longer than/);
  });
});
