import { ticketIdSchema } from '../../../shared/domain/ticket.js';

export const workspaceTabs = ['notes', 'findings', 'audit', 'servers', 'firewall', 'php', 'netdump'] as const;
export type WorkspaceTab = (typeof workspaceTabs)[number];

export type Route =
  | { name: 'home' }
  | { name: 'workspace'; ticketId: string; tab: WorkspaceTab }
  /** A hash that names a ticket we cannot parse: shown as a missing workspace, not silently as home. */
  | { name: 'invalid-ticket'; raw: string };

function isTab(value: string): value is WorkspaceTab {
  return (workspaceTabs as readonly string[]).includes(value);
}

/** `#/` is the ticket list, `#/t/<ID>` a workspace, `#/t/<ID>/<tab>` a tab in it. Anything else is home. */
export function parseHash(hash: string): Route {
  const path = hash.replace(/^#/, '').replace(/^\/+/, '');
  const [head, rawId, rawTab] = path.split('/');
  if (head !== 't' || !rawId) return { name: 'home' };
  const id = decodeURIComponent(rawId);
  const parsed = ticketIdSchema.safeParse(id);
  if (!parsed.success) return { name: 'invalid-ticket', raw: id };
  const tab = rawTab?.toLowerCase() ?? '';
  return { name: 'workspace', ticketId: parsed.data, tab: isTab(tab) ? tab : 'notes' };
}

export function formatRoute(route: Route): string {
  switch (route.name) {
    case 'home':
      return '#/';
    case 'invalid-ticket':
      return `#/t/${encodeURIComponent(route.raw)}`;
    case 'workspace':
      return route.tab === 'notes' ? `#/t/${route.ticketId}` : `#/t/${route.ticketId}/${route.tab}`;
  }
}

export const homeRoute: Route = { name: 'home' };
export function workspaceRoute(ticketId: string, tab: WorkspaceTab = 'notes'): Route {
  return { name: 'workspace', ticketId, tab };
}
