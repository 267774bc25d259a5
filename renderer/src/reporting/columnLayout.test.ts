import { describe, expect, it } from 'vitest';
import { cellText, columnLayout } from './columnLayout.js';

describe('columnLayout', () => {
  it('right-aligns columns holding only numbers (NULLs aside)', () => {
    const layout = columnLayout(['id', 'domain', 'points'], [
      [1, 'example.com', 0.5],
      [2, 'b.test', null],
    ]);
    expect(layout.map((c) => c.numeric)).toEqual([true, false, true]);
  });

  it('does not call an all-NULL column numeric', () => {
    expect(columnLayout(['x'], [[null]])[0]?.numeric).toBe(false);
  });

  it('sizes by the longest of header and values, within bounds', () => {
    const [narrow, wide, huge] = columnLayout(['a', 'subject', 'body'], [['x', 'a fairly long subject line', 'y'.repeat(5000)]]);
    expect(narrow?.width).toBe(64);
    expect(wide!.width).toBeGreaterThan(narrow!.width);
    expect(huge?.width).toBe(420);
  });

  it('looks at the last row, where ids are longest', () => {
    const rows = Array.from({ length: 100_001 }, (_, i) => [i]);
    const [id] = columnLayout(['id'], rows);
    expect(id!.width).toBeGreaterThanOrEqual(6 * 8 + 24);
  });

  it('measures only the first line of multi-line text', () => {
    const [one] = columnLayout(['c'], [['short\n' + 'long line '.repeat(20)]]);
    expect(one?.width).toBe(64);
  });
});

describe('cellText', () => {
  it('shows NULL as the word, numbers as written', () => {
    expect(cellText(null)).toBe('NULL');
    expect(cellText(0.5)).toBe('0.5');
    expect(cellText('x')).toBe('x');
  });
});
