import { describe, expect, it } from 'vitest';
import { formatRoute, parseHash, workspaceRoute } from './route.js';

describe('parseHash', () => {
  it('treats an empty or root hash as the ticket list', () => {
    expect(parseHash('')).toEqual({ name: 'home' });
    expect(parseHash('#/')).toEqual({ name: 'home' });
    expect(parseHash('#/nowhere')).toEqual({ name: 'home' });
  });

  it('opens a workspace on the notes tab by default, normalising the id', () => {
    expect(parseHash('#/t/tkt-48213')).toEqual({ name: 'workspace', ticketId: 'TKT-48213', tab: 'notes' });
  });

  it('selects a known tab and falls back to notes for an unknown one', () => {
    expect(parseHash('#/t/TKT-1/audit')).toEqual({ name: 'workspace', ticketId: 'TKT-1', tab: 'audit' });
    expect(parseHash('#/t/TKT-1/bogus')).toEqual({ name: 'workspace', ticketId: 'TKT-1', tab: 'notes' });
  });

  it('reports an unparseable ticket id instead of pretending it is home', () => {
    expect(parseHash('#/t/not%20a%20ticket')).toEqual({ name: 'invalid-ticket', raw: 'not a ticket' });
  });
});

describe('formatRoute', () => {
  it('round-trips through parseHash', () => {
    for (const route of [workspaceRoute('TKT-1'), workspaceRoute('TKT-1', 'findings'), { name: 'home' } as const]) {
      expect(parseHash(formatRoute(route))).toEqual(route);
    }
  });
});
