import { describe, expect, it, vi } from 'vitest';
import type { Ticket } from '../../../shared/domain/ticket.js';
import { paletteActions, type PaletteHandlers } from './paletteActions.js';

const ticket: Ticket = { id: 'TKT-1', title: 'PHP eats memory', customer: 'Acme', status: 'open', createdAt: '2024-01-01T00:00:00.000Z', updatedAt: '2024-01-01T00:00:00.000Z' };

function handlers(): PaletteHandlers {
  return {
    go: vi.fn(),
    newTicket: vi.fn(),
    toggleColorScheme: vi.fn(),
    copyMarkdown: vi.fn(),
    saveMarkdown: vi.fn(),
    syncReporting: vi.fn(),
    attachServer: vi.fn(),
    runCommand: vi.fn(),
    addFinding: vi.fn(),
    showShortcuts: vi.fn(),
  };
}

describe('paletteActions', () => {
  it('offers global actions and one per ticket on the ticket list', () => {
    const labels = paletteActions({ name: 'home' }, [ticket], handlers()).map((a) => a.label);
    expect(labels).toEqual(['New ticket', 'Go to ticket list', 'Open reports', 'New report', 'Sync reporting cache', 'Toggle color scheme', 'Keyboard shortcuts', 'TKT-1: PHP eats memory']);
  });

  it('opens reports and syncs the reporting cache from anywhere, and jumps to each report', () => {
    const h = handlers();
    const actions = paletteActions({ name: 'home' }, [], h, [{ id: 'ssl-lookup', title: 'SSL certificate lookup', origin: 'shipped' }]);
    actions.find((a) => a.label === 'Open reports')?.onClick();
    expect(h.go).toHaveBeenCalledWith({ name: 'reports', reportId: null, mode: 'view' });
    actions.find((a) => a.label === 'Sync reporting cache')?.onClick();
    expect(h.syncReporting).toHaveBeenCalled();
    const report = actions.find((a) => a.label === 'SSL certificate lookup');
    expect(report?.group).toBe('Reports');
    report?.onClick();
    expect(h.go).toHaveBeenCalledWith({ name: 'reports', reportId: 'ssl-lookup', mode: 'view' });
  });

  it('adds exports and tabs inside a workspace, acting on that ticket', () => {
    const h = handlers();
    const actions = paletteActions({ name: 'workspace', ticketId: 'TKT-9', tab: 'notes' }, [], h);
    expect(actions.map((a) => a.label)).toContain('Copy as Markdown');
    expect(actions.map((a) => a.label)).toContain('Open Netdump');
    actions.find((a) => a.label === 'Save as Markdown file')?.onClick();
    expect(h.saveMarkdown).toHaveBeenCalledWith('TKT-9');
    actions.find((a) => a.label === 'Open Audit')?.onClick();
    expect(h.go).toHaveBeenCalledWith({ name: 'workspace', ticketId: 'TKT-9', tab: 'audit' });
  });

  it('attaches a server, runs a command and adds a finding on the ticket in view, and only there', () => {
    const h = handlers();
    const actions = paletteActions({ name: 'workspace', ticketId: 'TKT-9', tab: 'notes' }, [], h);
    expect(actions.slice(0, 3).map((a) => a.label)).toEqual(['Run command', 'Attach server', 'Add finding']);
    actions.find((a) => a.label === 'Attach server')?.onClick();
    expect(h.attachServer).toHaveBeenCalledWith('TKT-9');
    actions.find((a) => a.label === 'Run command')?.onClick();
    expect(h.runCommand).toHaveBeenCalledWith('TKT-9');
    actions.find((a) => a.label === 'Add finding')?.onClick();
    expect(h.addFinding).toHaveBeenCalledWith('TKT-9');
    expect(paletteActions({ name: 'home' }, [], h).map((a) => a.label)).not.toContain('Attach server');
  });

  it('gives every action a unique id', () => {
    const actions = paletteActions({ name: 'workspace', ticketId: 'TKT-1', tab: 'notes' }, [ticket], handlers());
    expect(new Set(actions.map((a) => a.id)).size).toBe(actions.length);
  });
});
