import type { HostOutcome, HostResult, Output, Run, RunStatus, RunSummary } from '../../../shared/domain/command.js';
import { commandText } from '../../../shared/domain/command.js';
import { BacklineError } from '../../../shared/errors.js';
import type { Db } from './database.js';

interface RunRow {
  id: string;
  ticket_id: string;
  argv: string;
  sudo: number;
  timeout_s: number;
  status: RunStatus;
  started_at: string;
  ended_at: string | null;
}

interface HostRow {
  run_id: string;
  position: number;
  server_id: number;
  label: string;
  done: number;
  where_reached: string | null;
  exit_code: number | null;
  signal: string | null;
  duration_ms: number | null;
  error: string | null;
  stdout: string | null;
  stdout_bytes: number | null;
  stdout_truncated: number | null;
  stdout_file: string | null;
  stderr: string | null;
  stderr_bytes: number | null;
  stderr_truncated: number | null;
  stderr_file: string | null;
}

export interface NewRun {
  id: string;
  ticketId: string;
  argv: readonly string[];
  sudo: boolean;
  timeoutS: number;
  targets: readonly { serverId: number; label: string }[];
}

const SUMMARY_COLUMNS = 'run_id, position, server_id, label, done, where_reached, exit_code, signal, duration_ms, error, stdout_bytes, stderr_bytes';

const outputOf = (text: string | null, bytes: number | null, truncated: number | null, file: string | null): Output => ({
  text: text ?? '',
  totalBytes: bytes ?? 0,
  truncated: truncated === 1,
  fullOutputFile: file,
});

const errorOf = (row: Pick<HostRow, 'error'>): HostResult['error'] => (row.error === null ? null : (JSON.parse(row.error) as HostResult['error']));

function outcomeOf(row: Omit<HostRow, 'stdout' | 'stderr' | 'stdout_truncated' | 'stderr_truncated' | 'stdout_file' | 'stderr_file'>): HostOutcome | null {
  if (row.done !== 1) return null;
  return {
    exitCode: row.exit_code,
    signal: row.signal,
    durationMs: row.duration_ms ?? 0,
    error: errorOf(row),
    stdoutBytes: row.stdout_bytes ?? 0,
    stderrBytes: row.stderr_bytes ?? 0,
  };
}

function resultOf(row: HostRow): HostResult | null {
  if (row.done !== 1) return null;
  return {
    serverId: row.server_id,
    label: row.label,
    exitCode: row.exit_code,
    signal: row.signal,
    durationMs: row.duration_ms ?? 0,
    stdout: outputOf(row.stdout, row.stdout_bytes, row.stdout_truncated, row.stdout_file),
    stderr: outputOf(row.stderr, row.stderr_bytes, row.stderr_truncated, row.stderr_file),
    error: errorOf(row),
  };
}

function runFields(row: RunRow) {
  const argv = JSON.parse(row.argv) as string[];
  return {
    id: row.id,
    ticketId: row.ticket_id,
    argv,
    command: commandText(argv),
    sudo: row.sudo === 1,
    timeoutS: row.timeout_s,
    status: row.status,
    startedAt: row.started_at,
    endedAt: row.ended_at,
  };
}

/**
 * The run history. A run is written when it starts (with its servers), each server's result as it
 * answers (by the runner, in the transaction that records its audit entry), and its end.
 */
export class RunsRepo {
  constructor(private readonly db: Db) {}

  /** Refuses an id the history already holds, before anything runs (the start itself may be written a moment later). */
  assertNew(id: string): void {
    const exists = this.db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM runs WHERE id = ?').get(id);
    if (exists && exists.n > 0) throw new BacklineError('ALREADY_EXISTS', `Run ${id} already exists.`, { hint: 'Each run needs a new id.' });
  }

  start(run: NewRun, now: string): void {
    this.assertNew(run.id);
    this.db
      .prepare("INSERT INTO runs (id, ticket_id, argv, sudo, timeout_s, status, started_at) VALUES (?, ?, ?, ?, ?, 'running', ?)")
      .run(run.id, run.ticketId, JSON.stringify(run.argv), run.sudo ? 1 : 0, run.timeoutS, now);
    const host = this.db.prepare('INSERT INTO run_hosts (run_id, position, server_id, label) VALUES (?, ?, ?, ?)');
    run.targets.forEach((target, position) => host.run(run.id, position, target.serverId, target.label));
  }

