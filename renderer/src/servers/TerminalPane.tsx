import { Alert, Badge, Button, Group, Stack, Text, useComputedColorScheme } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useEffect, useRef, useState, useSyncExternalStore } from 'react';
import { notifyError } from '../app/errors.js';
import { useWorkbench } from '../workspace/workbench.js';
import type { TerminalPhase } from './terminalSession.js';
import type { TerminalTabSession } from './terminalTab.js';

const badges: Record<TerminalPhase['name'], { label: string; color: string }> = {
  opening: { label: 'opening…', color: 'blue' },
  open: { label: 'shell open', color: 'green' },
  ended: { label: 'ended', color: 'gray' },
  failed: { label: 'not opened', color: 'red' },
};

/**
 * A terminal tab's content: the screen (which lives on in the window's TerminalStore when this tab is
 * hidden), its state, Reconnect once the shell has ended, and Close, which saves the transcript.
 * Escape and every other key belong to the shell (vim, less); only the buttons close it.
 */
export function TerminalPane({ session }: { session: TerminalTabSession }) {
  const { terminals } = useWorkbench();
  const scheme = useComputedColorScheme('light');
  const host = useRef<HTMLDivElement>(null);
  const phase = useSyncExternalStore(session.subscribe, () => session.phase);
  const [closing, setClosing] = useState(false);

  useEffect(() => {
    const element = host.current;
    if (!element) return;
    session.attach(element);
    return () => session.detach();
  }, [session]);

  const close = async () => {
    setClosing(true);
    try {
      const noteId = await terminals.close(session.key);
      if (noteId !== null) notifications.show({ color: 'teal', message: "Transcript saved to the ticket's notes", autoClose: 4000 });
    } catch (error) {
      notifyError(error, 'Could not close the terminal');
      setClosing(false);
    }
  };

  const ended = phase.name === 'ended' || phase.name === 'failed';
  return (
    <Stack gap="xs">
      <div ref={host} role="region" aria-label={`Terminal on ${session.title}`} className="bl-terminal-host" data-scheme={scheme} />
      {phase.name === 'ended' && (
        <Alert color="yellow" p="xs" title="Terminal ended">
          {phase.reason}. The transcript was saved to the ticket&apos;s notes; Reconnect opens a new shell here.
        </Alert>
      )}
      {phase.name === 'failed' && (
        <Alert color="red" p="xs" title="The shell did not open">
          {phase.message}
        </Alert>
      )}
      <Group justify="space-between" gap="xs" wrap="nowrap">
        <Group gap="xs" wrap="nowrap">
          <Badge color={badges[phase.name].color} variant="light">
            {badges[phase.name].label}
          </Badge>
          <Text size="xs" c="dimmed">
            Ctrl+Shift+C copies, Ctrl+Shift+V pastes; Alt+1…9 switch tabs and the shell goes on. Each shell&apos;s transcript is saved to the ticket&apos;s notes when it ends.
          </Text>
        </Group>
        <Group gap="xs" wrap="nowrap">
          {ended && (
            <Button variant="filled" onClick={() => session.reconnect()}>
              Reconnect
            </Button>
          )}
          <Button color={phase.name === 'open' ? 'red' : 'gray'} variant="light" loading={closing} onClick={() => void close()}>
            Close terminal
          </Button>
        </Group>
      </Group>
    </Stack>
  );
}
