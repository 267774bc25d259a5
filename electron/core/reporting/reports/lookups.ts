import { parseLookup, type ReportParam } from '../../../../shared/domain/report.js';
import { BacklineError, type ErrorIssue } from '../../../../shared/errors.js';
import type { ReadableCache } from '../cache/database.js';
import type { BoundValue } from './params.js';

/**
 * A parameter's lookup (`-- param: team text optional "Team" lookup=team_names.name`): before the
 * report runs, each value given is looked for in its table.column of the cache, ignoring case. A
 * value found nowhere (a misspelt tech, a team no name of which is "Team Q") fails the run with
 * REPORT_UNKNOWN_VALUE naming the parameter, instead of an empty result that reads as "nothing
 * happened". Through team_names, every name a team ever had is found (story 6).
 */
export interface LookupRequest {
  param: string;
  label: string;
  /** table.column */
  lookup: string;
  value: string | number;
}

/** The lookups a run makes: one per parameter that has a lookup and was given a value. */
export function lookupsOf(params: readonly ReportParam[], values: Readonly<Record<string, BoundValue>>): LookupRequest[] {
  const out: LookupRequest[] = [];
  for (const p of params) {
    const value = values[p.name];
    if (!p.lookup || value === null || value === undefined) continue;
    out.push({ param: p.name, label: p.label, lookup: p.lookup, value });
  }
  return out;
}

/**
 * The statement a lookup runs. The names come from parseLookup (letters, digits and _ only), quoted
 * all the same; the value is bound as :value.
 */
export function lookupSql(lookup: string): string {
  const parsed = parseLookup(lookup);
  if (!parsed) throw new BacklineError('REPORT_INVALID', `lookup=${lookup.slice(0, 80)} is not table.column (e.g. lookup=team_names.name).`);
  return `SELECT 1 FROM "${parsed.table}" WHERE "${parsed.column}" = :value COLLATE NOCASE LIMIT 1`;
}

const show = (value: string | number) => (typeof value === 'string' ? JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value) : String(value));

/** The problem with one unknown value, as its field shows it. */
export function unknownValueIssue(request: LookupRequest): ErrorIssue {
  return {
    path: request.param,
    message: `${show(request.value)} is not in the cache (looked up in ${request.lookup}, ignoring case). Check the spelling; one that is new since the last sync needs a sync first.`,
  };
}

/** One error for every unknown value among the lookups (none: returns null). */
export function unknownValuesError(unknown: readonly LookupRequest[]): BacklineError | null {
  if (unknown.length === 0) return null;
  const first = unknown[0];
  const message =
    unknown.length === 1 && first
      ? `Unknown ${first.label}: ${show(first.value)}.`
      : `${unknown.length} values are unknown: ${unknown.map((u) => `${u.label} ${show(u.value)}`).join(', ')}.`;
  return new BacklineError('REPORT_UNKNOWN_VALUE', message, {
    issues: unknown.map(unknownValueIssue),
    hint: 'Nothing was run. Correct the highlighted fields (any case will do); for a team, any of its names, old or new, is known.',
    detail: { unknown: unknown.map((u) => ({ param: u.param, value: u.value, lookup: u.lookup })) },
  });
}

/**
 * Looks each value up on the report's read-only connection; throws REPORT_UNKNOWN_VALUE naming every
 * one that is not there, or REPORT_SQL_ERROR when a lookup names a table or column the cache lacks.
 */
export function checkLookups(db: ReadableCache, lookups: readonly LookupRequest[]): void {
  const unknown: LookupRequest[] = [];
  for (const request of lookups) {
    let found: unknown;
    try {
      found = db.prepare(lookupSql(request.lookup)).pluck().get({ value: request.value });
    } catch (error) {
      if (error instanceof BacklineError) throw error;
      throw new BacklineError('REPORT_SQL_ERROR', `The lookup of ${request.label} (lookup=${request.lookup}) cannot run: ${error instanceof Error ? error.message : String(error)}`, {
        issues: [{ path: `params.${request.param}`, message: `lookup=${request.lookup} names a table or column the cache does not have.` }],
        hint: 'Fix the lookup= of that parameter: table.column of the cache (the schema browser lists them).',
      });
    }
    if (found === undefined) unknown.push(request);
  }
  const error = unknownValuesError(unknown);
  if (error) throw error;
}
