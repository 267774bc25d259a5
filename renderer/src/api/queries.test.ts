import { QueryClient } from '@tanstack/react-query';
import { describe, expect, it } from 'vitest';
import type { ReportingStatus, SyncState } from '../../../shared/contract/reporting.js';
import { applySyncState, queryKeys } from './queries.js';

const idle: SyncState = { state: 'idle', full: false, startedAt: null, rows: 0, progress: null, last: null };
const status: ReportingStatus = {
  configFile: '/data/reporting-sources.json',
  configured: true,
  configError: null,
  sources: [{ name: 'main', tables: ['tickets'] }],
  cacheFile: '/data/reporting.sqlite',
  cacheBytes: 1024,
  freshness: [],
  sync: idle,
};
const running: SyncState = { ...idle, state: 'running', startedAt: '2026-11-25T12:00:00.000Z', rows: 2000, progress: { source: 'main', table: 'tickets', rows: 2000, expected: 20000, rate: 9000, etaSeconds: 2 } };

describe('applySyncState', () => {
  it('puts a sync event into the cached status, so progress shows without a round trip', () => {
    const client = new QueryClient();
    client.setQueryData(queryKeys.reportingStatus(), status);
    applySyncState(client, running);
    expect(client.getQueryData<ReportingStatus>(queryKeys.reportingStatus())?.sync).toEqual(running);
    expect(client.getQueryState(queryKeys.reportingStatus())?.isInvalidated).toBe(false);
  });

  it('marks the status stale when a run ends (freshness changed), and a late "running" does not revive it', () => {
    const client = new QueryClient();
    client.setQueryData(queryKeys.reportingStatus(), status);
    const ended: SyncState = { ...idle, last: { outcome: 'done', at: '2026-11-25T12:00:01.000Z', rows: 20000, ms: 1000, error: null } };
    applySyncState(client, ended);
    expect(client.getQueryState(queryKeys.reportingStatus())?.isInvalidated).toBe(true);
    applySyncState(client, running);
    expect(client.getQueryData<ReportingStatus>(queryKeys.reportingStatus())?.sync).toEqual(ended);
  });

  it('does nothing before the status was ever read', () => {
    const client = new QueryClient();
    applySyncState(client, running);
    expect(client.getQueryData(queryKeys.reportingStatus())).toBeUndefined();
  });
});
