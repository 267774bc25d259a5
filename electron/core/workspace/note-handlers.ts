import type { HandlerGroup } from '../handlers.js';
import type { Workspace } from './workspace.js';

export function noteHandlers(ws: Workspace): HandlerGroup<'notes.list' | 'notes.create' | 'notes.save' | 'notes.versions'> {
  return {
    'notes.list': ({ ticketId }) => {
      ws.tickets.get(ticketId);
      return ws.notes.listForTicket(ticketId);
    },
    'notes.create': ({ ticketId, title, body }) =>
      ws.change((tx) => {
        ws.tickets.get(ticketId);
        const note = ws.notes.create(ticketId, title, body, tx.now);
        tx.record({ ticketId, action: 'note.created', summary: `Started note "${note.title}"`, detail: { noteId: note.id } });
        tx.emit('note.saved', note);
        return note;
      }),
    'notes.save': ({ id, baseRevision, title, body }) =>
      ws.change((tx) => {
        const before = ws.notes.get(id);
        const note = ws.notes.save(id, baseRevision, title, body, tx.now);
        if (note.revision !== before.revision) {
          // Autosave writes often; the audit keeps one line per save with its size, not the text (that is in the versions).
          tx.record({
            ticketId: note.ticketId,
            action: 'note.saved',
            summary: `Saved note "${note.title}" (revision ${note.revision}, ${note.body.length} characters)`,
            detail: { noteId: note.id, revision: note.revision },
          });
          tx.emit('note.saved', note);
        }
        return note;
      }),
    'notes.versions': ({ id }) => ws.notes.versions(id),
  };
}
