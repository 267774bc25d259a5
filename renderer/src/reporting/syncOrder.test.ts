import { describe, expect, it } from 'vitest';
import type { SyncState } from '../../../shared/contract/reporting.js';
import { isOlderSyncState } from './syncOrder.js';

const running: SyncState = { state: 'running', full: false, startedAt: '2026-11-25T12:00:00.000Z', rows: 0, progress: null, last: null };
const ended = (at: string): SyncState => ({ state: 'idle', full: false, startedAt: null, rows: 0, progress: null, last: { outcome: 'done', at, rows: 10, ms: 100, error: null } });

describe('isOlderSyncState', () => {
  it('ignores a late "running" for a run that has already ended', () => {
    expect(isOlderSyncState(ended('2026-11-25T12:00:00.100Z'), running)).toBe(true);
  });

  it('takes a new run that started after the last one ended', () => {
    expect(isOlderSyncState(ended('2026-11-25T11:00:00.000Z'), running)).toBe(false);
  });

  it('always takes an end, progress over progress, and anything when nothing is known', () => {
    expect(isOlderSyncState(running, ended('2026-11-25T12:00:01.000Z'))).toBe(false);
    expect(isOlderSyncState({ ...running, rows: 10 }, { ...running, rows: 20 })).toBe(false);
    expect(isOlderSyncState(undefined, running)).toBe(false);
  });
});
