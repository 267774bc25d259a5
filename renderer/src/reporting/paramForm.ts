import type { ReportArgs, ReportParam, ReportParamType } from '../../../shared/domain/report.js';
import type { ErrorIssue } from '../../../shared/errors.js';

/** What the form holds: each parameter's value as typed. */
export type ParamValues = Record<string, string>;

export interface ParamInput {
  /** The input element's type: the browser's own date and date-time pickers for those. */
  htmlType: 'text' | 'date' | 'datetime-local';
  inputMode?: 'numeric' | 'decimal';
  placeholder: string;
}

export const paramInputs: Record<ReportParamType, ParamInput> = {
  text: { htmlType: 'text', placeholder: '' },
  integer: { htmlType: 'text', inputMode: 'numeric', placeholder: 'a whole number' },
  number: { htmlType: 'text', inputMode: 'decimal', placeholder: 'a number' },
  date: { htmlType: 'date', placeholder: 'YYYY-MM-DD' },
  // Read as UTC by the core, like every timestamp in the cache: the form says so.
  datetime: { htmlType: 'datetime-local', placeholder: 'YYYY-MM-DD HH:MM (UTC)' },
};

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATETIME = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(:\d{2}(\.\d+)?)?)$/;

/** A date-time as the browser's date-time input holds it ("2024-03-01T10:00"), from "2024-03-01 10:00" too. */
function forDateTimeInput(value: string): string {
  const m = DATETIME.exec(value.trim());
  return m ? `${m[1]}T${m[2]}` : value;
}

/** The form's first values: each parameter's default, or empty. */
export function initialValues(params: readonly ReportParam[]): ParamValues {
  const values: ParamValues = {};
  for (const p of params) values[p.name] = p.default === null ? '' : p.type === 'datetime' ? forDateTimeInput(p.default) : p.default;
  return values;
}

function problem(type: ReportParamType, value: string): string | null {
  switch (type) {
    case 'text':
      return null;
    case 'integer':
      return /^[+-]?\d+$/.test(value) ? null : 'Enter a whole number, e.g. 42.';
    case 'number':
      return value !== '' && Number.isFinite(Number(value)) ? null : 'Enter a number, e.g. 0.5.';
    case 'date':
      return DATE.test(value) && !Number.isNaN(Date.parse(value)) ? null : 'Enter a date as YYYY-MM-DD.';
    case 'datetime':
      return DATETIME.test(value) ? null : 'Enter a date and time as YYYY-MM-DD HH:MM.';
  }
}

/** What is wrong with the values before anything runs, per parameter; empty when they can be sent. */
export function paramErrors(params: readonly ReportParam[], values: ParamValues): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const p of params) {
    const value = (values[p.name] ?? '').trim();
    if (value === '') {
      if (p.required) errors[p.name] = `${p.label} is required.`;
      continue;
    }
    const message = problem(p.type, value);
    if (message) errors[p.name] = message;
  }
  return errors;
}

/**
 * The run's args: each value trimmed; an optional parameter left empty is not sent, so the report
 * gets NULL for it. Date-times go as "YYYY-MM-DD HH:MM[:SS]", the way SQLite writes them.
 */
export function toArgs(params: readonly ReportParam[], values: ParamValues): ReportArgs {
  const args: ReportArgs = {};
  for (const p of params) {
    const value = (values[p.name] ?? '').trim();
    if (value === '') continue;
    args[p.name] = p.type === 'datetime' ? value.replace('T', ' ') : value;
  }
  return args;
}

/**
 * The core's issues about the values, per parameter: the run names a parameter by itself (`q`), the
 * contract's own check by its place in the input (`args.q`). The rest stays general.
 */
export function argIssues(params: readonly ReportParam[], issues: readonly ErrorIssue[] | undefined): { fields: Record<string, string>; general: string[] } {
  const names = new Set(params.map((p) => p.name));
  const fields: Record<string, string> = {};
  const general: string[] = [];
  for (const issue of issues ?? []) {
    const name = issue.path.startsWith('args.') ? issue.path.slice(5) : issue.path;
    if (names.has(name)) fields[name] ??= issue.message;
    else general.push(issue.path ? `${issue.path}: ${issue.message}` : issue.message);
  }
  return { fields, general };
}
