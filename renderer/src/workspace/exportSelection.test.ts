import { describe, expect, it } from 'vitest';
import { chosenIds, initialSelection, selectionSummary, toggled } from './exportSelection.js';

describe('export selection', () => {
  const items = [
    { id: 3, selected: true },
    { id: 7, selected: false },
    { id: 1, selected: true },
  ];

  it('starts from the defaults the main side gives (a transcript unticked) and keeps the listed order', () => {
    const start = initialSelection(items);
    expect(chosenIds(items, start)).toEqual([3, 1]);
    expect(chosenIds(items, toggled(start, 7, true))).toEqual([3, 7, 1]);
    expect(chosenIds(items, toggled(start, 3, false))).toEqual([1]);
    expect(chosenIds(items, start)).toEqual([3, 1]);
  });

  it('says how much goes out', () => {
    expect(selectionSummary(1, 0)).toBe('0 findings and 1 note');
    expect(selectionSummary(2, 1)).toBe('1 finding and 2 notes');
  });
});
