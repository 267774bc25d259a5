import type { SyncState } from '../../../shared/contract/reporting.js';
import { BacklineError } from '../../../shared/errors.js';
import type { SyncConfig } from './sync/config.js';
import { syncAll } from './sync/engine.js';
import { SyncError } from './sync/errors.js';
import type { CacheSink } from './sync/writer.js';

export interface SyncControllerDeps {
  /** Reads the source config now (it may have been edited since the last sync); throws when missing or invalid. */
  loadConfig: () => SyncConfig;
  /** A sink writing into the cache, off the main thread in the app (WorkerSink). */
  openSink: () => CacheSink;
  publish: (state: SyncState) => void;
  clock: () => Date;
  batchRows?: number;
  /** Progress events at most this often; the start and the end always go out. */
  throttleMs?: number;
  log?: (message: string, error: unknown) => void;
}

/**
 * The one sync that may run at a time: started by the engineer, followed through events, stoppable.
 * The call that starts it returns at once; the outcome is in the state and in the last event.
 */
export class SyncController {
  private current: SyncState = { state: 'idle', full: false, startedAt: null, rows: 0, progress: null, last: null };
  private abort: AbortController | null = null;
  private running: Promise<void> = Promise.resolve();
  private lastPublished = 0;

  constructor(private readonly deps: SyncControllerDeps) {}

  state(): SyncState {
    return this.current;
  }

  start(full: boolean): SyncState {
    if (this.current.state !== 'idle') {
      throw new BacklineError('SYNC_RUNNING', undefined, { hint: 'Wait for it to finish, or cancel it first.' });
    }
    const config = this.deps.loadConfig();
    const abort = new AbortController();
    this.abort = abort;
    const started = this.deps.clock();
    this.set({ state: 'running', full, startedAt: started.toISOString(), rows: 0, progress: null }, true);
    this.running = this.run(config, full, abort.signal, started);
    return this.current;
  }

  cancel(): SyncState {
    if (this.current.state === 'running' && this.abort) {
      this.abort.abort();
      this.set({ state: 'cancelling' }, true);
    }
    return this.current;
  }

  /** Resolves when the running sync (if any) has ended. */
  settled(): Promise<void> {
    return this.running;
  }

  async close(): Promise<void> {
    this.cancel();
    await this.running;
  }

  private async run(config: SyncConfig, full: boolean, signal: AbortSignal, started: Date): Promise<void> {
    let sink: CacheSink | null = null;
    let outcome: NonNullable<SyncState['last']>;
    try {
      sink = this.deps.openSink();
      const result = await syncAll(config, sink, {
        full,
        signal,
        clock: this.deps.clock,
        ...(this.deps.batchRows ? { batchSize: this.deps.batchRows } : {}),
        onProgress: ({ runRows, ...progress }) => this.set({ progress, rows: runRows }, false),
      });
      outcome = { outcome: 'done', at: this.deps.clock().toISOString(), rows: result.rows, ms: result.ms, error: null };
    } catch (error) {
      const cancelled = error instanceof SyncError && error.code === 'SYNC_CANCELLED';
      if (!(error instanceof SyncError)) this.deps.log?.('The reporting sync failed unexpectedly', error);
      outcome = {
        outcome: cancelled ? 'cancelled' : 'failed',
        at: this.deps.clock().toISOString(),
        rows: this.current.rows,
        ms: this.deps.clock().getTime() - started.getTime(),
        error: {
          code: error instanceof SyncError ? error.code : 'INTERNAL',
          message: error instanceof Error ? error.message : String(error),
        },
      };
    } finally {
      await sink?.close().catch((error: unknown) => this.deps.log?.('Closing the reporting cache writer failed', error));
    }
    this.abort = null;
    this.set({ state: 'idle', progress: null, last: outcome }, true);
  }

  private set(patch: Partial<SyncState>, always: boolean): void {
    this.current = { ...this.current, ...patch };
    const now = Date.now();
    if (always || now - this.lastPublished >= (this.deps.throttleMs ?? 250)) {
      this.lastPublished = now;
      this.deps.publish(this.current);
    }
  }
}
