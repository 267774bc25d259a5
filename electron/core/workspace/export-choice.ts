import type { Finding } from '../../../shared/domain/finding.js';
import type { Note } from '../../../shared/domain/note.js';
import type { AuditEntry } from '../../../shared/domain/audit.js';

/**
 * Terminal transcripts are the notes a terminal saved when it ended: the audit entry of that ending
 * names the note (`ssh.terminal.closed`, detail.noteId). The record says so, not the note's title,
 * which the engineer may change. Pure.
 */
export function transcriptNoteIds(audit: readonly Pick<AuditEntry, 'action' | 'detail'>[]): Set<number> {
  const ids = new Set<number>();
  for (const entry of audit) {
    const noteId = entry.detail['noteId'];
    if (entry.action === 'ssh.terminal.closed' && typeof noteId === 'number') ids.add(noteId);
  }
  return ids;
}

export interface ExportChoice {
  noteIds?: readonly number[] | undefined;
  findingIds?: readonly number[] | undefined;
}

/** What goes out: the engineer's choice, or by default every finding and every note but transcripts. Pure. */
export function chooseForExport(notes: readonly Note[], findings: readonly Finding[], transcripts: ReadonlySet<number>, choice: ExportChoice): { notes: Note[]; findings: Finding[] } {
  const noteIds = choice.noteIds ? new Set(choice.noteIds) : null;
  const findingIds = choice.findingIds ? new Set(choice.findingIds) : null;
  return {
    notes: notes.filter((note) => (noteIds ? noteIds.has(note.id) : !transcripts.has(note.id))),
    findings: findings.filter((finding) => (findingIds ? findingIds.has(finding.id) : true)),
  };
}
