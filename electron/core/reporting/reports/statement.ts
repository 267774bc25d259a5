import type { Statement } from 'better-sqlite3';
import { cutCellNote, type ReportCell, type ReportLimits, type ReportResult } from '../../../../shared/domain/report.js';
import { BacklineError } from '../../../../shared/errors.js';
import type { ReadableCache } from '../cache/database.js';
import { QUERY_KEYWORDS, queryRefusal, scanSql } from './sql-scan.js';

/**
 * Preparing and stepping a report's statement on a read-only cache connection. The report process
 * runs this; the benchmark calls it in-process to measure the SQL without the process hop.
 */

const READ_ONLY_HINT = 'A report only reads: write one SELECT (or WITH ... SELECT). To see a table\'s columns, SELECT * FROM pragma_table_info(\'tickets\').';

/** Statements SQLite knows besides queries; anything else (a typo) is left to prepare for its syntax error. */
const OTHER_STATEMENTS = ['ALTER', 'ANALYZE', 'ATTACH', 'BEGIN', 'COMMIT', 'CREATE', 'DELETE', 'DETACH', 'DROP', 'END', 'EXPLAIN', 'INSERT', 'PRAGMA', 'REINDEX', 'RELEASE', 'REPLACE', 'ROLLBACK', 'SAVEPOINT', 'UPDATE', 'VACUUM'];

function sqlError(error: unknown): BacklineError {
  const message = error instanceof Error ? error.message : String(error);
  return new BacklineError('REPORT_SQL_ERROR', `SQLite could not run this SQL: ${message}`, {
    hint: 'Fix the SQL and run it again; the tables are listed in the README\'s reporting section.',
  });
}

/**
 * Prepares a report's SQL without running it. Refuses, before SQLite sees it: anything but a query
 * (SQLite calls ATTACH, BEGIN and some PRAGMAs "read-only" since they leave the file untouched, and
 * applies a PRAGMA while preparing it, even behind EXPLAIN; so the leading words are checked first),
 * then any statement SQLite says would write.
 */
export function prepareReport(db: ReadableCache, sql: string): { statement: Statement; columns: string[] } {
  const scan = scanSql(sql);
  if (scan.statements > 1) {
    throw new BacklineError('REPORT_INVALID', `A report is exactly one statement; this SQL has ${scan.statements}.`, { hint: 'Remove the extra statements (a trailing ; is fine).' });
  }
  const refusal = scan.statements === 1 ? queryRefusal(scan) : null;
  if (refusal && scan.firstKeyword === 'EXPLAIN') {
    throw new BacklineError('REPORT_READ_ONLY', refusal, { hint: 'To see how a report runs, write EXPLAIN QUERY PLAN SELECT ... (or WITH ...).' });
  }
  if (refusal && !QUERY_KEYWORDS.includes(scan.firstKeyword) && OTHER_STATEMENTS.includes(scan.firstKeyword)) {
    throw new BacklineError('REPORT_READ_ONLY', `Reports run queries only; ${scan.firstKeyword} statements are refused.`, { hint: READ_ONLY_HINT });
  }
  let statement: Statement;
  try {
    statement = db.prepare(sql);
  } catch (error) {
    if (error instanceof RangeError) throw new BacklineError('REPORT_INVALID', error.message, { hint: 'A report is exactly one SELECT.' });
    throw sqlError(error);
  }
  if (!statement.readonly) throw new BacklineError('REPORT_READ_ONLY', undefined, { hint: READ_ONLY_HINT });
  if (!statement.reader) {
    throw new BacklineError('REPORT_INVALID', 'This SQL returns no columns, so there is nothing to show.', { hint: 'A report is a SELECT that returns rows.' });
  }
  return { statement, columns: statement.columns().map((c) => c.name) };
}

/** A cell as the window can show it: integers beyond 2^53 as text, blobs as hex. */
export function toCell(value: unknown): ReportCell {
  if (value === null || typeof value === 'string' || typeof value === 'number') return value;
  if (typeof value === 'bigint') return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(value) : value.toString();
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex');
  // SQLite has no other storage class; say so rather than show "[object Object]".
  return JSON.stringify(value) ?? null;
}

