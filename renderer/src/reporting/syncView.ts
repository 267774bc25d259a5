import type { ReportingStatus, SyncState } from '../../../shared/contract/reporting.js';

const counter = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** 1234567 -> "1,234,567": rows are counted in the hundreds of thousands. */
export function formatCount(n: number): string {
  return counter.format(n);
}

/** A duration as people read it: "45 s", "2 min 05 s", "1 h 20 min". */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

/** Elapsed time of a run in progress, to the tenth of a second under a minute: "3.4 s". */
export function formatElapsed(ms: number): string {
  if (ms < 60_000) return `${(Math.max(0, ms) / 1000).toFixed(1)} s`;
  return formatDuration(ms / 1000);
}

/** How long ago, roughly: "just now", "12 min", "5 h", "3 days". */
export function formatAge(iso: string, now: number): string {
  const ms = now - Date.parse(iso);
  if (Number.isNaN(ms)) return '';
  if (ms < 60_000) return 'just now';
  if (ms < 3_600_000) return `${Math.floor(ms / 60_000)} min`;
  if (ms < 2 * 86_400_000) return `${Math.floor(ms / 3_600_000)} h`;
  return `${Math.floor(ms / 86_400_000)} days`;
}

/** "just now", or "12 min ago", "3 days ago". */
export function formatAgo(iso: string, now: number): string {
  const age = formatAge(iso, now);
  return age === 'just now' || age === '' ? age : `${age} ago`;
}

/** Whole days since a moment (never negative). */
export function daysSince(iso: string, now: number): number {
  const ms = now - Date.parse(iso);
  return Number.isNaN(ms) ? 0 : Math.max(0, Math.floor(ms / 86_400_000));
}

export interface ProgressView {
  /** "main / comments" */
  where: string;
  /** "12,000 of 48,210 rows" or "12,000 rows" when the source did not say how many. */
  rows: string;
  /** 0..100 when the expected count is known, else null (an indeterminate bar). */
  percent: number | null;
  /** "8,400 rows/s" */
  rate: string;
  /** "about 12 s left", or null when unknown. */
  eta: string | null;
}

export function progressView(progress: NonNullable<SyncState['progress']>): ProgressView {
  const { source, table, rows, expected, rate, etaSeconds } = progress;
  const percent = expected !== null && expected > 0 ? Math.min(100, Math.max(0, (rows / expected) * 100)) : null;
  return {
    where: `${source} / ${table}`,
    rows: expected !== null ? `${formatCount(rows)} of ${formatCount(expected)} rows` : `${formatCount(rows)} rows`,
    percent,
    rate: `${formatCount(rate)} rows/s`,
    eta: etaSeconds !== null && Number.isFinite(etaSeconds) ? `about ${formatDuration(etaSeconds)} left` : null,
  };
}

export interface OutcomeView {
  color: 'teal' | 'red' | 'gray';
  text: string;
}

/** How the last finished sync ended, in one line. */
export function outcomeView(last: NonNullable<SyncState['last']>): OutcomeView {
  const took = formatElapsed(last.ms);
  const rows = `${formatCount(last.rows)} row${last.rows === 1 ? '' : 's'}`;
  switch (last.outcome) {
    case 'done':
      return { color: 'teal', text: `Done: ${rows} synced in ${took}.` };
    case 'cancelled':
      return { color: 'gray', text: `Cancelled after ${took}: ${rows} committed stay, the next sync continues from there.` };
    case 'failed':
      return { color: 'red', text: `Failed after ${took} (${rows} committed): ${last.error?.message ?? 'no reason given'}` };
  }
}

/**
 * Whether the cache panel can fold to one line: every source has synced, none failed last time, and
 * nothing runs. Anything that needs a look (never synced, a failure, a sync going) keeps it open.
 */
export function cacheSettled(status: ReportingStatus): boolean {
  return (
    status.configured &&
    status.sync.state === 'idle' &&
    status.sync.last?.outcome !== 'failed' &&
    status.freshness.length > 0 &&
    status.freshness.every((f) => f.lastSuccessAt !== null && f.lastError === null)
  );
}

export interface SourceChip {
  source: string;
  /** "fresh", "source stale", "cache old", "archive" */
  label: string;
  color: 'teal' | 'yellow' | 'red' | 'gray';
  /** When it last synced, for the chip's title. */
  detail: string;
}

/** Each source in a word, for the folded panel: the same verdicts as the table it folds away. */
export function sourceChips(status: ReportingStatus, now: number): SourceChip[] {
  return status.freshness.map((f) => {
    const synced = f.lastSuccessAt ? `synced ${formatAgo(f.lastSuccessAt, now)}` : 'never synced';
    const newest = f.newestSourceAt ? `; newest data ${formatAgo(f.newestSourceAt, now)}` : '';
    const detail = `${f.source}: ${synced}${newest}`;
    if (f.verdict === 'ok') return f.expectsNewData ? { source: f.source, label: 'fresh', color: 'teal', detail } : { source: f.source, label: 'archive', color: 'gray', detail };
    if (f.verdict === 'source-stale') return { source: f.source, label: 'source stale', color: 'red', detail };
    if (f.verdict === 'cache-old') return { source: f.source, label: 'cache old', color: 'yellow', detail };
    return { source: f.source, label: 'never synced', color: 'gray', detail };
  });
}
