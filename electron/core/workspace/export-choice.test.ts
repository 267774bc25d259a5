import { describe, expect, it } from 'vitest';
import type { Finding } from '../../../shared/domain/finding.js';
import type { Note } from '../../../shared/domain/note.js';
import { chooseForExport, transcriptNoteIds } from './export-choice.js';

const at = '2026-11-25T10:00:00.000Z';
const note = (id: number, title: string): Note => ({ id, ticketId: 'TKT-1', title, body: 'x', revision: 1, createdAt: at, updatedAt: at });
const finding = (id: number): Finding => ({ id, ticketId: 'TKT-1', kind: 'cause', severity: 'high', title: `f${id}`, detail: {}, evidence: [], createdAt: at, status: 'current', statusNote: null, statusAt: null, planId: null });

describe('transcriptNoteIds', () => {
  it('knows a transcript by the terminal ending that saved it, not by its title', () => {
    const ids = transcriptNoteIds([
      { action: 'ssh.terminal.closed', detail: { terminalId: 't1', noteId: 7, bytes: 10 } },
      { action: 'note.saved', detail: { noteId: 8 } },
      { action: 'ssh.terminal.closed', detail: { noteId: 'nine' } },
    ]);
    expect([...ids]).toEqual([7]);
  });
});

describe('chooseForExport', () => {
  const notes = [note(1, 'Notes'), note(7, 'Terminal: web1 2026-11-25 10:00'), note(8, 'Tips for the customer')];
  const findings = [finding(1), finding(2)];

  it('leaves terminal transcripts out by default and keeps everything else', () => {
    const chosen = chooseForExport(notes, findings, new Set([7]), {});
    expect(chosen.notes.map((n) => n.id)).toEqual([1, 8]);
    expect(chosen.findings.map((f) => f.id)).toEqual([1, 2]);
  });

  it('exports exactly what the engineer picked, a transcript included', () => {
    const chosen = chooseForExport(notes, findings, new Set([7]), { noteIds: [7], findingIds: [2] });
    expect(chosen.notes.map((n) => n.id)).toEqual([7]);
    expect(chosen.findings.map((f) => f.id)).toEqual([2]);
  });

  it('exports nothing of a kind when the engineer picked none of it', () => {
    expect(chooseForExport(notes, findings, new Set(), { noteIds: [], findingIds: [] })).toEqual({ notes: [], findings: [] });
  });
});
