import type { HandlerGroup } from '../handlers.js';
import type { Workspace } from './workspace.js';

export function findingHandlers(ws: Workspace): HandlerGroup<'findings.list' | 'findings.add' | 'findings.remove'> {
  return {
    'findings.list': ({ ticketId }) => {
      ws.tickets.get(ticketId);
      return ws.findings.listForTicket(ticketId);
    },
    'findings.add': (input) =>
      ws.change((tx) => {
        ws.tickets.get(input.ticketId);
        const finding = ws.findings.add(input, tx.now);
        tx.record({
          ticketId: finding.ticketId,
          action: 'finding.added',
          summary: `${finding.severity} ${finding.kind}: ${finding.title}`,
          detail: { findingId: finding.id },
        });
        return finding;
      }),
    'findings.remove': ({ id }) =>
      ws.change((tx) => {
        const finding = ws.findings.remove(id);
        tx.record({
          ticketId: finding.ticketId,
          action: 'finding.removed',
          summary: `Withdrew finding: ${finding.title}`,
          detail: { finding },
        });
        return { removed: true as const };
      }),
  };
}
