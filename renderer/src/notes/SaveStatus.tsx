import { Text } from '@mantine/core';
import { formatTime } from '../app/formatTime.js';
import type { SaveStatus as Status } from './autosave.js';

function label(status: Status): string {
  switch (status.kind) {
    case 'saved':
      return status.at ? `Saved ${formatTime(status.at)}` : 'Saved';
    case 'saving':
      return 'Saving…';
    case 'dirty':
      return 'Unsaved changes';
    case 'error':
      return `Not saved: ${status.error.message}`;
  }
}

const color: Record<Status['kind'], string> = { saved: 'dimmed', saving: 'dimmed', dirty: 'yellow.8', error: 'red' };

/** Announced politely: a screen reader hears "Saved" without being interrupted mid-sentence. */
export function SaveStatus({ status }: { status: Status }) {
  return (
    <Text role="status" aria-live="polite" size="xs" c={color[status.kind]} fw={status.kind === 'error' ? 600 : 400}>
      {label(status)}
    </Text>
  );
}
