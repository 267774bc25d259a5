import { describe, expect, it } from 'vitest';
import { ariaSort, compareCells, sortValue } from './sortCells.js';

describe('compareCells', () => {
  it('orders numbers by value, before any text', () => {
    expect([10, 'b', 2, -1.5, 'a'].sort(compareCells)).toEqual([-1.5, 2, 10, 'a', 'b']);
  });

  it('orders text as people read it: numbers inside by value, case aside, and still totally', () => {
    expect(['tech10', 'tech9', 'Tech1', 'tech1'].sort(compareCells)).toEqual(['Tech1', 'tech1', 'tech9', 'tech10']);
    expect(compareCells('a', 'a')).toBe(0);
    expect(compareCells('2024-01-10', '2024-01-09')).toBeGreaterThan(0);
  });
});

describe('sortValue', () => {
  it('turns NULL into undefined, which the table keeps last whichever the direction', () => {
    expect([sortValue(null), sortValue(0), sortValue(''), sortValue('x')]).toEqual([undefined, 0, '', 'x']);
  });
});

describe('ariaSort', () => {
  it('says the direction a header is sorted in', () => {
    expect([ariaSort('asc'), ariaSort('desc'), ariaSort(false)]).toEqual(['ascending', 'descending', 'none']);
  });
});
