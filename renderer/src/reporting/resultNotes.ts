import type { ReportResult } from '../../../shared/domain/report.js';
import { formatSize } from '../../../shared/domain/size.js';
import { formatCount } from './syncView.js';

export interface ResultNote {
  title: string;
  text: string;
}

const plural = (n: number, one: string, many: string) => `${formatCount(n)} ${n === 1 ? one : many}`;

/**
 * What the result panel says about a result Backline did not keep whole: rows past the row limit,
 * a result past the size limit (what was kept, and what to do), and values cut to their first part.
 * Empty when the result is all there.
 */
export function resultNotes(result: Pick<ReportResult, 'rows' | 'cutBy' | 'bytes' | 'cellsCut' | 'limits'>): ResultNote[] {
  const notes: ResultNote[] = [];
  const kept = plural(result.rows.length, 'row', 'rows');
  if (result.cutBy === 'rows') {
    notes.push({
      title: 'Truncated',
      text: `The result had more rows than the ${kept} shown (and exported). Narrow it down with the parameters or a WHERE clause.`,
    });
  } else if (result.cutBy === 'bytes') {
    notes.push({
      title: 'Result too large',
      text:
        `Backline keeps at most ${formatSize(result.limits.maxBytes)} of a result: the first ${kept} (${formatSize(result.bytes)}) are shown and exported, ` +
        'the rest was not read. Select fewer or shorter columns (substr(), length()), or narrow it down with the parameters or a WHERE clause.',
    });
  }
  if (result.cellsCut > 0) {
    notes.push({
      title: `${result.cellsCut === 1 ? 'A value' : 'Values'} cut`,
      text:
        `${plural(result.cellsCut, 'value is', 'values are')} longer than ${formatSize(result.limits.maxCellBytes)}: each shows its first part, ` +
        'then "… [cut by Backline: its size]", here and in the CSV. Select substr(column, start, length) to read a part, or length(column) for its size.',
    });
  }
  return notes;
}
