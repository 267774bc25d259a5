import type { ReportingStatus, SourceFreshnessView } from '../../../shared/contract/reporting.js';
import { formatDateTime } from '../app/formatTime.js';
import { daysSince, formatAgo } from './syncView.js';

export interface FreshnessAlert {
  key: string;
  /** stale: the source itself stopped receiving data (loud, red). failed: the last sync of it failed. old: the cache needs a sync. */
  kind: 'stale' | 'failed' | 'old';
  source: string;
  title: string;
  lines: string[];
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function lastSuccess(f: SourceFreshnessView, now: number): string {
  return f.lastSuccessAt ? `The last sync succeeded at ${formatDateTime(f.lastSuccessAt)} (${formatAgo(f.lastSuccessAt, now)}).` : 'No sync of it has succeeded yet.';
}

function staleAlert(f: SourceFreshnessView, now: number): FreshnessAlert {
  if (!f.newestSourceAt) {
    return {
      key: `stale-${f.source}`,
      kind: 'stale',
      source: f.source,
      title: `Reporting source "${f.source}" holds no dated data`,
      lines: [lastSuccess(f, now), 'Reports over it show nothing recent: check that the source still receives its dumps.'],
    };
  }
  const days = daysSince(f.newestSourceAt, now);
  return {
    key: `stale-${f.source}`,
    kind: 'stale',
    source: f.source,
    title: `Reporting source "${f.source}" has received no new data since ${formatDateTime(f.newestSourceAt)} (${plural(days, 'day')})`,
    lines: [lastSuccess(f, now), 'Syncs go through, but the source itself has stopped getting data: reports over it are out of date. Check the dumps feeding it.'],
  };
}

/**
 * What the app-wide banner says about the reporting cache (story 4): a source that stopped getting
 * data is loud; a failed sync names its error; an old cache asks for a sync. Nothing when all is well,
 * when reporting is not configured, or for a source never synced (the Reports page says that).
 */
export function freshnessAlerts(status: ReportingStatus | undefined, now: number): FreshnessAlert[] {
  if (!status?.configured) return [];
  const alerts: FreshnessAlert[] = [];
  for (const f of status.freshness) {
    if (f.verdict === 'source-stale') alerts.push(staleAlert(f, now));
    if (f.lastError) {
      alerts.push({
        key: `failed-${f.source}`,
        kind: 'failed',
        source: f.source,
        title: `The last sync of "${f.source}" failed${f.lastAttemptAt ? ` at ${formatDateTime(f.lastAttemptAt)}` : ''}`,
        lines: [f.lastError.message, lastSuccess(f, now)],
      });
    } else if (f.verdict === 'cache-old' && f.lastSuccessAt) {
      alerts.push({
        key: `old-${f.source}`,
        kind: 'old',
        source: f.source,
        title: `The reporting cache of "${f.source}" was last synced ${formatAgo(f.lastSuccessAt, now)}`,
        lines: [`Last sync: ${formatDateTime(f.lastSuccessAt)}. Reports show the data as of then.`],
      });
    }
  }
  return alerts;
}
