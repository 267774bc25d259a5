import type { ReportCell } from '../../../shared/domain/report.js';

/** Text by its words and numbers ("tech9" before "tech10"), ignoring case; ties broken by code point so the order is total. */
const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

/**
 * The order of two non-NULL cells when a result is sorted by a column: numbers by value, before
 * text; text as people read it. (NULLs are placed last by the table, whichever the direction.)
 */
export function compareCells(a: string | number, b: string | number): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'number') return -1;
  if (typeof b === 'number') return 1;
  return collator.compare(a, b) || (a < b ? -1 : a > b ? 1 : 0);
}

/** A cell as the sort reads it: NULL as undefined, which the table keeps last in both directions. */
export function sortValue(cell: ReportCell | undefined): string | number | undefined {
  return cell === null ? undefined : cell;
}

export type SortDirection = 'ascending' | 'descending' | 'none';

/** The aria-sort of a column header from the table's state. */
export function ariaSort(sorted: false | 'asc' | 'desc'): SortDirection {
  return sorted === 'asc' ? 'ascending' : sorted === 'desc' ? 'descending' : 'none';
}
