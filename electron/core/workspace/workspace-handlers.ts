import { chooseForExport, transcriptNoteIds } from './export-choice.js';
import { exportFileName, ticketMarkdown } from './ticket-markdown.js';
import type { HandlerGroup } from '../handlers.js';
import type { Workspace } from './workspace.js';

export interface AppFacts {
  version: string;
  shell: 'electron' | 'browser';
  dataDir: string;
  user: string;
}

export function workspaceHandlers(
  ws: Workspace,
  facts: AppFacts,
): HandlerGroup<'app.info' | 'audit.list' | 'search.query' | 'export.options' | 'export.markdown'> {
  /** The ticket's terminal transcripts, as its audit log records them. */
  const transcriptsOf = (ticketId: string) => transcriptNoteIds(ws.audit.listForTicket(ticketId, 100_000));
  return {
    'app.info': () => facts,
    'audit.list': ({ ticketId, limit }) => {
      ws.tickets.get(ticketId);
      return ws.audit.listForTicket(ticketId, limit);
    },
    'search.query': ({ text, limit }) => ws.search.search(text, limit),
    'export.options': ({ ticketId }) => {
      ws.tickets.get(ticketId);
      const transcripts = transcriptsOf(ticketId);
      const notes = ws.notes.listForTicket(ticketId);
      const findings = ws.findings.listForTicket(ticketId);
      const chosen = chooseForExport(notes, findings, transcripts, {});
      const noteIds = new Set(chosen.notes.map((n) => n.id));
      return {
        notes: notes.map((n) => ({ id: n.id, title: n.title, transcript: transcripts.has(n.id), empty: n.body.trim() === '', selected: noteIds.has(n.id) })),
        findings: findings.map((f) => ({ id: f.id, title: f.title, kind: f.kind, severity: f.severity, status: f.status, selected: true })),
      };
    },
    'export.markdown': ({ ticketId, destination, noteIds, findingIds }) =>
      ws.change((tx) => {
        const ticket = ws.tickets.get(ticketId);
        const { notes, findings } = chooseForExport(ws.notes.listForTicket(ticketId), ws.findings.listForTicket(ticketId), transcriptsOf(ticketId), { noteIds, findingIds });
        const markdown = ticketMarkdown(ticket, notes, findings, tx.now);
        tx.record({
          ticketId,
          action: 'ticket.exported',
          summary: `Exported ${notes.length} note(s) and ${findings.length} finding(s) as Markdown to the ${destination}`,
          detail: { destination, characters: markdown.length, noteIds: notes.map((n) => n.id), findingIds: findings.map((f) => f.id) },
        });
        return { markdown, fileName: exportFileName(ticket) };
      }),
  };
}
