import { Alert, Button, Group, Loader, NavLink, Stack, Text } from '@mantine/core';
import { useState } from 'react';
import type { Note } from '../../../shared/domain/note.js';
import { describeError } from '../../../shared/errors.js';
import { useInvoke, useNotes } from '../api/queries.js';
import { toWireError } from '../app/errors.js';
import { formatDateTime } from '../app/formatTime.js';
import { PostToTicket } from '../rt/PostToTicket.js';
import { NoteEditor } from './NoteEditor.js';

/**
 * `session` changes only when the user picks another note, so the editor (and its autosave queue)
 * survives the list refreshing under it, including when its first save creates the note.
 */
interface Selection {
  session: number;
  noteId: number | null;
}

export function NotesTab({ ticketId }: { ticketId: string }) {
  const notes = useNotes(ticketId);
  const [selection, setSelection] = useState<Selection>({ session: 0, noteId: null });
  const create = useInvoke('notes.create', (input) => input.ticketId);

  if (notes.isPending) return <Loader size="sm" />;
  if (notes.error) return <Alert color="red">{describeError(toWireError(notes.error))}</Alert>;

  const list = notes.data;
  const selectedId = selection.noteId ?? list[0]?.id ?? null;
  // The editor starts from the note as the list had it when the session began; later it follows events.
  const selected = list.find((n) => n.id === selectedId) ?? null;

  const select = (noteId: number) => setSelection((s) => ({ session: s.session + 1, noteId }));
  // Keeps the session: the editor that created the note goes on editing it.
  const adoptCreated = (note: Note) => setSelection((s) => ({ ...s, noteId: note.id }));

  return (
    <Group align="flex-start" gap="sm" wrap="nowrap">
      <Stack gap={4} w={230} miw={230}>
        <Group justify="space-between">
          <Text size="xs" fw={700} c="dimmed" tt="uppercase">
            Notes
          </Text>
          <Button
            variant="light"
            loading={create.isPending}
            onClick={() =>
              create.mutate({ ticketId, title: list.length === 0 ? 'Notes' : `Note ${list.length + 1}` }, { onSuccess: (note) => select(note.id) })
            }
          >
            New note
          </Button>
        </Group>
        {list.length === 0 ? (
          <Text size="xs" c="dimmed">
            No notes yet. Start typing: the first note is created when it is first saved.
          </Text>
        ) : (
          list.map((n) => (
            <NavLink
              component="button"
              key={n.id}
              active={n.id === selectedId}
              aria-current={n.id === selectedId ? 'true' : undefined}
              label={n.title}
              description={`r${n.revision} · ${formatDateTime(n.updatedAt)}`}
              onClick={() => select(n.id)}
            />
          ))
        )}
        {/* Posting needs a saved note: the selected one, once it exists. */}
        {selected && <PostToTicket ticketId={ticketId} item={{ kind: 'note', id: selected.id }} title={selected.title} />}
      </Stack>
      <NoteEditor key={`${selection.session}`} ticketId={ticketId} note={selected} onCreated={adoptCreated} />
    </Group>
  );
}
