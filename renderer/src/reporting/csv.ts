import type { ReportCell } from '../../../shared/domain/report.js';

/**
 * A spreadsheet runs a cell starting with one of these as a formula (CSV injection): such text gets a
 * leading apostrophe, which spreadsheets show as text. Tab and carriage return are on OWASP's list too.
 */
const FORMULA_START = /^[=+\-@\t\r]/;
/** Text that is only a number ("-5", "+1.5e3") is read as that number, never as a formula: left as is. */
const PLAIN_NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

function guardText(text: string): string {
  return FORMULA_START.test(text) && !PLAIN_NUMBER.test(text) ? `'${text}` : text;
}

/** RFC 4180: a field with a quote, comma or line break is quoted, its quotes doubled. */
function quote(field: string): string {
  return /[",\r\n]/.test(field) ? `"${field.replace(/"/g, '""')}"` : field;
}

export function csvField(cell: ReportCell): string {
  if (cell === null) return '';
  if (typeof cell === 'number') return Number.isFinite(cell) ? String(cell) : '';
  return quote(guardText(cell));
}

/** A result as CSV: a header row, then one row per result row, every line ended by CRLF (RFC 4180). */
export function toCsv(columns: readonly string[], rows: readonly (readonly ReportCell[])[]): string {
  const lines = [columns.map((c) => quote(guardText(c))).join(',')];
  for (const row of rows) lines.push(row.map(csvField).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

/** `<reportId>-<YYYYMMDD-HHMM>.csv`, local time: the moment the file was made. */
export function csvFileName(reportId: string, at: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  const stamp = `${at.getFullYear()}${pad(at.getMonth() + 1)}${pad(at.getDate())}-${pad(at.getHours())}${pad(at.getMinutes())}`;
  return `${reportId}-${stamp}.csv`;
}
