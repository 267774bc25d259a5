import type { Ticket } from '../../../shared/domain/ticket.js';
import { workspaceTabs, type Route, type WorkspaceTab } from '../app/route.js';
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
}

/** Everything the palette offers, given where the user is. Pure, so what appears when is testable. */
export function paletteActions(route: Route, tickets: readonly Ticket[], handlers: PaletteHandlers): PaletteAction[] {
  const actions: PaletteAction[] = [];
  if (route.name === 'workspace') {
    const { ticketId } = route;
    actions.push(
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
    { id: 'color-scheme', group: 'Actions', label: 'Toggle color scheme', keywords: ['theme', 'dark', 'light'], onClick: handlers.toggleColorScheme },
  );
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
