import { existsSync } from 'node:fs';
import type { CacheTable } from '../../../../shared/contract/reporting.js';
import type { ReportLimits, ReportResult } from '../../../../shared/domain/report.js';
import { BacklineError } from '../../../../shared/errors.js';
import { childReportProcess, reportProcessEntry, type ReportProcess, type ReportProcessLauncher } from './report-process.js';
import type { RunnerReply, RunnerRequest } from './runner-process.js';
import type { LookupRequest } from './lookups.js';
import type { BoundValue } from './params.js';
import type { StepResult } from './statement.js';

/**
 * Runs report SQL off the main thread, in forked processes that each hold a read-only cache
 * connection. A process rather than a worker thread: better-sqlite3 cannot interrupt a statement,
 * and one long sqlite3_step cannot be stopped by Worker.terminate, while a process can always be
 * killed. A killed process is replaced on the next run.
 *
 * A small pool (two processes by default) so that one slow report does not hold up a quick lookup
 * behind it; more would only contend for the same disk and cores. Runs beyond that wait in a queue,
 * and their time limit starts when they start.
 *
 * A result is bounded in rows, in bytes and per value inside the report process (see runReport), so a
 * report of 40 MiB blobs costs the main process its limits, not the blobs.
 */
export interface ReportRunnerOptions {
  cacheFile: string;
  defaultTimeoutMs?: number;
  maxRows?: number;
  /** The size of a result the report process keeps (64 MiB by default); the rows beyond are not read. */
  maxBytes?: number;
  /** The size of one value (256 KiB by default); a longer one is cut to its first part and a note of its size. */
  maxCellBytes?: number;
  /** How many report processes may run at once. */
  processes?: number;
  /** What starts a report process: a Node child by default, Electron's utilityProcess in the desktop app. */
  launcher?: ReportProcessLauncher;
}

export interface RunRequest {
  runId: string;
  sql: string;
  values: Record<string, BoundValue>;
  timeoutMs?: number | undefined;
  maxRows?: number | undefined;
  /** Values that must exist in the cache before the report runs (see lookups.ts). */
  lookups?: readonly LookupRequest[] | undefined;
}

type Body =
  | { kind: 'run'; sql: string; values: Record<string, unknown>; limits: ReportLimits; lookups: readonly LookupRequest[] }
  | { kind: 'check'; sql: string }
  | { kind: 'schema' };

interface Job {
  id: number;
  runId: string | null;
  body: Body;
  timeoutMs: number;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  child: Child | null;
  started: number;
  onStart: ((at: number) => void) | null;
  timer: NodeJS.Timeout | null;
}

interface Child {
  proc: ReportProcess;
  ready: boolean;
  job: Job | null;
  /** The end of its stderr, to explain a process that could not start or crashed. */
  stderr: string;
}

export class ReportRunner {
  private readonly cacheFile: string;
  private readonly defaultTimeoutMs: number;
  private readonly maxRows: number;
  private readonly maxBytes: number;
  private readonly maxCellBytes: number;
  private readonly processes: number;
  private readonly launcher: ReportProcessLauncher;
  private readonly children: Child[] = [];
  private readonly queue: Job[] = [];
  private nextId = 1;
  private closed = false;

  constructor(options: ReportRunnerOptions) {
    this.cacheFile = options.cacheFile;
    this.defaultTimeoutMs = options.defaultTimeoutMs ?? 30_000;
    this.maxRows = options.maxRows ?? 200_000;
    this.maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
    this.maxCellBytes = options.maxCellBytes ?? 256 * 1024;
    this.processes = Math.max(1, options.processes ?? 2);
    this.launcher = options.launcher ?? childReportProcess;
  }

  /** Runs one report. Rejects with a BacklineError: REPORT_TIMEOUT, CANCELLED, REPORT_SQL_ERROR, REPORT_READ_ONLY, ... */
  async run(request: RunRequest): Promise<ReportResult> {
    if (this.active(request.runId)) throw new BacklineError('ALREADY_EXISTS', `A report run with id ${request.runId} is already going.`, { hint: 'Use a new run id for each run.' });
    const limits: ReportLimits = { maxRows: request.maxRows ?? this.maxRows, maxBytes: this.maxBytes, maxCellBytes: this.maxCellBytes };
    let started = 0;
    const step = (await this.submit(
      request.runId,
      { kind: 'run', sql: request.sql, values: request.values, limits, lookups: request.lookups ?? [] },
      request.timeoutMs ?? this.defaultTimeoutMs,
      (at) => (started = at),
    )) as StepResult;
    return { ...step, ms: Math.round((performance.now() - started) * 10) / 10 };
  }

  /** Prepares the SQL without running it: its columns, or why it cannot be a report. */
  async check(sql: string): Promise<{ columns: string[] }> {
    return (await this.submit(null, { kind: 'check', sql }, this.defaultTimeoutMs)) as { columns: string[] };
  }

  /** The cache's tables, columns and indexes, read on a report connection (read-only, like every report). */
  async schema(): Promise<CacheTable[]> {
    return (await this.submit(null, { kind: 'schema' }, this.defaultTimeoutMs)) as CacheTable[];
  }

  /** Stops a queued or running report; false when there is no such run (it may have just finished). */
  cancel(runId: string): boolean {
    const job = this.active(runId);
    if (!job) return false;
    this.fail(job, new BacklineError('CANCELLED', 'The report was cancelled.'));
    return true;
  }

