import type { ReportChart, ReportDefinition, ReportDraft, ReportParam } from '../../../shared/domain/report.js';
import type { ErrorIssue } from '../../../shared/errors.js';
import { issuesToFields, type FieldIssues } from '../app/issueFields.js';

export type DraftField = 'id' | 'title' | 'description' | 'params' | 'chart' | 'sql';

/** Which editor field shows an issue, by the first segment of its path. */
export const draftFieldFor: Readonly<Record<string, DraftField>> = {
  id: 'id',
  title: 'title',
  description: 'description',
  params: 'params',
  chart: 'chart',
  sql: 'sql',
};

export function emptyDraft(): ReportDraft {
  return { id: '', title: '', description: '', params: [], chart: null, sql: '' };
}

const MAX_ID = 64;

/** The editor's start: a saved report as it is, or a copy of any report under a new id and title. */
export function draftFrom(report: ReportDefinition, mode: 'edit' | 'copy'): ReportDraft {
  const { id, title, description, params, chart, sql } = report;
  if (mode === 'edit') return { id, title, description, params, chart, sql };
  const copyId = `${id.slice(0, MAX_ID - 5).replace(/-+$/, '')}-copy`;
  return { id: copyId, title: `${title} (copy)`.slice(0, 120), description, params, chart, sql };
}

/** A new parameter with a name not yet taken (p1, p2...). */
export function newParam(existing: readonly ReportParam[]): ReportParam {
  const taken = new Set(existing.map((p) => p.name));
  let n = existing.length + 1;
  while (taken.has(`p${n}`)) n++;
  return { name: `p${n}`, type: 'text', label: `Parameter ${n}`, required: false, default: null };
}

/** The SQL's `:name` placeholders not yet declared as parameters, in order of appearance. */
export function undeclaredParams(sql: string, params: readonly ReportParam[]): string[] {
  const declared = new Set(params.map((p) => p.name));
  // Strings and comments may hold a colon that is no placeholder.
  const code = sql.replace(/'(?:[^']|'')*'|"(?:[^"]|"")*"|--[^\n]*|\/\*[\s\S]*?\*\//g, ' ');
  const found: string[] = [];
  for (const m of code.matchAll(/(?<![:\w]):([a-z_][a-z0-9_]*)/g)) {
    const name = m[1] ?? '';
    if (!declared.has(name) && !found.includes(name)) found.push(name);
  }
  return found;
}

/** A chart's settings as the editor holds them; y as a list of column names. */
export function defaultChart(): ReportChart {
  return { kind: 'line', x: '', y: [], series: null };
}

/**
 * The issues of a save or draft run, by field, plus what each parameter row has: the contract's
 * check names a row by index (`params.0.label`), the report check by name (`params.from`).
 */
export function draftIssues(issues: readonly ErrorIssue[] | undefined, params: readonly ReportParam[]): FieldIssues<DraftField> & { paramRows: Record<number, string> } {
  const byField = issuesToFields(issues, draftFieldFor);
  const paramRows: Record<number, string> = {};
  for (const issue of issues ?? []) {
    const [head, which, ...rest] = issue.path.split('.');
    if (head !== 'params' || which === undefined) continue;
    const index = /^\d+$/.test(which) ? Number(which) : params.findIndex((p) => p.name === which);
    if (index < 0) continue;
    paramRows[index] ??= rest.length > 0 ? `${rest.join('.')}: ${issue.message}` : issue.message;
  }
  return { ...byField, paramRows };
}

