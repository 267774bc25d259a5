import { describe, expect, it } from 'vitest';
import { clampSplit, parseSplit, SPLIT_DEFAULT, SPLIT_MAX, SPLIT_MIN, splitAt, splitByKey } from './split.js';

describe('the split between the SQL and its result', () => {
  it('never lets either side be dragged shut', () => {
    expect(clampSplit(0)).toBe(SPLIT_MIN);
    expect(clampSplit(1)).toBe(SPLIT_MAX);
    expect(clampSplit(0.5)).toBe(0.5);
    expect(clampSplit(Number.NaN)).toBe(SPLIT_DEFAULT);
  });

  it('follows the pointer over the box', () => {
    expect(splitAt(300, 100, 400)).toBe(0.5);
    expect(splitAt(90, 100, 400)).toBe(SPLIT_MIN);
    expect(splitAt(300, 100, 0)).toBe(SPLIT_DEFAULT);
  });

  it('moves by arrow keys in steps, and to the ends by Home and End', () => {
    expect(splitByKey(0.5, 'ArrowUp')).toBeCloseTo(0.45);
    expect(splitByKey(0.5, 'ArrowDown')).toBeCloseTo(0.55);
    expect(splitByKey(SPLIT_MAX, 'ArrowDown')).toBe(SPLIT_MAX);
    expect([splitByKey(0.5, 'Home'), splitByKey(0.5, 'End')]).toEqual([SPLIT_MIN, SPLIT_MAX]);
    expect(splitByKey(0.5, 'a')).toBeNull();
  });

  it('reads a remembered split, or starts from the default', () => {
    expect(parseSplit('0.6')).toBe(0.6);
    expect(parseSplit('7')).toBe(SPLIT_MAX);
    expect([parseSplit(null), parseSplit(''), parseSplit('wide')]).toEqual([SPLIT_DEFAULT, SPLIT_DEFAULT, SPLIT_DEFAULT]);
  });
});
