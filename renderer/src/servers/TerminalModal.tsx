import '@xterm/xterm/css/xterm.css';
import { Alert, Badge, Button, Group, Modal, Stack, Text, useComputedColorScheme } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { FitAddon } from '@xterm/addon-fit';
import { Terminal, type ITheme } from '@xterm/xterm';
import { useEffect, useRef, useState } from 'react';
import type { Server } from '../../../shared/domain/server.js';
import { useClient } from '../app/ClientContext.js';
import { notifyError } from '../app/errors.js';
import { clipboardKey, EarlyOutput, InputQueue } from './terminalIo.js';

type Phase = { name: 'opening' } | { name: 'open'; terminalId: string } | { name: 'ended'; reason: string } | { name: 'failed' };

const themes: Record<'light' | 'dark', ITheme> = {
  dark: { background: '#14151a', foreground: '#d8dae0', cursor: '#d8dae0', selectionBackground: '#4c5a86' },
  light: {
    background: '#fbfbfd',
    foreground: '#1d1f24',
    cursor: '#1d1f24',
    selectionBackground: '#b9c6ee',
    black: '#1d1f24',
    white: '#8a8d96',
    brightWhite: '#5c5f66',
    yellow: '#9a6b00',
    brightYellow: '#7a5500',
  },
};

const fallbackSize = { cols: 80, rows: 24 };

/**
 * An interactive shell on one server. The shell opens once the terminal knows its size; output comes
 * from terminal.output events, keystrokes go out in order through terminal.input. Unmounting closes it.
 */
function TerminalView({ server, onPhase, closeRef }: { server: Server; onPhase: (phase: Phase) => void; closeRef: { current: (() => Promise<void>) | null } }) {
  const client = useClient();
  const scheme = useComputedColorScheme('light');
  const host = useRef<HTMLDivElement>(null);
  const term = useRef<Terminal | null>(null);

  useEffect(() => {
    const element = host.current;
    if (!element) return;
    const terminal = new Terminal({
      fontFamily: 'ui-monospace, "SFMono-Regular", "JetBrains Mono", Menlo, Consolas, "Liberation Mono", monospace',
      fontSize: 13,
      cursorBlink: true,
      scrollback: 5000,
      theme: themes[scheme],
    });
    term.current = terminal;
    const fit = new FitAddon();
    terminal.loadAddon(fit);
    terminal.open(element);

    let terminalId: string | null = null;
    let ended = false;
    let disposed = false;
    const early = new EarlyOutput();
    const input = new InputQueue(
      (data) => (terminalId ? client.invoke('terminal.input', { terminalId, data }) : Promise.resolve()),
      (error) => {
        if (!ended) notifyError(error, 'The terminal did not take the input');
      },
    );

    const end = (reason: string, report = true) => {
      if (ended) return;
      ended = true;
      terminal.options.disableStdin = true;
      terminal.options.cursorBlink = false;
      if (report) onPhase({ name: 'ended', reason });
    };

    const offOutput = client.on('terminal.output', (event) => {
      if (terminalId === null) early.hold(event.terminalId, event.data);
      else if (event.terminalId === terminalId) terminal.write(event.data);
    });
    let closedEarly: string | null = null;
    const offClosed = client.on('terminal.closed', (event) => {
      if (terminalId === null) closedEarly = event.reason;
      else if (event.terminalId === terminalId) end(event.reason);
    });

    // Keys typed while the shell is still opening are kept and sent once it is there, in order.
    let typedBeforeOpen = '';
    terminal.onData((data) => {
      if (ended) return;
      if (terminalId) input.push(data);
      else typedBeforeOpen += data;
    });
    terminal.onResize(({ cols, rows }) => {
      if (terminalId && !ended) client.invoke('terminal.resize', { terminalId, cols, rows }).catch(() => undefined);
    });
    terminal.attachCustomKeyEventHandler((event) => {
      const key = clipboardKey(event);
      if (key === 'copy') {
        event.preventDefault();
        const selection = terminal.getSelection();
        if (selection) navigator.clipboard.writeText(selection).catch((error: unknown) => notifyError(error, 'Could not copy'));
        return false;
      }
      if (key === 'paste') {
        event.preventDefault();
        navigator.clipboard
          .readText()
          .then((text) => terminal.paste(text))
          .catch((error: unknown) => notifyError(error, 'Could not paste'));
        return false;
      }
      return true;
    });

    const observer = new ResizeObserver(() => {
      if (!disposed && element.clientWidth > 0) fit.fit();
    });
    observer.observe(element);

    closeRef.current = async () => {
      if (!terminalId || ended) return;
      const id = terminalId;
      end('closed by the engineer', false);
      await client.invoke('terminal.close', { terminalId: id });
    };

    // Opened a frame later: the modal has laid out by then, and StrictMode's trial mount never opens a shell.
    const frame = requestAnimationFrame(() => {
      fit.fit();
      const size = fit.proposeDimensions() ?? fallbackSize;
      const cols = Math.max(2, Math.min(1000, size.cols || fallbackSize.cols));
      const rows = Math.max(1, Math.min(500, size.rows || fallbackSize.rows));
      client
        .invoke('terminal.open', { serverId: server.id, cols, rows })
        .then(({ terminalId: id }) => {
          if (disposed) {
            void client.invoke('terminal.close', { terminalId: id }).catch(() => undefined);
            return;
          }
          terminalId = id;
          terminal.write(early.take(id));
          if (typedBeforeOpen) {
            input.push(typedBeforeOpen);
            typedBeforeOpen = '';
          }
          onPhase({ name: 'open', terminalId: id });
          if (closedEarly !== null) end(closedEarly);
          else {
            // The size may have changed while the shell was opening.
            if (terminal.cols !== cols || terminal.rows !== rows) void client.invoke('terminal.resize', { terminalId: id, cols: terminal.cols, rows: terminal.rows }).catch(() => undefined);
            terminal.focus();
          }
        })
        .catch((error: unknown) => {
          if (disposed) return;
          onPhase({ name: 'failed' });
          notifyError(error, `Could not open a terminal on ${server.label}`);
        });
    });

    return () => {
      disposed = true;
      cancelAnimationFrame(frame);
      observer.disconnect();
      offOutput();
      offClosed();
      closeRef.current = null;
      // Leaving the tab (or the window) ends the shell; its transcript is still saved.
      if (terminalId && !ended) void client.invoke('terminal.close', { terminalId }).catch(() => undefined);
      term.current = null;
      terminal.dispose();
    };
    // One terminal per mount: the server does not change under a mounted view.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  useEffect(() => {
    if (term.current) term.current.options.theme = themes[scheme];
  }, [scheme]);

  return <div ref={host} role="region" aria-label="Terminal" className="bl-terminal" data-scheme={scheme} />;
}

