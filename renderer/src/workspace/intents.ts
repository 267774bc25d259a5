import { useEffect, useRef, useSyncExternalStore } from 'react';

/**
 * Something asked of a tab from elsewhere (the command palette, a shortcut): "attach a server",
 * "focus the command line", "add a finding". It waits until that ticket's tab is there to take it,
 * so asking works whether or not the tab was open.
 */
export type IntentKind = 'attach-server' | 'focus-command' | 'add-finding';

interface Pending {
  ticketId: string;
  kind: IntentKind;
}

export class Intents {
  private pending: Pending | null = null;
  private readonly listeners = new Set<() => void>();

  request(ticketId: string, kind: IntentKind): void {
    this.pending = { ticketId, kind };
    this.listeners.forEach((l) => l());
  }

  /** Takes the pending request if it is this one. */
  take(ticketId: string, kind: IntentKind): boolean {
    if (this.pending?.ticketId !== ticketId || this.pending.kind !== kind) return false;
    this.pending = null;
    return true;
  }

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  };

  readonly current = (): Pending | null => this.pending;
}

/** Runs `handle` whenever `kind` is asked for this ticket, including a request made just before this mounted. */
export function useIntent(intents: Intents, ticketId: string, kind: IntentKind, handle: () => void): void {
  const pending = useSyncExternalStore(intents.subscribe, intents.current);
  const latest = useRef(handle);
  useEffect(() => {
    latest.current = handle;
  });
  useEffect(() => {
    if (pending && intents.take(ticketId, kind)) latest.current();
  }, [pending, intents, ticketId, kind]);
}
