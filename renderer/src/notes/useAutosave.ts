import { useEffect, useState, useSyncExternalStore } from 'react';
import type { Note } from '../../../shared/domain/note.js';
import { useClient } from '../app/ClientContext.js';
import { notifyError } from '../app/errors.js';
import { Autosaver, type AutosaveSnapshot } from './autosave.js';

/**
 * One Autosaver per editor session. `initial` is null for a ticket's first note, which is created on
 * the first save (so opening an empty Notes tab never creates anything, even under StrictMode).
 */
export function useAutosave(ticketId: string, initial: Note | null, onCreated: (note: Note) => void): { saver: Autosaver; snapshot: AutosaveSnapshot } {
  const client = useClient();
  const [saver] = useState(
    () =>
      new Autosaver(initial, {
        save: async ({ id, baseRevision, title, body }) => {
          // A blank title is refused by the contract; the body still matters more, so save it under the old title.
          const cleanTitle = title.trim() || undefined;
          if (id === null) {
            const note = await client.invoke('notes.create', { ticketId, title: cleanTitle, body });
            onCreated(note);
            return note;
          }
          return client.invoke('notes.save', { id, baseRevision, title: cleanTitle, body });
        },
        onError: (error) => notifyError(error, 'Note not saved'),
      }),
  );
  const snapshot = useSyncExternalStore(saver.subscribe, saver.getSnapshot);

  // Another window (or the other shell) saved this note: take it if nothing local would be lost.
  useEffect(() => client.on('note.saved', (note) => saver.remoteSaved(note)), [client, saver]);

  // Leaving the note (tab switch, another note, another ticket) saves what is pending instead of dropping it.
  useEffect(() => () => saver.flush(), [saver]);

  const unsafeToLeave = snapshot.hasLocalChanges || snapshot.status.kind === 'saving';
  useEffect(() => {
    if (!unsafeToLeave) return;
    const warn = (event: BeforeUnloadEvent) => {
      saver.flush();
      event.preventDefault();
    };
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [saver, unsafeToLeave]);

  return { saver, snapshot };
}
