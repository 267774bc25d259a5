import { useComputedColorScheme } from '@mantine/core';
import { createContext, useContext, useEffect, useState, useSyncExternalStore, type ReactNode } from 'react';
import { useClient } from '../app/ClientContext.js';
import { notifyError } from '../app/errors.js';
import { RunStore } from '../servers/runStore.js';
import type { Scheme } from '../servers/terminalSession.js';
import { TerminalStore } from '../servers/terminalStore.js';
import { TerminalTabSession } from '../servers/terminalTab.js';
import { Intents } from './intents.js';

/**
 * What outlives any one tab of a ticket: its command runs (with their live output), its terminals
 * (with their shells), and requests made of its tabs from the palette or the keyboard. One per window.
 */
export interface Workbench {
  runs: RunStore;
  terminals: TerminalStore<TerminalTabSession>;
  intents: Intents;
}

const WorkbenchContext = createContext<Workbench | null>(null);

export function WorkbenchProvider({ children }: { children: ReactNode }) {
  const client = useClient();
  const scheme = useComputedColorScheme('light');
  const [{ bench, setScheme }] = useState(() => {
    // New terminals start in the scheme of the moment; open ones follow it.
    let current: Scheme = 'light';
    const made: Workbench = {
      runs: new RunStore(client),
      terminals: new TerminalStore((server, key, title, adopted) => new TerminalTabSession(client, server, key, title, current, adopted)),
      intents: new Intents(),
    };
    const follow = (next: Scheme) => {
      current = next;
      for (const session of made.terminals.all()) session.setScheme(next);
    };
    return { bench: made, setScheme: follow };
  });
  useEffect(() => setScheme(scheme), [setScheme, scheme]);
  // Shells still open on the main side (this window was reloaded) come back as tabs; their transcripts are not lost.
  useEffect(() => {
    let live = true;
    client
      .invoke('terminal.list', {})
      .then((open) => {
        if (!live) return;
        for (const t of open) bench.terminals.adopt({ id: t.serverId, ticketId: t.ticketId, label: t.label }, t.terminalId);
      })
      .catch((error: unknown) => notifyError(error, 'Could not look for terminals left open'));
    return () => {
      live = false;
    };
  }, [bench, client]);
  return <WorkbenchContext value={bench}>{children}</WorkbenchContext>;
}

export function useWorkbench(): Workbench {
  const bench = useContext(WorkbenchContext);
  if (!bench) throw new Error('useWorkbench() needs a <WorkbenchProvider> above it.');
  return bench;
}

/** This ticket's terminal tabs and which one is in front; re-renders when any of them changes. */
export function useTerminalTabs(ticketId: string) {
  const { terminals } = useWorkbench();
  useSyncExternalStore(terminals.subscribe, terminals.snapshot);
  return { terminals, tabs: terminals.list(ticketId), activeKey: terminals.activeKey(ticketId) };
}
