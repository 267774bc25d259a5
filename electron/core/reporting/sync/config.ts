import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { SyncError } from './errors.js';

/** The interval forms accepted for an overlap: "5 minutes", "1 hour 30 mins", "90 s", "00:05:00". */
const INTERVAL = /^\s*(?:(?:\d+(?:\.\d+)?\s*(?:microseconds?|milliseconds?|ms|seconds?|secs?|s|minutes?|mins?|m|hours?|h|days?|d|weeks?|w)\s*)+|\d+:\d\d(?::\d\d(?:\.\d+)?)?)\s*$/i;

const identifier = z.string().regex(/^[a-z_][a-z0-9_]*$/i, 'a plain SQL identifier (letters, digits, _)');

/**
 * One cache table fed from a source. `query` is a SELECT in the source's own schema whose output
 * columns carry the cache table's column names (the mapping of a company's schema onto the cache).
 * The engine wraps it: rows after the last synced position, ordered by (watermark, ...key), so
 * ties on the watermark are neither skipped nor repeated. The watermark must never decrease for a
 * changed row (an updated_at kept by a trigger, or a monotonic id) and must not be NULL.
 */
export const tableConfigSchema = z.object({
  name: identifier,
  query: z.string().min(1).refine((q) => !/;\s*\S/.test(q), 'one statement only'),
  watermark: identifier,
  key: z.array(identifier).min(1),
  /** A timestamp column whose newest value says how fresh the source is (freshness, story 4). */
  timeColumn: identifier.optional(),
  /**
   * How far behind the saved position an incremental sync reads again, for rows whose transaction
   * committed after a later row had already been read (a watermark alone misses those for good).
   * For a timestamp watermark a PostgreSQL interval ("5 minutes"): longer than the source's longest
   * writing transaction, since now() is when a transaction began. For an integer watermark (a
   * bigserial id) a number of ids: more than the ids other transactions may take meanwhile.
   * Re-read rows are upserted, so reading them again changes nothing that did not change.
   */
  overlap: z
    .union([
      z.number().int().positive(),
      z.string().regex(INTERVAL, 'an interval such as "5 minutes", "1 hour 30 minutes" or "00:05:00"'),
    ])
    .optional(),
  /**
   * Delete cache rows of this (source, table) that a complete read from the beginning (a full sync,
   * or the first) did not return: rows deleted in the source. Rows of other sources are never
   * deleted: a table with an `origin` column (status events) is pruned for this source's origin
   * only; any other table may be pruned only when this source is the one feeding it.
   */
  prune: z.boolean().optional(),
});

export const sourceConfigSchema = z.object({
  name: identifier,
  url: z.string().regex(/^postgres(ql)?:\/\//, 'a postgres:// URL'),
  tables: z.array(tableConfigSchema).min(1),
  /**
   * The source is stale (story 4: the loud banner) when its newest data is this many hours older
   * than the last successful sync. Default 24. null for a source that is not expected to grow, such
   * as an archive split off once: it is never called stale.
   */
  staleAfterHours: z.number().positive().nullable().optional(),
});

export const syncConfigSchema = z.object({
  sources: z
    .array(sourceConfigSchema)
    .min(1)
    .refine((sources) => new Set(sources.map((s) => s.name)).size === sources.length, 'source names must be unique'),
});

export type TableConfig = z.infer<typeof tableConfigSchema>;
export type SourceConfig = z.infer<typeof sourceConfigSchema>;
export type SyncConfig = z.infer<typeof syncConfigSchema>;

export function parseSyncConfig(value: unknown, origin = 'the source config'): SyncConfig {
  const parsed = syncConfigSchema.safeParse(value);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new SyncError('CONFIG_INVALID', `${origin} is not valid: ${problems}`);
  }
  return parsed.data;
}

/** Reads a JSON source config file. */
export function loadSyncConfig(file: string): SyncConfig {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new SyncError('CONFIG_INVALID', `Could not read the source config ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  return parseSyncConfig(value, file);
}
