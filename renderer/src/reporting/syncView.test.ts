import { describe, expect, it } from 'vitest';
import { daysSince, formatAge, formatAgo, formatCount, formatDuration, formatElapsed, outcomeView, progressView } from './syncView.js';

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
