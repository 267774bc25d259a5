import { Alert, Button, Drawer, Group, Loader, NavLink, ScrollArea, Stack, Text, Textarea } from '@mantine/core';
import { useState } from 'react';
import type { NoteVersion } from '../../../shared/domain/note.js';
import { describeError } from '../../../shared/errors.js';
import { useNoteVersions } from '../api/queries.js';
import { toWireError } from '../app/errors.js';
import { firstLine, formatDateTime } from '../app/formatTime.js';

interface Props {
  noteId: number;
  opened: boolean;
  onClose: () => void;
  onRestore: (version: NoteVersion) => void;
}

function VersionList({ noteId, onRestore }: { noteId: number; onRestore: (version: NoteVersion) => void }) {
  const versions = useNoteVersions(noteId);
  const [selected, setSelected] = useState<number | null>(null);
  if (versions.isPending) return <Loader size="sm" />;
  if (versions.error) return <Alert color="red">{describeError(toWireError(versions.error))}</Alert>;
  if (versions.data.length === 0) {
    return (
      <Text size="sm" c="dimmed">
        No earlier versions yet: each save keeps one.
      </Text>
    );
  }
  const shown = versions.data.find((v) => v.revision === selected) ?? versions.data[0];
  return (
    <Group align="stretch" gap="sm" wrap="nowrap" h="calc(100vh - 90px)">
      <ScrollArea w={260} type="auto">
        <Stack gap={0} component="nav" aria-label="Versions">
          {versions.data.map((v) => (
            <NavLink
              key={v.revision}
              component="button"
              active={v.revision === shown?.revision}
              aria-current={v.revision === shown?.revision ? 'true' : undefined}
              onClick={() => setSelected(v.revision)}
              label={
                <Group gap={6} wrap="nowrap">
                  <Text size="xs" ff="monospace" fw={600}>
                    r{v.revision}
                  </Text>
                  <Text size="xs" c="dimmed" ff="monospace">
                    {formatDateTime(v.savedAt)}
                  </Text>
                </Group>
              }
              description={firstLine(v.body) || '(empty)'}
            />
          ))}
        </Stack>
      </ScrollArea>
      {shown && (
        <Stack gap="xs" flex={1} miw={0}>
          <Group justify="space-between">
            <Text size="sm" fw={600}>
              Revision {shown.revision}: {shown.title}
            </Text>
            <Button onClick={() => onRestore(shown)}>Restore</Button>
          </Group>
          <Textarea
            aria-label={`Revision ${shown.revision} text`}
            className="bl-note-textarea"
            readOnly
            value={shown.body}
            autosize
            minRows={12}
            maxRows={40}
          />
        </Stack>
      )}
    </Group>
  );
}

/** Earlier versions, read-only; restoring puts the text back in the editor, which saves it as a new revision. */
export function NoteHistoryDrawer({ noteId, opened, onClose, onRestore }: Props) {
  return (
    <Drawer opened={opened} onClose={onClose} position="right" size="xl" title="Note history">
      {opened && <VersionList noteId={noteId} onRestore={onRestore} />}
    </Drawer>
  );
}
