import { reportIdSchema } from '../../../shared/domain/report.js';
import { ticketIdSchema } from '../../../shared/domain/ticket.js';

export const workspaceTabs = ['notes', 'findings', 'audit', 'servers', 'firewall', 'php', 'netdump'] as const;
export type WorkspaceTab = (typeof workspaceTabs)[number];

export type Route =
  | { name: 'home' }
  | { name: 'workspace'; ticketId: string; tab: WorkspaceTab }
  /** A hash that names a ticket we cannot parse: shown as a missing workspace, not silently as home. */
  | { name: 'invalid-ticket'; raw: string }
  /**
   * The reports page: the list, one report (`view`), editing a saved one (`edit`), a copy of any
   * (`copy`), or a new one (`new`, no id). An id that is not a valid report id is kept as typed and
   * shown as a report that does not exist.
   */
  | { name: 'reports'; reportId: string | null; mode: ReportMode };

export const reportModes = ['view', 'edit', 'copy', 'new'] as const;
export type ReportMode = (typeof reportModes)[number];

function isTab(value: string): value is WorkspaceTab {
  return (workspaceTabs as readonly string[]).includes(value);
}

function parseReports(rawId: string | undefined, rawMode: string | undefined): Route {
  if (!rawId) return reportsRoute();
  let id = rawId;
  try {
    id = decodeURIComponent(rawId);
  } catch {
    // A malformed escape is shown as typed.
  }
  // Only a real report id can be edited or copied; anything else is shown as a report that does not exist.
  const valid = reportIdSchema.safeParse(id).success;
  return reportsRoute(id, valid && (rawMode === 'edit' || rawMode === 'copy') ? rawMode : 'view');
}

/**
 * `#/` is the ticket list, `#/t/<ID>` a workspace, `#/t/<ID>/<tab>` a tab in it; `#/reports` the
 * reports, `#/reports/<id>` one of them, `#/reports/<id>/edit|copy` its editor, `#/new-report` a new
 * one. Anything else is home.
 */
export function parseHash(hash: string): Route {
  const path = hash.replace(/^#/, '').replace(/^\/+/, '');
  const [head, rawId, rawTab] = path.split('/');
  if (head === 'reports') return parseReports(rawId, rawTab);
  if (head === 'new-report') return newReportRoute;
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
    case 'reports': {
      if (route.mode === 'new') return '#/new-report';
      if (route.reportId === null) return '#/reports';
      const base = `#/reports/${encodeURIComponent(route.reportId)}`;
      return route.mode === 'view' ? base : `${base}/${route.mode}`;
    }
  }
}

export const homeRoute: Route = { name: 'home' };
export function workspaceRoute(ticketId: string, tab: WorkspaceTab = 'notes'): Route {
  return { name: 'workspace', ticketId, tab };
}

export function reportsRoute(reportId: string | null = null, mode: Exclude<ReportMode, 'new'> = 'view'): Route {
  return { name: 'reports', reportId, mode: reportId === null ? 'view' : mode };
}
export const newReportRoute: Route = { name: 'reports', reportId: null, mode: 'new' };
