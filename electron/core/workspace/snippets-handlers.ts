import { buildSnippets, snippetActionList, type RunTally, type SnippetEntry, type SnippetStore } from '../../../shared/domain/snippets.js';
import type { FindingStatus } from '../../../shared/domain/finding.js';
import Database from 'better-sqlite3';
import type { HandlerGroup } from '../handlers.js';
import type { Db } from '../store/database.js';
import type { Workspace } from './workspace.js';

interface EntryRow {
  id: number;
  ticket_id: string | null;
  at: string;
  action: string;
  summary: string;
  finding_id: number | null;
  note_id: number | null;
}

const entryActions = snippetActionList.filter((action) => action !== 'ssh.exec');
const actionsPlaceholders = entryActions.map(() => '?').join(', ');

/**
 * Only what the report reads leaves SQLite. Commands are most of a year's log (45,000 of 60,000 entries
 * in the benchmark), each with up to 16 KiB of output in its detail: parsing those details took 3 s
 * and carrying each row out into JavaScript most of the rest, so commands are counted in SQL per
 * ticket and server, from their summary, which the runner writes in one fixed shape
 * (`label (where)[ sudo]: … → exit N | ERROR_CODE in S s`; see execFromSummary, its reading in JS,
 * which the tests hold to the same answers). Only findings' and notes' small details are parsed.
 */
const entriesSql = `
  SELECT id, ticket_id, at, action, summary,
         CASE WHEN action = 'finding.added' THEN json_extract(detail, '$.findingId') END AS finding_id,
         CASE WHEN action IN ('note.created', 'note.saved') THEN json_extract(detail, '$.noteId') END AS note_id
  FROM audit_log
  WHERE id >= ? AND id < ? AND actor = ? AND at >= ? AND at < ? AND action IN (${actionsPlaceholders})
  ORDER BY id`;

const runsSql = `
  SELECT ticket_id, server, count(*) AS runs, sum(failed) AS failed, max(at) AS last_at
  FROM (
    SELECT ticket_id, at,
           CASE WHEN instr(summary, ' (') > 1 THEN substr(summary, 1, instr(summary, ' (') - 1) ELSE summary END AS server,
           CASE WHEN summary GLOB '* → exit 0 in *' THEN 0 WHEN summary GLOB '* → * in *' THEN 1 ELSE 0 END AS failed
    FROM audit_log
    WHERE id >= ? AND id < ? AND actor = ? AND at >= ? AND at < ? AND action = 'ssh.exec'
  )
  GROUP BY ticket_id, server`;

const execOutcome = / → (?:exit (-?\d+)|exit (\S+)|([A-Z][A-Z0-9_]*)) in [\d.]+ s$/;

/** The server and outcome of a command from its audit summary, as runsSql reads it; an unrecognised summary counts as run, not failed. */
export function execFromSummary(summary: string): { server: string; exitCode: number | null; error: string | null } {
  const server = summary.indexOf(' (') > 0 ? summary.slice(0, summary.indexOf(' (')) : summary;
  const outcome = execOutcome.exec(summary);
  if (!outcome) return { server, exitCode: 0, error: null };
  if (outcome[1] !== undefined) return { server, exitCode: Number(outcome[1]), error: null };
  // A signal or "?" instead of an exit code: it did not end well.
  if (outcome[2] !== undefined) return { server, exitCode: null, error: `ended by ${outcome[2]}` };
  return { server, exitCode: null, error: outcome[3] ?? 'failed' };
}

/** Slack around the period when looking for it by id: a clock set back by up to this much loses nothing. */
const CLOCK_SLACK_MS = 24 * 3600 * 1000;

/**
 * The first entry id at or after an instant. The log is appended in time order, so ids follow time
 * (within a clock's corrections, which the slack covers): a binary search over the rowid reads a few
 * pages instead of the whole log, which has no index on time.
 */
function firstIdFrom(db: Db, at: string): number {
  const next = db.prepare<[number], { id: number; at: string }>('SELECT id, at FROM audit_log WHERE id >= ? ORDER BY id LIMIT 1');
  const last = db.prepare<[], { id: number | null }>('SELECT max(id) AS id FROM audit_log').get()?.id ?? 0;
  let lo = 1;
  let hi = last + 1;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    const row = next.get(mid);
    if (!row) hi = mid;
    else if (row.at < at) lo = row.id + 1;
    else hi = mid;
  }
  return lo;
}

