import { Alert, Button, Group, SegmentedControl, Stack, Textarea, TextInput } from '@mantine/core';
import { useHotkeys } from '@mantine/hooks';
import { useState } from 'react';
import type { Note } from '../../../shared/domain/note.js';
import { useClient } from '../app/ClientContext.js';
import { notifyError } from '../app/errors.js';
import { NoteHistoryDrawer } from './NoteHistoryDrawer.js';
import { SaveStatus } from './SaveStatus.js';
import { useAutosave } from './useAutosave.js';
import { lazyView } from '../workspace/lazyView.js';

// The Markdown renderer (react-markdown, remark, GFM) loads when a note is first previewed.
const { View: MarkdownPreview, preload: preloadPreview } = lazyView<{ markdown: string }>(() => import('./MarkdownPreview.js').then((m) => m.MarkdownPreview));

interface Props {
  ticketId: string;
  /** Null for a ticket's first note: it is created when the first words are saved. */
  note: Note | null;
  onCreated: (note: Note) => void;
}

export function NoteEditor({ ticketId, note, onCreated }: Props) {
  const client = useClient();
  const { saver, snapshot } = useAutosave(ticketId, note, onCreated);
  const [mode, setMode] = useState<'write' | 'preview'>('write');
  const [historyOpen, setHistoryOpen] = useState(false);
  const { status, draft, noteId } = snapshot;

  // Ctrl/Cmd+S saves now, also while typing in the note (hence no ignored tags).
  useHotkeys([['mod+S', () => saver.flush()]], []);

  /** Fetch the server's current copy, then either take it or put our text on top of it. */
  const resolveConflict = async (choice: 'reload' | 'keep') => {
    try {
      const latest = (await client.invoke('notes.list', { ticketId })).find((n) => n.id === noteId);
      if (!latest) throw new Error('This note no longer exists.');
      if (choice === 'reload') saver.load(latest);
      else saver.rebase(latest);
    } catch (error) {
      notifyError(error, 'Could not reload the note');
    }
  };

  return (
    <Stack gap="xs" flex={1} miw={0}>
      <Group justify="space-between" wrap="nowrap" gap="xs">
        <TextInput
          // Not "Note title": the e2e tests find the body as textbox "Note", and names match by substring.
          aria-label="Subject"
          placeholder="Subject"
          value={draft.title}
          onChange={(e) => saver.edit({ title: e.currentTarget.value })}
          onBlur={() => saver.flush()}
          flex={1}
          maw={480}
          styles={{ input: { fontWeight: 600 } }}
        />
        <Group gap="xs" wrap="nowrap">
          <SaveStatus status={status} />
          <SegmentedControl
            aria-label="Editor mode"
            value={mode}
            onChange={(value) => setMode(value === 'preview' ? 'preview' : 'write')}
            // A pointer on the switch: the preview's code is likely wanted next.
            onPointerEnter={() => void preloadPreview()}
            data={[
              { value: 'write', label: 'Write' },
              { value: 'preview', label: 'Preview' },
            ]}
          />
          <Button variant="default" onClick={() => setHistoryOpen(true)} disabled={noteId === null}>
            History
          </Button>
        </Group>
      </Group>
      {status.kind === 'error' && status.error.code === 'CONFLICT' && (
        <Alert color="orange" title="Someone else saved this note" variant="light">
          <Stack gap="xs">
            {status.error.hint && <span>{status.error.hint}</span>}
            <Group gap="xs">
              <Button color="orange" onClick={() => void resolveConflict('reload')}>
                Reload note
              </Button>
              <Button variant="default" onClick={() => void resolveConflict('keep')}>
                Keep mine and save
              </Button>
            </Group>
          </Stack>
        </Alert>
      )}
      {status.kind === 'error' && status.error.code !== 'CONFLICT' && status.error.hint && (
        <Alert color="red" variant="light">
          {status.error.hint}
        </Alert>
      )}
      {mode === 'write' ? (
        <Textarea
          aria-label="Note"
          className="bl-note-textarea"
          placeholder={'Write in Markdown. It saves as you type.\n\n## Symptoms\n- …'}
          value={draft.body}
          onChange={(e) => saver.edit({ body: e.currentTarget.value })}
          onBlur={() => saver.flush()}
          // Grows with its text by CSS (field-sizing, in app.css), not by Mantine's autosize, which measures the
          // page's layout from script on every render and keystroke: the costliest step of opening a ticket.
          rows={22}
          spellCheck={false}
        />
      ) : (
        <MarkdownPreview markdown={draft.body} />
      )}
      {noteId !== null && (
        <NoteHistoryDrawer
          noteId={noteId}
          opened={historyOpen}
          onClose={() => setHistoryOpen(false)}
          onRestore={(version) => {
            saver.edit({ title: version.title, body: version.body });
            setHistoryOpen(false);
            setMode('write');
          }}
        />
      )}
    </Stack>
  );
}
