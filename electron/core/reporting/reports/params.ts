import type { ReportArgs, ReportParam, ReportParamType } from '../../../../shared/domain/report.js';
import { BacklineError, type ErrorIssue } from '../../../../shared/errors.js';

/**
 * Turns what was typed in a report's form into values for better-sqlite3's named binding. Values
 * are only ever bound, never spliced into the SQL. Dates and times are normalised to the cache's
 * text form so that they compare correctly with its ISO timestamps.
 */

export type BoundValue = string | number | null;
export type ParseResult = { ok: true; value: string | number } | { ok: false; message: string };

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
// 2024-03-01 09:30, 2024-03-01T09:30:15, 2024-03-01T09:30:15.123456Z, 2024-03-01 09:30+02:00
const DATETIME = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;

function validDate(y: number, m: number, d: number): boolean {
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

/** One value of a parameter, as typed (already trimmed and non-empty). */
export function parseParamValue(type: ReportParamType, text: string): ParseResult {
  switch (type) {
    case 'text':
      return { ok: true, value: text };
    case 'integer': {
      const value = /^[+-]?\d+$/.test(text) ? Number(text) : NaN;
      return Number.isSafeInteger(value) ? { ok: true, value } : { ok: false, message: `"${text}" is not a whole number: write e.g. 42.` };
    }
    case 'number': {
      const value = /^[+-]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$/i.test(text) ? Number(text) : NaN;
      return Number.isFinite(value) ? { ok: true, value } : { ok: false, message: `"${text}" is not a number: write e.g. 0.5 or 12.` };
    }
    case 'date': {
      const m = DATE.exec(text);
      if (!m || !validDate(Number(m[1]), Number(m[2]), Number(m[3]))) return { ok: false, message: `"${text}" is not a date: write YYYY-MM-DD, e.g. 2024-03-01.` };
      return { ok: true, value: text };
    }
    case 'datetime':
      return parseDatetime(text);
  }
}

/**
 * A moment in UTC as the cache writes it ("2024-03-01T09:30:00.000000Z"). A time without a zone is
 * read as UTC, like every timestamp in the cache; a date alone means its midnight UTC.
 */
function parseDatetime(text: string): ParseResult {
  const bad: ParseResult = {
    ok: false,
    message: `"${text}" is not a date and time: write YYYY-MM-DD HH:MM (UTC), or ISO 8601 with a zone, e.g. 2024-03-01T09:30:00+02:00.`,
  };
  const m = DATETIME.exec(text);
  if (!m) return bad;
  const [y, mo, d, h, mi, s] = [1, 2, 3, 4, 5, 6].map((k) => Number(m[k] ?? 0)) as [number, number, number, number, number, number];
  const fraction = m[7] ?? '';
  if (!validDate(y, mo, d) || h > 23 || mi > 59 || s > 59) return bad;
  if (fraction.length > 6) return { ok: false, message: `"${text}" is more precise than the cache (microseconds): use at most 6 digits after the seconds.` };
  let offsetMinutes = 0;
  const zone = m[8];
  if (zone && zone.toUpperCase() !== 'Z') {
    const digits = zone.replace(':', '');
    const oh = Number(digits.slice(1, 3));
    const om = Number(digits.slice(3, 5));
    if (oh > 23 || om > 59) return bad;
    offsetMinutes = (digits.startsWith('-') ? -1 : 1) * (oh * 60 + om);
  }
  const utc = Date.UTC(y, mo - 1, d, h, mi, s) - offsetMinutes * 60_000;
  if (!Number.isFinite(utc)) return bad;
  return { ok: true, value: `${new Date(utc).toISOString().slice(0, 19)}.${fraction.padEnd(6, '0')}Z` };
}

/**
 * Checks every argument against the report's parameters and converts it. All problems are reported
 * at once, one issue per parameter, as VALIDATION_FAILED.
 */
export function bindArgs(params: readonly ReportParam[], args: ReportArgs): Record<string, BoundValue> {
  const issues: ErrorIssue[] = [];
  const values: Record<string, BoundValue> = {};
  const known = new Set(params.map((p) => p.name));
  for (const name of Object.keys(args)) {
    if (!known.has(name)) {
      const takes = params.length ? `it takes ${params.map((p) => p.name).join(', ')}` : 'it takes none';
      issues.push({ path: name, message: `This report has no parameter "${name}" (${takes}).` });
    }
  }
  for (const param of params) {
    const typed = Object.hasOwn(args, param.name) ? (args[param.name] ?? '').trim() : '';
    const text = typed === '' ? (param.default?.trim() ?? '') : typed;
    if (text === '') {
      if (param.required) issues.push({ path: param.name, message: `${param.label} is required.` });
      values[param.name] = null;
      continue;
    }
    const parsed = parseParamValue(param.type, text);
    if (parsed.ok) values[param.name] = parsed.value;
    else issues.push({ path: param.name, message: typed === '' ? `The default of ${param.label}: ${parsed.message}` : parsed.message });
  }
  if (issues.length > 0) {
    throw new BacklineError('VALIDATION_FAILED', issues.length === 1 ? 'A parameter of this report is not valid.' : `${issues.length} parameters of this report are not valid.`, {
      issues,
      hint: 'Correct the highlighted fields and run it again.',
    });
  }
  return values;
}
