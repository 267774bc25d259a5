import { describe, expect, it } from 'vitest';
import type { ReportingStatus, SourceFreshnessView } from '../../../shared/contract/reporting.js';
import { cacheSettled, daysSince, formatAge, formatAgo, formatCount, formatDuration, formatElapsed, outcomeView, progressView, sourceChips } from './syncView.js';

const now = Date.parse('2026-11-25T12:00:00Z');

describe('formatting', () => {
  it('counts rows with separators', () => {
    expect(formatCount(1234567)).toBe('1,234,567');
    expect(formatCount(0)).toBe('0');
    expect(formatCount(812.6)).toBe('813');
  });

  it('reads durations as people say them', () => {
    expect(formatDuration(45)).toBe('45 s');
    expect(formatDuration(125)).toBe('2 min 05 s');
    expect(formatDuration(4800)).toBe('1 h 20 min');
    expect(formatElapsed(3400)).toBe('3.4 s');
    expect(formatElapsed(61_000)).toBe('1 min 01 s');
  });

  it('says how old something is', () => {
    expect(formatAge('2026-11-25T11:59:30Z', now)).toBe('just now');
    expect(formatAge('2026-11-25T11:48:00Z', now)).toBe('12 min');
    expect(formatAge('2026-11-25T07:00:00Z', now)).toBe('5 h');
    expect(formatAge('2026-11-20T00:00:00Z', now)).toBe('5 days');
    expect(formatAgo('2026-11-25T11:59:30Z', now)).toBe('just now');
    expect(formatAgo('2026-11-20T00:00:00Z', now)).toBe('5 days ago');
    expect(daysSince('2026-11-20T00:00:00Z', now)).toBe(5);
    expect(daysSince('2026-11-26T00:00:00Z', now)).toBe(0);
  });
});

describe('progressView', () => {
  it('shows rows of expected, a percentage, the rate and what is left', () => {
    expect(progressView({ source: 'main', table: 'comments', rows: 12000, expected: 48000, rate: 8400.4, etaSeconds: 4.3 })).toEqual({
      where: 'main / comments',
      rows: '12,000 of 48,000 rows',
      percent: 25,
      rate: '8,400 rows/s',
      eta: 'about 4 s left',
    });
  });

  it('has no percentage or ETA when the source did not say how many rows to expect', () => {
    const view = progressView({ source: 'archive', table: 'ticket_status_events', rows: 2000, expected: null, rate: 0, etaSeconds: null });
    expect(view.percent).toBeNull();
    expect(view.eta).toBeNull();
    expect(view.rows).toBe('2,000 rows');
  });

  it('never overflows the bar when more rows came than expected', () => {
    expect(progressView({ source: 'm', table: 't', rows: 120, expected: 100, rate: 1, etaSeconds: 0 }).percent).toBe(100);
  });
});

describe('outcomeView', () => {
  it('says how the last sync ended', () => {
    expect(outcomeView({ outcome: 'done', at: '', rows: 1, ms: 1500, error: null })).toEqual({ color: 'teal', text: 'Done: 1 row synced in 1.5 s.' });
    expect(outcomeView({ outcome: 'failed', at: '', rows: 0, ms: 200, error: { code: 'SYNC_FAILED', message: 'main: connection refused' } }).text).toBe(
      'Failed after 0.2 s (0 rows committed): main: connection refused',
    );
    expect(outcomeView({ outcome: 'cancelled', at: '', rows: 4000, ms: 2000, error: null }).color).toBe('gray');
  });
});

describe('the cache panel folded to one line', () => {
  const source = (over: Partial<SourceFreshnessView>): SourceFreshnessView => ({
    source: 'main',
    lastAttemptAt: '2026-11-25T11:00:00Z',
    lastSuccessAt: '2026-11-25T11:00:00Z',
    newestSourceAt: '2026-11-25T10:00:00Z',
    lastError: null,
    verdict: 'ok',
    expectsNewData: true,
    ...over,
  });
  const status = (freshness: SourceFreshnessView[], sync: Partial<ReportingStatus['sync']> = {}): ReportingStatus => ({
    configFile: '/c.json',
    configured: true,
    configError: null,
    sources: [],
    cacheFile: '/r.sqlite',
    cacheBytes: 1,
    freshness,
    sync: { state: 'idle', full: false, startedAt: null, rows: 0, progress: null, last: { outcome: 'done', at: '2026-11-25T11:00:00Z', rows: 10, ms: 5, error: null }, ...sync },
  });

  it('folds once every source has synced and nothing failed or runs', () => {
    expect(cacheSettled(status([source({}), source({ source: 'archive', verdict: 'source-stale' })]))).toBe(true);
  });

  it('stays open for what needs a look: a source never synced, a failure, a sync going, no config', () => {
    expect(cacheSettled(status([source({}), source({ source: 'archive', lastSuccessAt: null, verdict: 'never-synced' })]))).toBe(false);
    expect(cacheSettled(status([source({ lastError: { code: 'SYNC_FAILED', message: 'refused' } })]))).toBe(false);
    expect(cacheSettled(status([source({})], { last: { outcome: 'failed', at: '', rows: 0, ms: 1, error: null } }))).toBe(false);
    expect(cacheSettled(status([source({})], { state: 'running' }))).toBe(false);
    expect(cacheSettled(status([]))).toBe(false);
    expect(cacheSettled({ ...status([source({})]), configured: false })).toBe(false);
  });

  it('says each source in a word, as the table would', () => {
    const chips = sourceChips(
      status([source({}), source({ source: 'stale', verdict: 'source-stale' }), source({ source: 'archive', expectsNewData: false }), source({ source: 'old', verdict: 'cache-old' })]),
      now,
    );
    expect(chips.map((c) => [c.source, c.label, c.color])).toEqual([
      ['main', 'fresh', 'teal'],
      ['stale', 'source stale', 'red'],
      ['archive', 'archive', 'gray'],
      ['old', 'cache old', 'yellow'],
    ]);
    expect(chips[0]?.detail).toBe('main: synced 1 h ago; newest data 2 h ago');
  });
});
