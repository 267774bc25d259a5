import { describe, expect, it } from 'vitest';
import type { ReportingStatus, SourceFreshnessView } from '../../../shared/contract/reporting.js';
import { freshnessAlerts } from './freshness.js';

const now = Date.parse('2026-11-25T12:00:00Z');

function status(freshness: SourceFreshnessView[], configured = true): ReportingStatus {
  return {
    configFile: '/data/reporting-sources.json',
    configured,
    configError: null,
    sources: freshness.map((f) => ({ name: f.source, tables: [] })),
    cacheFile: '/data/reporting.sqlite',
    cacheBytes: null,
    freshness,
    sync: { state: 'idle', full: false, startedAt: null, rows: 0, progress: null, last: null },
  };
}

function source(patch: Partial<SourceFreshnessView>): SourceFreshnessView {
  return {
    source: 'main',
    lastAttemptAt: '2026-11-25T11:30:00Z',
    lastSuccessAt: '2026-11-25T11:30:00Z',
    newestSourceAt: '2026-11-25T11:00:00Z',
    lastError: null,
    verdict: 'ok',
    expectsNewData: true,
    ...patch,
  };
}

describe('freshnessAlerts', () => {
  it('says nothing when every source is fine, or never synced, or reporting is not configured', () => {
    expect(freshnessAlerts(status([source({})]), now)).toEqual([]);
    expect(freshnessAlerts(status([source({ verdict: 'never-synced', lastSuccessAt: null })]), now)).toEqual([]);
    expect(freshnessAlerts(status([source({ verdict: 'source-stale' })], false), now)).toEqual([]);
    expect(freshnessAlerts(undefined, now)).toEqual([]);
  });

  it('names a stale source, since when it has no new data and in days, and the last successful sync', () => {
    const [alert] = freshnessAlerts(status([source({ verdict: 'source-stale', newestSourceAt: '2026-11-20T00:00:00Z' })]), now);
    expect(alert?.kind).toBe('stale');
    expect(alert?.title).toMatch(/^Reporting source "main" has received no new data since 2026-11-\d\d \d\d:\d\d:\d\d \(5 days\)$/);
    expect(alert?.lines[0]).toMatch(/^The last sync succeeded at 2026-11-25 \d\d:30:00 \(30 min ago\)\.$/);
  });

  it('counts one day in the singular', () => {
    const [alert] = freshnessAlerts(status([source({ verdict: 'source-stale', newestSourceAt: '2026-11-24T06:00:00Z' })]), now);
    expect(alert?.title).toContain('(1 day)');
  });

  it('asks for a sync when the cache is old', () => {
    const [alert] = freshnessAlerts(status([source({ verdict: 'cache-old', lastSuccessAt: '2026-11-24T12:00:00Z' })]), now);
    expect(alert).toMatchObject({ kind: 'old', source: 'main', title: 'The reporting cache of "main" was last synced 24 h ago' });
  });

  it('shows the error of a failed last sync instead of asking for another', () => {
    const alerts = freshnessAlerts(
      status([source({ verdict: 'cache-old', lastSuccessAt: '2026-11-24T12:00:00Z', lastError: { code: 'SOURCE_UNREACHABLE', message: 'archive: connection refused' } })]),
      now,
    );
    expect(alerts.map((a) => a.kind)).toEqual(['failed']);
    expect(alerts[0]?.lines[0]).toBe('archive: connection refused');
  });

  it('warns about each source on its own', () => {
    const alerts = freshnessAlerts(status([source({ verdict: 'source-stale' }), source({ source: 'archive', verdict: 'source-stale', newestSourceAt: null })]), now);
    expect(alerts.map((a) => a.source)).toEqual(['main', 'archive']);
    expect(alerts[1]?.title).toBe('Reporting source "archive" holds no dated data');
  });
});