function TerminalSession({ server, onClose, closeRequestRef }: { server: Server; onClose: () => void; closeRequestRef: { current: (() => void) | null } }) {
  const [phase, setPhase] = useState<Phase>({ name: 'opening' });
  const [closing, setClosing] = useState(false);
  const closeRef = useRef<(() => Promise<void>) | null>(null);

  const close = async () => {
    if (phase.name !== 'open' || !closeRef.current) {
      onClose();
      return;
    }
    setClosing(true);
    try {
      await closeRef.current();
      notifications.show({ color: 'teal', message: "Transcript saved to the ticket's notes", autoClose: 4000 });
      onClose();
    } catch (error) {
      notifyError(error, 'Could not close the terminal');
      setClosing(false);
    }
  };

  useEffect(() => {
    closeRequestRef.current = () => void close();
  });

  return (
    <Stack gap="xs">
      <TerminalView server={server} onPhase={setPhase} closeRef={closeRef} />
      {phase.name === 'ended' && (
        <Alert color="yellow" p="xs" title="Terminal ended">
          {phase.reason}. The transcript was saved to the ticket&apos;s notes.
        </Alert>
      )}
      <Group justify="space-between" gap="xs" wrap="nowrap">
        <Group gap="xs" wrap="nowrap">
          <Badge color={phase.name === 'open' ? 'green' : phase.name === 'opening' ? 'blue' : 'gray'} variant="light">
            {phase.name === 'open' ? 'shell open' : phase.name === 'opening' ? 'opening…' : phase.name === 'failed' ? 'not opened' : 'ended'}
          </Badge>
          <Text size="xs" c="dimmed">
            Ctrl+Shift+C copies the selection, Ctrl+Shift+V pastes. Everything shown is saved to the ticket&apos;s notes when the terminal ends.
          </Text>
        </Group>
        <Button color={phase.name === 'open' ? 'red' : 'gray'} variant="light" loading={closing} onClick={() => void close()}>
          Close terminal
        </Button>
      </Group>
    </Stack>
  );
}

/** A large dialog with one shell; Escape belongs to the shell (vim, less), so only the buttons close it. */
export function TerminalModal({ server, onClose }: { server: Server | null; onClose: () => void }) {
  const closeRequestRef = useRef<(() => void) | null>(null);
  return (
    <Modal
      opened={server !== null}
      onClose={() => (closeRequestRef.current ? closeRequestRef.current() : onClose())}
      title={server ? `Terminal — ${server.label}` : 'Terminal'}
      size="min(1280px, 96vw)"
      closeOnEscape={false}
      closeOnClickOutside={false}
      padding="sm"
    >
      {server && <TerminalSession key={server.id} server={server} onClose={onClose} closeRequestRef={closeRequestRef} />}
    </Modal>
  );
}
