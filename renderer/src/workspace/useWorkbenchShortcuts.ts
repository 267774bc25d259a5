import { useEffect, useRef } from 'react';
import type { Route } from '../app/route.js';
import { navigate } from '../app/useHashRoute.js';
import { isTypingTarget, shortcutFor } from './shortcuts.js';
import { shortcutsOverlay } from './ShortcutsOverlay.js';
import { useWorkbench, type Workbench } from './workbench.js';

/** Brings a tab of this ticket to the front (over any terminal) and asks it for something. */
export function askTab(bench: Workbench, ticketId: string, tab: 'servers' | 'findings', intent: 'attach-server' | 'focus-command' | 'add-finding'): void {
  bench.terminals.activate(ticketId, null);
  navigate({ name: 'workspace', ticketId, tab });
  bench.intents.request(ticketId, intent);
}

/** The window-wide keys: `?` lists the shortcuts, `/` goes to the command line of the ticket in view. */
export function useWorkbenchShortcuts(route: Route): void {
  const bench = useWorkbench();
  const routeRef = useRef(route);
  useEffect(() => {
    routeRef.current = route;
  });
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const action = shortcutFor(event, isTypingTarget(event.target));
      if (action?.kind !== 'help' && action?.kind !== 'focus-command') return;
      if (document.querySelector('[role="dialog"][aria-modal="true"]')) return;
      if (action.kind === 'help') {
        event.preventDefault();
        shortcutsOverlay.open();
        return;
      }
      const current = routeRef.current;
      if (current.name !== 'workspace') return;
      event.preventDefault();
      askTab(bench, current.ticketId, 'servers', 'focus-command');
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [bench]);
}
