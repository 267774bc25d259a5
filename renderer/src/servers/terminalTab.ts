import type { BacklineClient } from '../api/client.js';
import { notifyError } from '../app/errors.js';
import type { Scheme, TerminalPhase, TerminalServer, TerminalSession } from './terminalSession.js';

const opening: TerminalPhase = { name: 'opening' };

/**
 * A terminal tab as the window holds it, made at once when the engineer opens a terminal (or a reload
 * finds one still open): the screen and the shell behind it (`TerminalSession`, with xterm, ~400 KiB)
 * load on demand, so no other screen fetches or runs that code. Until they are in, the tab is
 * "opening"; what was asked of it meanwhile (where to show it, the colour scheme) is handed over then,
 * and the shell opens as before, when the screen is first shown.
 */
export class TerminalTabSession {
  private session: TerminalSession | null = null;
  private loadFailure: TerminalPhase | null = null;
  private container: HTMLElement | null = null;
  private disposed = false;
  private offSession: (() => void) | null = null;
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly client: BacklineClient,
    readonly server: TerminalServer,
    readonly key: string,
    readonly title: string,
    private scheme: Scheme,
    /** A shell already open on the main side (found after a reload), shown again instead of opening one. */
    private readonly adopted: string | null = null,
  ) {
    this.load();
  }

  private load(): void {
    import('./terminalSession.js').then(
      ({ TerminalSession }) => {
        if (this.disposed) return;
        const session = new TerminalSession(this.client, this.server, this.key, this.title, this.scheme, this.adopted);
        this.session = session;
        this.loadFailure = null;
        this.offSession = session.subscribe(() => this.notify());
        if (this.container) session.attach(this.container);
        this.notify();
      },
      (error: unknown) => {
        if (this.disposed) return;
        const reason = error instanceof Error ? error.message : String(error);
        this.loadFailure = { name: 'failed', message: `The terminal's code did not load (${reason}). Reconnect tries again; reloading the window may help.` };
        this.notify();
        notifyError(error, `Could not open a terminal on ${this.server.label}`);
      },
    );
  }

  get phase(): TerminalPhase {
    return this.session?.phase ?? this.loadFailure ?? opening;
  }

  /** Whether this tab shows (or was made to show) that shell. */
  shows(terminalId: string): boolean {
    return this.session ? this.session.shows(terminalId) : this.adopted === terminalId;
  }

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  };

  private notify(): void {
    this.listeners.forEach((l) => l());
  }

  /** Shows the screen inside `container` (once its code is in); the first time, the shell opens. */
  attach(container: HTMLElement): void {
    this.container = container;
    this.session?.attach(container);
  }

  /** Takes the screen out of the page (the shell goes on; output keeps arriving into it). */
  detach(): void {
    this.container = null;
    this.session?.detach();
  }

  focus(): void {
    this.session?.focus();
  }

  setScheme(scheme: Scheme): void {
    this.scheme = scheme;
    this.session?.setScheme(scheme);
  }

  /** A new shell in the same screen after the last one ended; or, if the code did not load, another try. */
  reconnect(): void {
    if (this.session) this.session.reconnect();
    else if (this.loadFailure) {
      this.loadFailure = null;
      this.notify();
      this.load();
    }
  }

  /** Ends the shell, if one is open; its transcript is saved as a note, whose id this returns. */
  close(): Promise<number | null> {
    return this.session ? this.session.close() : Promise.resolve(null);
  }

  /** Frees the screen. A shell still open is ended (and its transcript saved) on the way. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.offSession?.();
    this.session?.dispose();
    this.listeners.clear();
  }
}
