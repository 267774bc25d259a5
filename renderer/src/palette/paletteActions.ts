import type { ReportDefinition } from '../../../shared/domain/report.js';
import type { Ticket } from '../../../shared/domain/ticket.js';
import { newReportRoute, reportsRoute, workspaceTabs, type Route, type WorkspaceTab } from '../app/route.js';
import { tabLabels } from '../workspace/tabs.js';

export interface PaletteAction {
  id: string;
  label: string;
  description?: string;
  group: string;
  keywords?: string[];
  onClick: () => void;
}

export interface PaletteHandlers {
  go: (route: Route) => void;
  newTicket: () => void;
  toggleColorScheme: () => void;
  copyMarkdown: (ticketId: string) => void;
  saveMarkdown: (ticketId: string) => void;
  syncReporting: () => void;
  /** In a workspace: the Servers tab with its attach dialog open. */
  attachServer: (ticketId: string) => void;
  /** In a workspace: the Servers tab with the command line focused. */
  runCommand: (ticketId: string) => void;
  /** In a workspace: the Findings tab with a new finding started. */
  addFinding: (ticketId: string) => void;
  showShortcuts: () => void;
}

/** Everything the palette offers, given where the user is. Pure, so what appears when is testable. */
export function paletteActions(
  route: Route,
  tickets: readonly Ticket[],
  handlers: PaletteHandlers,
  reports: readonly Pick<ReportDefinition, 'id' | 'title' | 'origin'>[] = [],
): PaletteAction[] {
  const actions: PaletteAction[] = [];
  if (route.name === 'workspace') {
    const { ticketId } = route;
    actions.push(
      { id: 'run-command', group: ticketId, label: 'Run command', onClick: () => handlers.runCommand(ticketId), keywords: ['ssh', 'shell', 'exec', 'servers'] },
      { id: 'attach-server', group: ticketId, label: 'Attach server', onClick: () => handlers.attachServer(ticketId), keywords: ['ssh', 'host', 'add', 'servers'] },
      { id: 'add-finding', group: ticketId, label: 'Add finding', onClick: () => handlers.addFinding(ticketId), keywords: ['cause', 'observation', 'evidence', 'findings'] },
      { id: 'copy-markdown', group: ticketId, label: 'Copy as Markdown', onClick: () => handlers.copyMarkdown(ticketId), keywords: ['export', 'clipboard'] },
      { id: 'save-markdown', group: ticketId, label: 'Save as Markdown file', onClick: () => handlers.saveMarkdown(ticketId), keywords: ['export', 'download'] },
      ...workspaceTabs.map(
        (tab: WorkspaceTab): PaletteAction => ({
          id: `tab-${tab}`,
          group: ticketId,
          label: `Open ${tabLabels[tab]}`,
          keywords: ['tab'],
          onClick: () => handlers.go({ name: 'workspace', ticketId, tab }),
        }),
      ),
    );
  }
  actions.push(
    { id: 'new-ticket', group: 'Actions', label: 'New ticket', keywords: ['create', 'workspace'], onClick: handlers.newTicket },
    { id: 'home', group: 'Actions', label: 'Go to ticket list', keywords: ['home', 'search'], onClick: () => handlers.go({ name: 'home' }) },
    { id: 'reports', group: 'Actions', label: 'Open reports', keywords: ['report', 'sql', 'statistics'], onClick: () => handlers.go(reportsRoute()) },
    { id: 'new-report', group: 'Actions', label: 'New report', keywords: ['report', 'sql', 'create'], onClick: () => handlers.go(newReportRoute) },
    { id: 'sync-reporting', group: 'Actions', label: 'Sync reporting cache', keywords: ['reporting', 'refresh', 'postgresql'], onClick: handlers.syncReporting },
    { id: 'color-scheme', group: 'Actions', label: 'Toggle color scheme', keywords: ['theme', 'dark', 'light'], onClick: handlers.toggleColorScheme },
    { id: 'shortcuts', group: 'Actions', label: 'Keyboard shortcuts', keywords: ['keys', 'help', 'hotkeys'], onClick: handlers.showShortcuts },
  );
  for (const report of reports) {
    actions.push({
      id: `report-${report.id}`,
      group: 'Reports',
      label: report.title,
      description: `${report.id} · ${report.origin}`,
      keywords: ['report', report.id],
      onClick: () => handlers.go(reportsRoute(report.id)),
    });
  }
  for (const ticket of tickets) {
    actions.push({
      id: `ticket-${ticket.id}`,
      group: 'Tickets',
      label: `${ticket.id}: ${ticket.title}`,
      description: ticket.customer || undefined,
      keywords: [ticket.customer, ticket.status].filter(Boolean),
      onClick: () => handlers.go({ name: 'workspace', ticketId: ticket.id, tab: 'notes' }),
    });
  }
  return actions;
}
