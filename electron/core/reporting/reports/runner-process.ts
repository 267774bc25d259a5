import { existsSync } from 'node:fs';
import type { ReportLimits } from '../../../../shared/domain/report.js';
import { BacklineError, type WireError } from '../../../../shared/errors.js';
import type { CacheTable } from '../../../../shared/contract/reporting.js';
import { connectionState, openReadableCache, restoreConnectionState, type ReadableCache } from '../cache/database.js';
import { readCacheSchema } from '../cache/schema.js';
import { checkLookups, type LookupRequest } from './lookups.js';
import { prepareReport, runReport, type StepResult } from './statement.js';

/**
 * The report process (started by ReportRunner, see report-process.ts): holds one read-only cache connection and runs one
 * request at a time. It is killed, not asked, when a report runs too long or is cancelled.
 *
 * Every request starts from the connection's state as opened: settings a report could have changed
 * are put back after each one. If one cannot be put back, the reply says `retire`, and the runner
 * replaces the process before its next run.
 *
 *   argv[2]: the cache file
 */

export type RunnerRequest =
  | { id: number; kind: 'run'; sql: string; values: Record<string, unknown>; limits: ReportLimits; lookups: readonly LookupRequest[] }
  | { id: number; kind: 'check'; sql: string }
  | { id: number; kind: 'schema' };

export type RunnerReply =
  | { kind: 'ready' }
  | { kind: 'failed'; error: WireError }
  | { kind: 'done'; id: number; ok: true; value: StepResult | { columns: string[] } | CacheTable[]; ms: number; retire: boolean }
  | { kind: 'done'; id: number; ok: false; error: WireError; retire: boolean };

/** Electron's parentPort in a utilityProcess; the IPC channel in a Node child process. */
interface ParentPortLike {
  on(event: 'message', listener: (event: { data: unknown }) => void): void;
  postMessage(message: unknown): void;
}
const parentPort = (process as { parentPort?: ParentPortLike }).parentPort;

const send = (reply: RunnerReply): void => {
  if (parentPort) parentPort.postMessage(reply);
  else process.send?.(reply);
};

const onRequest = (listener: (request: RunnerRequest) => void): void => {
  if (parentPort) parentPort.on('message', (event) => listener(event.data as RunnerRequest));
  else process.on('message', (request: RunnerRequest) => listener(request));
};

function toWire(error: unknown): WireError {
  if (error instanceof BacklineError) return error.toWire();
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'INTERNAL', message: `The report process hit an unexpected problem: ${message}` };
}

function open(file: string): ReadableCache {
  if (!existsSync(file)) {
    throw new BacklineError('REPORTING_CACHE_EMPTY', `There is no reporting cache at ${file} yet.`, { hint: 'Sync the reporting cache first (Reports → Sync).' });
  }
  try {
    return openReadableCache(file);
  } catch (error) {
    throw new BacklineError('REPORTING_CACHE_EMPTY', `The reporting cache at ${file} could not be opened: ${error instanceof Error ? error.message : String(error)}`, {
      hint: 'Sync the reporting cache again (a full sync rebuilds it).',
    });
  }
}

function handle(db: ReadableCache, request: RunnerRequest): StepResult | { columns: string[] } | CacheTable[] {
  switch (request.kind) {
    case 'run':
      // Unknown names fail before the report runs: its empty result would read as "nothing happened".
      checkLookups(db, request.lookups);
      return runReport(db, request.sql, request.values, request.limits);
    case 'check':
      return { columns: prepareReport(db, request.sql).columns };
    case 'schema':
      return readCacheSchema(db);
  }
}

function serve(db: ReadableCache): void {
  const known = connectionState(db);
  onRequest((request) => {
    const started = performance.now();
    const before = restoreConnectionState(db, known);
    if (before.length) {
      // Not reached while every request is followed by the check below; refuse rather than run on a changed connection.
      const error = new BacklineError('INTERNAL', `The report connection was left changed (${before.join(', ')}); it is replaced before the next run.`, { hint: 'Run the report again.' });
      send({ kind: 'done', id: request.id, ok: false, error: error.toWire(), retire: true });
      return;
    }
    let reply: RunnerReply;
    try {
      const value = handle(db, request);
      reply = { kind: 'done', id: request.id, ok: true, value, ms: performance.now() - started, retire: false };
    } catch (error) {
      reply = { kind: 'done', id: request.id, ok: false, error: toWire(error), retire: false };
    }
    reply.retire = restoreConnectionState(db, known).length > 0;
    send(reply);
  });
  send({ kind: 'ready' });
}

// When Backline goes away the report process goes too (a utility process is ended by Electron itself).
process.on('disconnect', () => process.exit(0));
try {
  serve(open(process.argv[2] ?? ''));
} catch (error) {
  const reply: RunnerReply = { kind: 'failed', error: toWire(error) };
  if (parentPort) {
    // The runner ends this process once it has read the reply; should it not, leave anyway.
    parentPort.postMessage(reply);
    setTimeout(() => process.exit(0), 5000);
  } else if (process.send) process.send(reply, undefined, {}, () => process.exit(0)); // exit once the reply is out
  else process.exit(1);
}
