import { z } from 'zod';
import { formatSize } from './size.js';

/**
 * Saved reports (stories 3, 5, 6, 7): parameterised read-only SQL over the reporting cache,
 * kept as plain `.sql` files with a comment header so a team can share them like any other file.
 */

/** A report's id is its file name without `.sql`: lowercase words joined by hyphens. */
export const reportIdSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'A report id is lowercase letters, digits and hyphens (it is the file name), e.g. "ssl-lookup".');

/** The id a file name gives: "My Report (v2).SQL" → "my-report-v2". Empty when nothing usable is left. */
export function idFromFileName(fileName: string): string {
  const base = (fileName.split(/[\\/]/).pop() ?? '').replace(/\.sql$/i, '');
  return base
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64)
    .replace(/-+$/, '');
}

/** A parameter name as it appears in the SQL (`:name`). */
export const reportParamNameSchema = z.string().regex(/^[a-z_][a-z0-9_]{0,39}$/, 'A parameter name is lowercase letters, digits and _ (used as :name in the SQL).');

/** table.column, each a plain SQLite identifier. */
const LOOKUP = /^[A-Za-z_][A-Za-z0-9_]{0,63}\.[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/** "team_names.name" → its table and column; null when it is not a plain table.column. */
export function parseLookup(lookup: string): { table: string; column: string } | null {
  if (!LOOKUP.test(lookup)) return null;
  const [table = '', column = ''] = lookup.split('.');
  return { table, column };
}

export const reportParamTypes = ['text', 'integer', 'number', 'date', 'datetime'] as const;
export type ReportParamType = (typeof reportParamTypes)[number];

export const reportParamSchema = z.object({
  name: reportParamNameSchema,
  type: z.enum(reportParamTypes),
  label: z.string().min(1).max(120),
  /** A required parameter must be given; an optional one binds NULL when left empty. */
  required: z.boolean(),
  /** What the form starts with, as typed (e.g. "2024-03-01"); null for none. */
  default: z.string().max(200).nullable(),
  /**
   * Where a given value must exist, as table.column of the cache (e.g. team_names.name, compared
   * ignoring case): a value found nowhere fails the run naming the parameter, rather than "No rows".
   */
  lookup: z.string().regex(LOOKUP, 'A lookup is table.column of the cache, e.g. team_names.name.').optional(),
});
export type ReportParam = z.infer<typeof reportParamSchema>;

/** How the result is drawn: x is a column; y one or more numeric columns; series splits lines by a column (e.g. team). */
export const reportChartSchema = z.object({
  kind: z.enum(['line', 'bar']),
  x: z.string().min(1).max(64),
  y: z.array(z.string().min(1).max(64)).min(1).max(6),
  series: z.string().min(1).max(64).nullable(),
});
export type ReportChart = z.infer<typeof reportChartSchema>;

export const reportDraftSchema = z.object({
  id: reportIdSchema,
  title: z.string().trim().min(1, 'Give the report a title.').max(120),
  description: z.string().max(2000),
  params: z.array(reportParamSchema).max(20),
  chart: reportChartSchema.nullable(),
  sql: z.string().trim().min(1, 'Write the SELECT this report runs.').max(100_000),
});
export type ReportDraft = z.infer<typeof reportDraftSchema>;

export const reportDefinitionSchema = reportDraftSchema.extend({
  /** shipped: comes with Backline; saved: the engineer's own or imported; shared: in a team's folder (BACKLINE_REPORT_DIRS). Only saved ones can be changed here. */
  origin: z.enum(['shipped', 'saved', 'shared']),
  /** Where the file lives, so it can be shared. */
  file: z.string(),
});
export type ReportDefinition = z.infer<typeof reportDefinitionSchema>;

/** A parameter's value as typed in the form; the core checks and converts it per the parameter's type. */
export const reportArgsSchema = z.record(reportParamNameSchema, z.string().max(1000));
export type ReportArgs = z.infer<typeof reportArgsSchema>;

export const reportCellSchema = z.union([z.string(), z.number(), z.null()]);
export type ReportCell = z.infer<typeof reportCellSchema>;

const isCell = (cell: unknown) => cell === null || typeof cell === 'string' || (typeof cell === 'number' && Number.isFinite(cell));
/**
 * The same check as z.array(z.array(reportCellSchema)), as one plain loop: a 200k-row result is a
 * million cells, which zod's general path takes about 300 ms of the main thread to walk and copy.
 */
const cellMatrixSchema = z.custom<ReportCell[][]>(
  (value) => Array.isArray(value) && value.every((row) => Array.isArray(row) && row.every(isCell)),
  'Every row is an array of cells, each text, a finite number or null.',
);

/** What a run keeps at most. The report process stops reading at the first row beyond a limit. */
export const reportLimitsSchema = z.object({
  maxRows: z.number().int().positive(),
  /** The size of all the rows kept (text counted by its characters, 8 for a number or null). */
  maxBytes: z.number().int().positive(),
  /** The size of one value; a longer one is cut (see cutCellNote). */
  maxCellBytes: z.number().int().positive(),
});
export type ReportLimits = z.infer<typeof reportLimitsSchema>;

export const reportResultSchema = z.object({
  columns: z.array(z.string()),
  rows: cellMatrixSchema,
  /** True when rows are missing (cutBy says why); rows holds the first ones. */
  truncated: z.boolean(),
  /** Why rows are missing: more of them than maxRows, or more data than maxBytes; null when every row is here. */
  cutBy: z.enum(['rows', 'bytes']).nullable(),
  /** The size of the rows kept, counted as maxBytes counts. */
  bytes: z.number().int().nonnegative(),
  /** Values longer than maxCellBytes among the rows kept, each shown as its first part and a note (cutCellNote). */
  cellsCut: z.number().int().nonnegative(),
  limits: reportLimitsSchema,
  ms: z.number(),
});
export type ReportResult = z.infer<typeof reportResultSchema>;

/** What follows the first part of a value too long to keep whole: " … [cut by Backline: 40.0 MiB blob]". */
export function cutCellNote(kind: 'text' | 'blob', fullBytes: number): string {
  return ` … [cut by Backline: ${formatSize(fullBytes)} ${kind === 'blob' ? 'blob' : 'of text'}]`;
}
