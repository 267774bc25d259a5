import type { TerminalPhase, TerminalServer } from './terminalSession.js';

/** What the store needs of a terminal tab (TerminalSession in the app, a stub in tests). */
export interface TerminalTab {
  readonly key: string;
  readonly server: TerminalServer;
  readonly title: string;
  readonly phase: TerminalPhase;
  shows(terminalId: string): boolean;
  subscribe(listener: () => void): () => void;
  close(): Promise<number | null>;
  dispose(): void;
}

/** "web1", then "web1 (2)" for a second terminal on the same server while the first is open. */
export function terminalTitle(label: string, taken: readonly string[]): string {
  if (!taken.includes(label)) return label;
  for (let n = 2; ; n++) if (!taken.includes(`${label} (${n})`)) return `${label} (${n})`;
}

/**
 * The terminal tabs of every ticket, above any one view, so switching tabs, tickets or pages keeps
 * them (and their shells). Each ticket remembers which of its terminals is in front, if any.
 */
export class TerminalStore<T extends TerminalTab = TerminalTab> {
  private tabs: T[] = [];
  private readonly active = new Map<string, string | null>();
  private readonly offs = new Map<string, () => void>();
  private version = 0;
  private readonly listeners = new Set<() => void>();
  private counter = 0;

  constructor(private readonly make: (server: TerminalServer, key: string, title: string, adopted: string | null) => T) {}

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  };

  readonly snapshot = (): number => this.version;

  private changed(): void {
    this.version++;
    this.listeners.forEach((l) => l());
  }

  /** A new terminal tab on the server, in front. */
  open(server: TerminalServer): T {
    const tab = this.add(server, null);
    this.active.set(server.ticketId, tab.key);
    this.changed();
    return tab;
  }

  /**
   * A tab for a shell already open on the main side (this window was reloaded), behind the tab in
   * front; none when a tab already shows it.
   */
  adopt(server: TerminalServer, terminalId: string): T | null {
    if (this.tabs.some((t) => t.shows(terminalId))) return null;
    const tab = this.add(server, terminalId);
    this.changed();
    return tab;
  }

  private add(server: TerminalServer, adopted: string | null): T {
    const key = `terminal-${++this.counter}`;
    const title = terminalTitle(
      server.label,
      this.tabs.filter((t) => t.server.ticketId === server.ticketId).map((t) => t.title),
    );
    const tab = this.make(server, key, title, adopted);
    this.tabs = [...this.tabs, tab];
    this.offs.set(key, tab.subscribe(() => this.changed()));
    return tab;
  }

  all(): readonly T[] {
    return this.tabs;
  }

  list(ticketId: string): T[] {
    return this.tabs.filter((t) => t.server.ticketId === ticketId);
  }

  get(key: string): T | undefined {
    return this.tabs.find((t) => t.key === key);
  }

  /** The terminal in front for this ticket; null when one of the workspace's own tabs is. */
  activeKey(ticketId: string): string | null {
    const key = this.active.get(ticketId) ?? null;
    return key !== null && this.get(key) ? key : null;
  }

  activate(ticketId: string, key: string | null): void {
    if (this.activeKey(ticketId) === key) return;
    this.active.set(ticketId, key);
    this.changed();
  }

  /** Ends the tab's shell (saving its transcript) and removes the tab; the neighbour comes to the front. */
  async close(key: string): Promise<number | null> {
    const tab = this.get(key);
    if (!tab) return null;
    const noteId = tab.phase.name === 'open' ? await tab.close() : null;
    this.remove(key);
    return noteId;
  }

  /** Removes a tab (its shell, if still open, is ended on the way). */
  remove(key: string): void {
    const tab = this.get(key);
    if (!tab) return;
    const siblings = this.list(tab.server.ticketId);
    const index = siblings.indexOf(tab);
    this.offs.get(key)?.();
    this.offs.delete(key);
    this.tabs = this.tabs.filter((t) => t !== tab);
    tab.dispose();
    if (this.active.get(tab.server.ticketId) === key) {
      const next = siblings[index + 1] ?? siblings[index - 1];
      this.active.set(tab.server.ticketId, next && next !== tab ? next.key : null);
    }
    this.changed();
  }
}
