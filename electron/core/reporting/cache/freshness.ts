import type { ReadableCache, WritableCache } from './database.js';

export interface SourceFreshness {
  source: string;
  lastAttemptAt: string | null;
  /** When a sync of this source last completed. */
  lastSuccessAt: string | null;
  /** The newest timestamp the source itself holds, as of the last sync. */
  newestSourceAt: string | null;
  lastError: { code: string; message: string } | null;
  /**
   * ok: recent sync, recent data. cache-old: the cache has not synced for a while.
   * source-stale: syncs succeed but the source holds nothing new (story 4: the loud banner).
   * never-synced: no successful sync yet.
   */
  verdict: 'ok' | 'cache-old' | 'source-stale' | 'never-synced';
}

export interface FreshnessThresholds {
  /** The cache is old when its last successful sync is older than this. */
  cacheOldAfterMs: number;
  /** The source is stale when its newest data is this much older than the last successful sync. */
  sourceStaleAfterMs: number;
}

export const DEFAULT_THRESHOLDS: FreshnessThresholds = { cacheOldAfterMs: 6 * 3_600_000, sourceStaleAfterMs: 24 * 3_600_000 };

interface Row {
  source: string;
  last_attempt_at: string | null;
  last_success_at: string | null;
  newest_source_at: string | null;
  last_error_code: string | null;
  last_error: string | null;
}

/**
 * Every synced source's freshness. `thresholds` may differ per source (a source's staleAfterHours in
 * its config); a sourceStaleAfterMs of Infinity means the source is never expected to grow.
 */
export function readFreshness(
  db: ReadableCache | WritableCache,
  now: Date,
  thresholds: FreshnessThresholds | ((source: string) => FreshnessThresholds) = DEFAULT_THRESHOLDS,
): SourceFreshness[] {
  const thresholdsOf = typeof thresholds === 'function' ? thresholds : () => thresholds;
  const rows = db.prepare('SELECT source, last_attempt_at, last_success_at, newest_source_at, last_error_code, last_error FROM freshness ORDER BY source').all() as Row[];
  return rows.map((row) => ({
    source: row.source,
    lastAttemptAt: row.last_attempt_at,
    lastSuccessAt: row.last_success_at,
    newestSourceAt: row.newest_source_at,
    lastError: row.last_error_code ? { code: row.last_error_code, message: row.last_error ?? '' } : null,
    verdict: verdict(row, now, thresholdsOf(row.source)),
  }));
}

function verdict(row: Row, now: Date, thresholds: FreshnessThresholds): SourceFreshness['verdict'] {
  if (!row.last_success_at) return 'never-synced';
  const success = Date.parse(row.last_success_at);
  const newest = row.newest_source_at ? Date.parse(row.newest_source_at) : Number.NaN;
  const expectsNewData = Number.isFinite(thresholds.sourceStaleAfterMs);
  if (expectsNewData && (Number.isNaN(newest) || success - newest > thresholds.sourceStaleAfterMs)) return 'source-stale';
  if (now.getTime() - success > thresholds.cacheOldAfterMs) return 'cache-old';
  return 'ok';
}