  /** Stops every report and process. Reads nothing on the cache, so killing is always safe. */
  close(): void {
    this.closed = true;
    for (const job of [...this.queue, ...this.children.flatMap((c) => (c.job ? [c.job] : []))]) {
      this.fail(job, new BacklineError('CANCELLED', 'Backline is closing: the report was stopped.'));
    }
    for (const child of [...this.children]) this.kill(child);
  }

  private active(runId: string): Job | undefined {
    return this.queue.find((j) => j.runId === runId) ?? this.children.find((c) => c.job?.runId === runId)?.job ?? undefined;
  }

  private submit(runId: string | null, body: Body, timeoutMs: number, onStart?: (at: number) => void): Promise<unknown> {
    if (this.closed) return Promise.reject(new BacklineError('CANCELLED', 'The report runner is closed.'));
    if (!existsSync(this.cacheFile)) {
      return Promise.reject(
        new BacklineError('REPORTING_CACHE_EMPTY', 'The reporting cache has not been synced yet, so there is nothing to report on.', {
          hint: 'Sync the reporting cache first (Reports → Sync, or npm run reporting:sync).',
        }),
      );
    }
    return new Promise((resolve, reject) => {
      const job: Job = { id: this.nextId++, runId, body, timeoutMs, resolve, reject, child: null, started: 0, onStart: onStart ?? null, timer: null };
      this.queue.push(job);
      this.pump();
    });
  }

  /** Gives queued jobs to idle processes, and starts processes (up to the pool size) for the rest. */
  private pump(): void {
    if (this.closed) return;
    for (const child of this.children) {
      if (!child.ready || child.job) continue;
      const job = this.queue.shift();
      if (!job) break;
      this.start(child, job);
    }
    let starting = this.children.filter((c) => !c.ready).length;
    while (this.queue.length > starting && this.children.length < this.processes) {
      this.spawn();
      starting++;
    }
    for (const child of this.children) this.setRef(child);
  }

  private start(child: Child, job: Job): void {
    child.job = job;
    job.child = child;
    job.started = performance.now();
    job.onStart?.(job.started);
    job.timer = setTimeout(() => this.timeout(job), job.timeoutMs);
    const request: RunnerRequest = { id: job.id, ...job.body };
    child.proc.send(request);
  }

  private timeout(job: Job): void {
    const seconds = job.timeoutMs >= 1000 ? `${Math.round(job.timeoutMs / 100) / 10} s` : `${job.timeoutMs} ms`;
    this.fail(
      job,
      new BacklineError('REPORT_TIMEOUT', `The report ran longer than its time limit of ${seconds} and was stopped.`, {
        hint: 'Narrow the parameters (a shorter period, one team or one tech), or add a condition the cache\'s indexes can use (a range on at, a tech_id or ticket_id).',
        detail: { timeoutMs: job.timeoutMs },
      }),
    );
  }

  /** Ends a job with an error; a running one takes its process with it, since a step cannot be interrupted. */
  private fail(job: Job, error: BacklineError): void {
    if (job.timer) clearTimeout(job.timer);
    const queued = this.queue.indexOf(job);
    if (queued >= 0) this.queue.splice(queued, 1);
    if (job.child) {
      job.child.job = null;
      this.kill(job.child);
      job.child = null;
    }
    job.reject(error);
    this.pump();
  }

  private finish(child: Child, reply: Extract<RunnerReply, { kind: 'done' }>): void {
    const job = child.job;
    if (!job || job.id !== reply.id) return;
    if (job.timer) clearTimeout(job.timer);
    child.job = null;
    job.child = null;
    // Its connection could not be put back as it was: the next run gets a fresh process.
    if (reply.retire) this.kill(child);
    if (reply.ok) job.resolve(reply.value);
    else job.reject(BacklineError.fromWire(reply.error));
    this.pump();
  }

  private spawn(): void {
    const proc = this.launcher(reportProcessEntry(this.cacheFile));
    const child: Child = { proc, ready: false, job: null, stderr: '' };
    this.children.push(child);
    proc.onStderr((chunk) => (child.stderr = (child.stderr + chunk).slice(-2000)));
    proc.onMessage((reply: RunnerReply) => {
      if (reply.kind === 'ready') {
        child.ready = true;
        this.pump();
      } else if (reply.kind === 'failed') {
        // The cache could not be opened: every waiting run would meet the same.
        this.kill(child);
        this.rejectQueued(BacklineError.fromWire(reply.error));
      } else this.finish(child, reply);
    });
    proc.onExit((code, signal) => {
      const known = this.children.includes(child);
      this.drop(child);
      if (!known) return;
      const why = `${signal ? `signal ${signal}` : `code ${code}`}${child.stderr.trim() ? `: ${child.stderr.trim().split('\n').slice(-3).join(' ')}` : ''}`;
      const error = new BacklineError('INTERNAL', `The report process stopped unexpectedly (${why}).`, { hint: 'Run the report again; if it keeps happening, narrow it.' });
      if (child.job) {
        const job = child.job;
        child.job = null;
        job.child = null;
        this.fail(job, error);
      } else if (!child.ready) this.rejectQueued(error); // it could not even start: do not retry forever
      else this.pump();
    });
  }

  private rejectQueued(error: BacklineError): void {
    for (const job of this.queue.splice(0)) job.reject(error);
  }

  private drop(child: Child): void {
    const at = this.children.indexOf(child);
    if (at >= 0) this.children.splice(at, 1);
  }

  private kill(child: Child): void {
    this.drop(child);
    child.proc.kill();
  }

  /** An idle process must not keep Node alive (tests, scripts); a busy one must. */
  private setRef(child: Child): void {
    child.proc.setRef(Boolean(child.job) || !child.ready);
  }
}