  /**
   * One server's result, as the runner returned it (output already bounded); false when the run does
   * not hold that server. The last server's result also ends the run, in the same transaction, so a
   * run that ends normally needs no commit of its own for that.
   */
  saveHost(runId: string, where: string, result: HostResult, now: string): boolean {
    const { changes } = this.db
      .prepare(
        `UPDATE run_hosts SET done = 1, where_reached = @where, exit_code = @exitCode, signal = @signal, duration_ms = @durationMs, error = @error,
           stdout = @stdout, stdout_bytes = @stdoutBytes, stdout_truncated = @stdoutTruncated, stdout_file = @stdoutFile,
           stderr = @stderr, stderr_bytes = @stderrBytes, stderr_truncated = @stderrTruncated, stderr_file = @stderrFile
         WHERE run_id = @runId AND server_id = @serverId`,
      )
      .run({
        runId,
        serverId: result.serverId,
        where,
        exitCode: result.exitCode,
        signal: result.signal,
        durationMs: result.durationMs,
        error: result.error ? JSON.stringify(result.error) : null,
        stdout: result.stdout.text,
        stdoutBytes: result.stdout.totalBytes,
        stdoutTruncated: result.stdout.truncated ? 1 : 0,
        stdoutFile: result.stdout.fullOutputFile,
        stderr: result.stderr.text,
        stderrBytes: result.stderr.totalBytes,
        stderrTruncated: result.stderr.truncated ? 1 : 0,
        stderrFile: result.stderr.fullOutputFile,
      });
    if (changes !== 1) return false;
    this.db
      .prepare("UPDATE runs SET status = 'done', ended_at = ? WHERE id = ? AND status = 'running' AND NOT EXISTS (SELECT 1 FROM run_hosts WHERE run_id = ? AND done = 0)")
      .run(now, runId, runId);
    return true;
  }

  finish(runId: string, now: string): void {
    this.db.prepare("UPDATE runs SET status = 'done', ended_at = ? WHERE id = ? AND status = 'running'").run(now, runId);
  }

  /** Whether the run is still marked running (a run whose last server did not answer: cancelled or failed). */
  isRunning(runId: string): boolean {
    return this.db.prepare<[string], { status: RunStatus }>('SELECT status FROM runs WHERE id = ?').get(runId)?.status === 'running';
  }

  /** Runs a stopped Backline left running: they will never end, so they are marked as interrupted. */
  interruptRunning(now: string): number {
    return this.db.prepare("UPDATE runs SET status = 'interrupted', ended_at = ? WHERE status = 'running'").run(now).changes;
  }

  get(id: string): Run {
    const row = this.db.prepare<[string], RunRow>('SELECT * FROM runs WHERE id = ?').get(id);
    if (!row) throw new BacklineError('NOT_FOUND', `Run ${id} is not in the history.`, { hint: 'It may belong to a ticket that was removed; reload the Servers tab.' });
    const hosts = this.db.prepare<[string], HostRow>('SELECT * FROM run_hosts WHERE run_id = ? ORDER BY position').all(id);
    return {
      ...runFields(row),
      hosts: hosts.map((host) => ({ serverId: host.server_id, label: host.label, where: host.where_reached, result: resultOf(host) })),
    };
  }

  listForTicket(ticketId: string, limit: number): RunSummary[] {
    const rows = this.db.prepare<[string, number], RunRow>('SELECT * FROM runs WHERE ticket_id = ? ORDER BY started_at DESC, rowid DESC LIMIT ?').all(ticketId, limit);
    if (rows.length === 0) return [];
    const hosts = this.db
      .prepare<string[], Omit<HostRow, 'stdout' | 'stderr' | 'stdout_truncated' | 'stderr_truncated' | 'stdout_file' | 'stderr_file'>>(
        `SELECT ${SUMMARY_COLUMNS} FROM run_hosts WHERE run_id IN (${rows.map(() => '?').join(',')}) ORDER BY run_id, position`,
      )
      .all(...rows.map((r) => r.id));
    const byRun = new Map<string, typeof hosts>();
    for (const host of hosts) {
      const list = byRun.get(host.run_id);
      if (list) list.push(host);
      else byRun.set(host.run_id, [host]);
    }
    return rows.map((row) => ({
      ...runFields(row),
      hosts: (byRun.get(row.id) ?? []).map((host) => ({ serverId: host.server_id, label: host.label, where: host.where_reached, outcome: outcomeOf(host) })),
    }));
  }

  /** The command lines typed most recently, each once, newest first. */
  recentCommands(limit: number): string[] {
    const seen = new Set<string>();
    const statement = this.db.prepare<[], { argv: string }>('SELECT argv FROM runs ORDER BY started_at DESC, rowid DESC');
    for (const { argv } of statement.iterate()) {
      seen.add(commandText(JSON.parse(argv) as string[]));
      if (seen.size >= limit) break;
    }
    return [...seen];
  }
}
