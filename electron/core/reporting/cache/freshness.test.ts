import { describe, expect, it } from 'vitest';
import { openWritableCache } from './database.js';
import { readFreshness } from './freshness.js';

const H = 3_600_000;
describe('freshness', () => {
  const db = openWritableCache(':memory:');
  const set = (source: string, success: string | null, newest: string | null, error: [string, string] | null = null) =>
    db.prepare('INSERT OR REPLACE INTO freshness VALUES (?, ?, ?, ?, ?, ?)').run(source, success, success, newest, error?.[0] ?? null, error?.[1] ?? null);
  const now = new Date('2026-11-20T12:00:00Z');

  it('tells a healthy source from one that stopped receiving data while syncs still succeed', () => {
    set('healthy', new Date(now.getTime() - H).toISOString(), new Date(now.getTime() - 2 * H).toISOString());
    set('stopped', new Date(now.getTime() - H).toISOString(), new Date(now.getTime() - 5 * 24 * H).toISOString());
    set('old', new Date(now.getTime() - 30 * H).toISOString(), new Date(now.getTime() - 31 * H).toISOString());
    set('new', null, null, ['SOURCE_UNREACHABLE', 'Could not connect']);
    const byName = Object.fromEntries(readFreshness(db, now).map((f) => [f.source, f]));
    expect(byName.healthy?.verdict).toBe('ok');
    expect(byName.stopped?.verdict).toBe('source-stale');
    expect(byName.old?.verdict).toBe('cache-old');
    expect(byName.new).toMatchObject({ verdict: 'never-synced', lastError: { code: 'SOURCE_UNREACHABLE' } });
  });

  it("never calls a source stale that is not expected to grow, and takes each source's own limit", () => {
    set('archive', new Date(now.getTime() - H).toISOString(), new Date(now.getTime() - 900 * 24 * H).toISOString());
    set('weekly', new Date(now.getTime() - H).toISOString(), new Date(now.getTime() - 5 * 24 * H).toISOString());
    const limits = (source: string) => ({
      cacheOldAfterMs: 6 * H,
      sourceStaleAfterMs: source === 'archive' ? Infinity : source === 'weekly' ? 8 * 24 * H : 24 * H,
    });
    const byName = Object.fromEntries(readFreshness(db, now, limits).map((f) => [f.source, f]));
    expect(byName.archive?.verdict).toBe('ok');
    expect(byName.weekly?.verdict).toBe('ok');
    expect(byName.stopped?.verdict).toBe('source-stale');
  });
});
