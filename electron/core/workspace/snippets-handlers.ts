import { buildSnippets, snippetActionList, type SnippetEntry, type SnippetStore } from '../../../shared/domain/snippets.js';
import type { FindingStatus } from '../../../shared/domain/finding.js';
import type { HandlerGroup } from '../handlers.js';
import type { Workspace } from './workspace.js';

interface EntryRow {
  id: number;
  ticket_id: string | null;
  at: string;
  action: string;
  summary: string;
  finding_id: number | null;
  note_id: number | null;
  server: string | null;
  exit_code: number | null;
  error: string | null;
}

const actionsPlaceholders = snippetActionList.map(() => '?').join(', ');

/**
 * Only the few detail keys the report reads leave SQLite: an `ssh.exec` entry carries up to 16 KiB
 * of output each, and a year of them parsed as JSON would be most of the report's time.
 */
const entriesSql = `
  SELECT id, ticket_id, at, action, summary,
         json_extract(detail, '$.findingId') AS finding_id,
         json_extract(detail, '$.noteId') AS note_id,
         json_extract(detail, '$.server') AS server,
         json_extract(detail, '$.exitCode') AS exit_code,
         json_extract(detail, '$.error.code') AS error
  FROM audit_log
  WHERE actor = ? AND at >= ? AND at < ? AND action IN (${actionsPlaceholders})
  ORDER BY id`;

/** Reads one actor's entries in the period and what the store holds of the findings and notes they name. */
export function readSnippetSource(ws: Workspace, actor: string, from: string, to: string): { entries: SnippetEntry[]; store: SnippetStore } {
  const rows = ws.db.prepare<unknown[], EntryRow>(entriesSql).all(actor, from, to, ...snippetActionList);
  const entries: SnippetEntry[] = rows.map((row) => ({
    id: row.id,
    ticketId: row.ticket_id,
    at: row.at,
    action: row.action,
    summary: row.summary,
    detail: {
      ...(row.finding_id !== null ? { findingId: row.finding_id } : {}),
      ...(row.note_id !== null ? { noteId: row.note_id } : {}),
      ...(row.server !== null ? { server: row.server } : {}),
      ...(row.action === 'ssh.exec' ? { exitCode: row.exit_code, error: row.error } : {}),
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
  return { entries, store: { tickets: ticketTitles(ws, ticketIds), findings: findingsOf(ws, findingIds), notes: noteTitles(ws, noteIds) } };
}

// json_each over a JSON array of ids: one statement whatever the number of ids.
function ticketTitles(ws: Workspace, ids: Set<string>): SnippetStore['tickets'] {
  const rows = ws.db.prepare<[string], { id: string; title: string }>('SELECT id, title FROM tickets WHERE id IN (SELECT value FROM json_each(?))').all(JSON.stringify([...ids]));
  return new Map(rows.map((row) => [row.id, { title: row.title }]));
}

function findingsOf(ws: Workspace, ids: Set<number>): SnippetStore['findings'] {
  const rows = ws.db
    .prepare<[string], { id: number; ticket_id: string; created_at: string; severity: string; title: string; status: FindingStatus }>(
      'SELECT id, ticket_id, created_at, severity, title, status FROM findings WHERE id IN (SELECT value FROM json_each(?))',
    )
    .all(JSON.stringify([...ids]));
  return new Map(rows.map((row) => [row.id, { ticketId: row.ticket_id, createdAt: row.created_at, severity: row.severity, title: row.title, status: row.status }]));
}

function noteTitles(ws: Workspace, ids: Set<number>): SnippetStore['notes'] {
  const rows = ws.db.prepare<[string], { id: number; title: string }>('SELECT id, title FROM notes WHERE id IN (SELECT value FROM json_each(?))').all(JSON.stringify([...ids]));
  return new Map(rows.map((row) => [row.id, { title: row.title }]));
}

export function snippetsHandlers(ws: Workspace, actor: string): HandlerGroup<'snippets.report'> {
  return {
    'snippets.report': ({ from, to }) => buildSnippets({ from, to, actor, ...readSnippetSource(ws, actor, from, to) }),
  };
}
