import { describe, expect, it } from 'vitest';
import { formatRoute, newReportRoute, parseHash, reportsRoute, workspaceRoute, type Route } from './route.js';

describe('parseHash', () => {
  it('treats an empty or root hash as the ticket list', () => {
    expect(parseHash('')).toEqual({ name: 'home' });
    expect(parseHash('#/')).toEqual({ name: 'home' });
    expect(parseHash('#/nowhere')).toEqual({ name: 'home' });
  });

  it('opens a workspace on the notes tab by default, normalising the id', () => {
    expect(parseHash('#/t/tkt-48213')).toEqual({ name: 'workspace', ticketId: 'TKT-48213', tab: 'notes' });
  });

  it("opens a workspace named by RT's plain ticket number", () => {
    expect(parseHash('#/t/48213/findings')).toEqual({ name: 'workspace', ticketId: '48213', tab: 'findings' });
    expect(parseHash('#/t/48213x')).toEqual({ name: 'invalid-ticket', raw: '48213x' });
  });

  it('selects a known tab and falls back to notes for an unknown one', () => {
    expect(parseHash('#/t/TKT-1/audit')).toEqual({ name: 'workspace', ticketId: 'TKT-1', tab: 'audit' });
    expect(parseHash('#/t/TKT-1/bogus')).toEqual({ name: 'workspace', ticketId: 'TKT-1', tab: 'notes' });
  });

  it('reports an unparseable ticket id instead of pretending it is home', () => {
    expect(parseHash('#/t/not%20a%20ticket')).toEqual({ name: 'invalid-ticket', raw: 'not a ticket' });
  });
});

describe('parseHash for reports', () => {
  it('opens the reports list', () => {
    expect(parseHash('#/reports')).toEqual({ name: 'reports', reportId: null, mode: 'view' });
    expect(parseHash('#/reports/')).toEqual({ name: 'reports', reportId: null, mode: 'view' });
  });

  it('opens one report, its editor, or a copy of it', () => {
    expect(parseHash('#/reports/ssl-lookup')).toEqual({ name: 'reports', reportId: 'ssl-lookup', mode: 'view' });
    expect(parseHash('#/reports/ssl-lookup/edit')).toEqual({ name: 'reports', reportId: 'ssl-lookup', mode: 'edit' });
    expect(parseHash('#/reports/ssl-lookup/copy')).toEqual({ name: 'reports', reportId: 'ssl-lookup', mode: 'copy' });
    expect(parseHash('#/reports/ssl-lookup/bogus')).toEqual({ name: 'reports', reportId: 'ssl-lookup', mode: 'view' });
  });

  it('opens the editor on a new report', () => {
    expect(parseHash('#/new-report')).toEqual({ name: 'reports', reportId: null, mode: 'new' });
  });

  it('keeps an id that is no report id as typed, to be shown as missing, never edited', () => {
    expect(parseHash('#/reports/Not%20Valid/edit')).toEqual({ name: 'reports', reportId: 'Not Valid', mode: 'view' });
    expect(parseHash('#/reports/%E0%A4%A')).toEqual({ name: 'reports', reportId: '%E0%A4%A', mode: 'view' });
  });
});

describe('formatRoute', () => {
  it('round-trips through parseHash', () => {
    const routes: Route[] = [
      workspaceRoute('TKT-1'),
      workspaceRoute('TKT-1', 'findings'),
      { name: 'home' },
      reportsRoute(),
      reportsRoute('ssl-lookup'),
      reportsRoute('tech-reflection', 'edit'),
      reportsRoute('tech-reflection', 'copy'),
      newReportRoute,
      reportsRoute('Not Valid'),
    ];
    for (const route of routes) {
      expect(parseHash(formatRoute(route))).toEqual(route);
    }
  });
});