const shifted = (at: string, ms: number) => new Date(Date.parse(at) + ms).toISOString();

/** Reads one actor's entries in the period and what the store holds of the findings and notes they name. */
export function readSnippetSource(db: Db, actor: string, from: string, to: string): { entries: SnippetEntry[]; runs: RunTally[]; store: SnippetStore } {
  const firstId = firstIdFrom(db, shifted(from, -CLOCK_SLACK_MS));
  const endId = firstIdFrom(db, shifted(to, CLOCK_SLACK_MS));
  const rows = db.prepare<unknown[], EntryRow>(entriesSql).all(firstId, endId, actor, from, to, ...entryActions);
  const runs = db
    .prepare<unknown[], { ticket_id: string | null; server: string; runs: number; failed: number; last_at: string }>(runsSql)
    .all(firstId, endId, actor, from, to)
    .map((row): RunTally => ({ ticketId: row.ticket_id, server: row.server, runs: row.runs, failed: row.failed, lastAt: row.last_at }));
  const entries: SnippetEntry[] = rows.map((row) => ({
    id: row.id,
    ticketId: row.ticket_id,
    at: row.at,
    action: row.action,
    summary: row.summary,
    detail: {
      ...(row.finding_id !== null ? { findingId: row.finding_id } : {}),
      ...(row.note_id !== null ? { noteId: row.note_id } : {}),
    },
  }));
  const ticketIds = new Set<string>();
  const findingIds = new Set<number>();
  const noteIds = new Set<number>();
  for (const row of rows) {
    if (row.ticket_id !== null) ticketIds.add(row.ticket_id);
    if (row.finding_id !== null) findingIds.add(row.finding_id);
    if (row.note_id !== null) noteIds.add(row.note_id);
  }
  for (const run of runs) if (run.ticketId !== null) ticketIds.add(run.ticketId);
  return { entries, runs, store: { tickets: ticketTitles(db, ticketIds), findings: findingsOf(db, findingIds), notes: noteTitles(db, noteIds) } };
}

// json_each over a JSON array of ids: one statement whatever the number of ids.
function ticketTitles(db: Db, ids: Set<string>): SnippetStore['tickets'] {
  const rows = db.prepare<[string], { id: string; title: string }>('SELECT id, title FROM tickets WHERE id IN (SELECT value FROM json_each(?))').all(JSON.stringify([...ids]));
  return new Map(rows.map((row) => [row.id, { title: row.title }]));
}

function findingsOf(db: Db, ids: Set<number>): SnippetStore['findings'] {
  const rows = db
    .prepare<[string], { id: number; ticket_id: string; created_at: string; severity: string; title: string; status: FindingStatus }>(
      'SELECT id, ticket_id, created_at, severity, title, status FROM findings WHERE id IN (SELECT value FROM json_each(?))',
    )
    .all(JSON.stringify([...ids]));
  return new Map(rows.map((row) => [row.id, { ticketId: row.ticket_id, createdAt: row.created_at, severity: row.severity, title: row.title, status: row.status }]));
}

function noteTitles(db: Db, ids: Set<number>): SnippetStore['notes'] {
  const rows = db.prepare<[string], { id: number; title: string }>('SELECT id, title FROM notes WHERE id IN (SELECT value FROM json_each(?))').all(JSON.stringify([...ids]));
  return new Map(rows.map((row) => [row.id, { title: row.title }]));
}

/**
 * Runs `read` on a read-only connection of its own, memory-mapped: a year of the log is ~100 MiB of
 * pages, which SQLite's small page cache would otherwise copy in through a read() each. A report can
 * then never write, and the workspace's connection keeps its settings. An in-memory store (tests) has
 * no file to open again: its own connection is used.
 */
export function withReportReader<T>(ws: Workspace, read: (db: Db) => T): T {
  const file = ws.db.name;
  if (!file || file === ':memory:' || ws.db.memory) return read(ws.db);
  const reader = new Database(file, { readonly: true, fileMustExist: true });
  try {
    reader.pragma('mmap_size = 1073741824');
    return read(reader);
  } finally {
    reader.close();
  }
}

export function snippetsHandlers(ws: Workspace, actor: string): HandlerGroup<'snippets.report'> {
  return {
    'snippets.report': ({ from, to }) => withReportReader(ws, (db) => buildSnippets({ from, to, actor, ...readSnippetSource(db, actor, from, to) })),
  };
}
