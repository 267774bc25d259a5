import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SyncState } from '../../../shared/contract/reporting.js';
import { BacklineError } from '../../../shared/errors.js';
import { tempDir } from '../testing/temp-dir.js';
import { openReadableCache } from './cache/database.js';
import { readFreshness } from './cache/freshness.js';
import { generate } from './source/generate.js';
import { SyncController } from './sync-controller.js';
import { standardConfig } from './sync/standard-sources.js';
import { WorkerSink } from './sync/worker-sink.js';
import type { SyncConfig } from './sync/config.js';
import { freshDatabase } from './testing/pg-server.js';

let main: { url: string; drop: () => Promise<void> };
let archive: { url: string; drop: () => Promise<void> };
const dir = tempDir('backline-sync-controller-');
let n = 0;

beforeAll(async () => {
  main = await freshDatabase('ctl_main');
  archive = await freshDatabase('ctl_archive');
  await generate({ url: main.url, secondUrl: archive.url, tickets: 4000, seed: 11 });
}, 60_000);

afterAll(async () => {
  await main?.drop();
  await archive?.drop();
  dir.remove();
});

function controller(config: () => SyncConfig, batchRows = 1000) {
  const cacheFile = join(dir.path, `reporting-${++n}.sqlite`);
  const events: SyncState[] = [];
  const sync = new SyncController({
    loadConfig: config,
    openSink: () => new WorkerSink(cacheFile),
    publish: (state) => events.push(state),
    clock: () => new Date(),
    batchRows,
    throttleMs: 0,
  });
  return { sync, events, cacheFile };
}

describe('the sync the engineer starts from the window', () => {
  it('returns at once, reports progress as it goes, and ends with the outcome', async () => {
    const { sync, events, cacheFile } = controller(() => standardConfig(main.url, archive.url));
    const started = sync.start(false);
    expect(started.state).toBe('running');
    expect(() => sync.start(false)).toThrow(expect.objectContaining({ code: 'SYNC_RUNNING' }) as Error);
    await sync.settled();

    const final = sync.state();
    expect(final.state).toBe('idle');
    expect(final.last?.outcome).toBe('done');
    expect(final.last?.rows).toBeGreaterThan(20_000);
    // Progress went up in several steps, and the run's total never went backwards across tables.
    const running = events.filter((e) => e.state === 'running' && e.progress);
    expect(running.length).toBeGreaterThan(10);
    const totals = running.map((e) => e.rows);
    expect(totals).toEqual([...totals].sort((a, b) => a - b));
    expect(totals.at(-1)).toBe(final.last?.rows);
    expect(new Set(running.map((e) => e.progress?.table))).toContain('comments');
    expect(events.at(-1)).toEqual(final);

    const db = openReadableCache(cacheFile);
    const freshness = readFreshness(db, new Date());
    db.close();
    expect(freshness.map((f) => f.source)).toEqual(['archive', 'main']);
    expect(freshness.every((f) => f.lastSuccessAt !== null && f.lastError === null)).toBe(true);
  });

  it('stops when cancelled, keeps what was committed, and says so', async () => {
    const { sync, events } = controller(() => standardConfig(main.url, archive.url), 500);
    sync.start(true);
    await new Promise<void>((resolve) => {
      const wait = setInterval(() => {
        if (sync.state().rows > 0) {
          clearInterval(wait);
          resolve();
        }
      }, 5);
    });
    expect(sync.cancel().state).toBe('cancelling');
    await sync.settled();
    const last = sync.state().last;
    expect(last?.outcome).toBe('cancelled');
    expect(last?.error?.code).toBe('SYNC_CANCELLED');
    expect(last?.error?.message).toMatch(/next sync continues/);
    expect(events.some((e) => e.state === 'cancelling')).toBe(true);
    // And the next sync runs to the end from where it stopped.
    sync.start(false);
    await sync.settled();
    expect(sync.state().last?.outcome).toBe('done');
  });

  it('reports a source it cannot reach as a failed run with what to do next', async () => {
    const unreachable = standardConfig('postgres://postgres@127.0.0.1:1/nothing');
    const { sync } = controller(() => unreachable);
    sync.start(false);
    await sync.settled();
    const last = sync.state().last;
    expect(last?.outcome).toBe('failed');
    expect(last?.error?.code).toBe('SOURCE_UNREACHABLE');
    expect(last?.error?.message).toMatch(/Check that the database is up/);
    expect(sync.state().state).toBe('idle');
  });

  it('refuses to start without a usable config, and nothing starts', () => {
    const { sync, events } = controller(() => {
      throw new BacklineError('REPORTING_NOT_CONFIGURED', 'No reporting source config at /x.');
    });
    expect(() => sync.start(false)).toThrow(expect.objectContaining({ code: 'REPORTING_NOT_CONFIGURED' }) as Error);
    expect(sync.state().state).toBe('idle');
    expect(events).toEqual([]);
  });
});
