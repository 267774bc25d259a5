import type { Note, NoteVersion } from '../../../shared/domain/note.js';
import { BacklineError } from '../../../shared/errors.js';
import type { Db } from './database.js';

interface NoteRow {
  id: number;
  ticket_id: string;
  title: string;
  body: string;
  revision: number;
  created_at: string;
  updated_at: string;
}

const toNote = (row: NoteRow): Note => ({
  id: row.id,
  ticketId: row.ticket_id,
  title: row.title,
  body: row.body,
  revision: row.revision,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

export class NotesRepo {
  constructor(private readonly db: Db) {}

  listForTicket(ticketId: string): Note[] {
    return this.db
      .prepare<[string], NoteRow>('SELECT * FROM notes WHERE ticket_id = ? ORDER BY id')
      .all(ticketId)
      .map(toNote);
  }

  get(id: number): Note {
    const row = this.db.prepare<[number], NoteRow>('SELECT * FROM notes WHERE id = ?').get(id);
    if (!row) throw new BacklineError('NOT_FOUND', `Note ${id} does not exist.`, { hint: 'Reload the ticket.' });
    return toNote(row);
  }

  create(ticketId: string, title: string, body: string, now: string): Note {
    const { lastInsertRowid } = this.db
      .prepare('INSERT INTO notes (ticket_id, title, body, revision, created_at, updated_at) VALUES (?, ?, ?, 1, ?, ?)')
      .run(ticketId, title, body, now, now);
    const id = Number(lastInsertRowid);
    this.addVersion(id, 1, title, body, now);
    return this.get(id);
  }

  /**
   * Saves a new revision if nobody saved since `baseRevision`; otherwise refuses, so two windows
   * editing the same note can't silently overwrite each other.
   */
  save(id: number, baseRevision: number, title: string | undefined, body: string, now: string): Note {
    const current = this.get(id);
    if (current.revision !== baseRevision) {
      throw new BacklineError(
        'CONFLICT',
        `This note was saved elsewhere (revision ${current.revision}) after you started editing revision ${baseRevision}.`,
        { hint: 'Copy your text, reload the note, and merge your changes.' },
      );
    }
    const nextTitle = title ?? current.title;
    if (nextTitle === current.title && body === current.body) return current;
    const revision = current.revision + 1;
    this.db
      .prepare('UPDATE notes SET title = ?, body = ?, revision = ?, updated_at = ? WHERE id = ?')
      .run(nextTitle, body, revision, now, id);
    this.addVersion(id, revision, nextTitle, body, now);
    return this.get(id);
  }

  versions(id: number): NoteVersion[] {
    this.get(id);
    return this.db
      .prepare<[number], { note_id: number; revision: number; title: string; body: string; saved_at: string }>(
        'SELECT * FROM note_versions WHERE note_id = ? ORDER BY revision DESC',
      )
      .all(id)
      .map((row) => ({ noteId: row.note_id, revision: row.revision, title: row.title, body: row.body, savedAt: row.saved_at }));
  }

  private addVersion(id: number, revision: number, title: string, body: string, now: string): void {
    this.db
      .prepare('INSERT INTO note_versions (note_id, revision, title, body, saved_at) VALUES (?, ?, ?, ?, ?)')
      .run(id, revision, title, body, now);
  }
}
