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
): HandlerGroup<'app.info' | 'audit.list' | 'search.query' | 'export.markdown'> {
  return {
    'app.info': () => facts,
    'audit.list': ({ ticketId, limit }) => {
      ws.tickets.get(ticketId);
      return ws.audit.listForTicket(ticketId, limit);
    },
    'search.query': ({ text, limit }) => ws.search.search(text, limit),
    'export.markdown': ({ ticketId, destination }) =>
      ws.change((tx) => {
        const ticket = ws.tickets.get(ticketId);
        const notes = ws.notes.listForTicket(ticketId);
        const findings = ws.findings.listForTicket(ticketId);
        const markdown = ticketMarkdown(ticket, notes, findings, tx.now);
        tx.record({
          ticketId,
          action: 'ticket.exported',
          summary: `Exported ${notes.length} note(s) and ${findings.length} finding(s) as Markdown to the ${destination}`,
          detail: { destination, characters: markdown.length },
        });
        return { markdown, fileName: exportFileName(ticket) };
      }),
  };
}