/**
 * A value longer than maxCellBytes as its first part and a note of its full size. Text is counted
 * by its characters, a blob by its hex (two per byte), so that a 40 MiB blob is never turned into
 * 80 MiB of hex only to be dropped.
 */
function cutCell(value: string | Uint8Array, maxCellBytes: number): string {
  if (typeof value === 'string') {
    let head = value.slice(0, maxCellBytes);
    // Never end on half a surrogate pair: the rest would not be valid text.
    const last = head.charCodeAt(head.length - 1);
    if (last >= 0xd800 && last <= 0xdbff) head = head.slice(0, -1);
    return head + cutCellNote('text', Buffer.byteLength(value, 'utf8'));
  }
  const head = Buffer.from(value.buffer, value.byteOffset, Math.min(value.byteLength, Math.floor(maxCellBytes / 2))).toString('hex');
  return head + cutCellNote('blob', value.byteLength);
}

/** What the report process hands back; the runner adds the time it took. */
export type StepResult = Omit<ReportResult, 'ms'>;

/**
 * Runs a prepared report, keeping at most limits.maxRows rows and limits.maxBytes of data, each
 * value at most limits.maxCellBytes (longer ones are cut, with a note): it stops stepping at the
 * first row beyond, so a huge result costs no more than its limits here or in the main process.
 */
export function runReport(db: ReadableCache, sql: string, values: Record<string, unknown>, limits: ReportLimits): StepResult {
  const { statement, columns } = prepareReport(db, sql);
  // Bind exactly the names the SQL uses: SQLite would refuse extra ones, and a missing one is the caller's mistake.
  const used = scanSql(sql).named;
  const missing = used.filter((name) => !Object.hasOwn(values, name));
  if (missing.length) {
    throw new BacklineError('VALIDATION_FAILED', `No value was given for ${missing.map((n) => `:${n}`).join(', ')}.`, {
      issues: missing.map((name) => ({ path: name, message: `The SQL uses :${name}; give it a value (or declare it as a parameter).` })),
    });
  }
  const bound = Object.fromEntries(used.map((name) => [name, values[name]]));
  // Safe integers so that ids beyond 2^53 are not silently rounded; toCell turns them back into numbers.
  statement.raw(true).safeIntegers(true);
  const { maxRows, maxBytes, maxCellBytes } = limits;
  const rows: ReportCell[][] = [];
  let cutBy: StepResult['cutBy'] = null;
  let bytes = 0;
  let cellsCut = 0;
  try {
    const bind = used.length ? [bound] : [];
    for (const row of statement.iterate(...bind) as IterableIterator<unknown[]>) {
      if (rows.length >= maxRows) {
        cutBy = 'rows';
        break; // leaving the loop resets the statement
      }
      const cells: ReportCell[] = new Array<ReportCell>(row.length);
      let rowBytes = 0;
      let rowCut = 0;
      for (let c = 0; c < row.length; c++) {
        const value = row[c];
        let cell: ReportCell;
        if (typeof value === 'string' && value.length > maxCellBytes) {
          cell = cutCell(value, maxCellBytes);
          rowCut++;
        } else if (value instanceof Uint8Array && value.byteLength * 2 > maxCellBytes) {
          cell = cutCell(value, maxCellBytes);
          rowCut++;
        } else cell = toCell(value);
        cells[c] = cell;
        rowBytes += typeof cell === 'string' ? cell.length : 8;
      }
      if (bytes + rowBytes > maxBytes) {
        cutBy = 'bytes';
        break;
      }
      bytes += rowBytes;
      cellsCut += rowCut;
      rows.push(cells);
    }
  } catch (error) {
    if (error instanceof BacklineError) throw error;
    if (error instanceof RangeError || error instanceof TypeError) {
      throw new BacklineError('VALIDATION_FAILED', `The parameters do not fit this SQL: ${error.message}`, { hint: 'Give a value for every :name the SQL uses.' });
    }
    throw sqlError(error);
  }
  return { columns, rows, truncated: cutBy !== null, cutBy, bytes, cellsCut, limits };
}
