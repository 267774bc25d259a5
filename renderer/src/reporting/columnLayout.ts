import type { ReportCell } from '../../../shared/domain/report.js';

export interface ColumnLayout {
  /** Pixels, fixed: rows are laid out without measuring, so 100k of them scroll smoothly. */
  width: number;
  /** Every value seen is a number (or NULL): right-aligned, so digits line up. */
  numeric: boolean;
}

/** Generous per character at 12.5px (digits are tabular); headers are bold, so wider still. */
const CHAR_PX = 8;
const HEADER_CHAR_PX = 8.6;
const PADDING_PX = 24;
/** Room in a header for the mark of the direction it is sorted in. */
const SORT_MARK_PX = 14;
const MIN_PX = 64;
const MAX_PX = 420;
/** Enough rows to judge a column, few enough to stay instant on a large result. */
const SAMPLE = 500;

/** The text a cell shows; NULL shows as the word, styled apart. */
export function cellText(cell: ReportCell | undefined): string {
  if (cell === null || cell === undefined) return 'NULL';
  return typeof cell === 'number' ? String(cell) : cell;
}

/** Width and alignment per column, from the header and a sample of rows spread over the result. */
export function columnLayout(columns: readonly string[], rows: readonly (readonly ReportCell[])[]): ColumnLayout[] {
  const step = Math.max(1, Math.floor(rows.length / SAMPLE));
  // Spread over the result, and the last row too: ids and dates grow towards the end.
  const sample: number[] = [];
  for (let r = 0; r < rows.length; r += step) sample.push(r);
  if (rows.length > 0 && sample.at(-1) !== rows.length - 1) sample.push(rows.length - 1);
  return columns.map((name, i) => {
    let longest = 0;
    let numeric = true;
    let seen = 0;
    for (const r of sample) {
      const cell = rows[r]?.[i] ?? null;
      if (cell === null) continue;
      seen++;
      if (typeof cell !== 'number') numeric = false;
      const text = cellText(cell);
      // Only the first line of multi-line text shows in a fixed-height row.
      const lineEnd = text.indexOf('\n');
      longest = Math.max(longest, lineEnd >= 0 ? lineEnd : text.length);
    }
    const needed = Math.max(longest * CHAR_PX, name.length * HEADER_CHAR_PX + SORT_MARK_PX) + PADDING_PX;
    return { width: Math.round(Math.min(MAX_PX, Math.max(MIN_PX, needed))), numeric: numeric && seen > 0 };
  });
}
