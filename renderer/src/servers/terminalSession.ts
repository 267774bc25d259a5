import '@xterm/xterm/css/xterm.css';
import { FitAddon } from '@xterm/addon-fit';
import { Terminal, type ITheme } from '@xterm/xterm';
import type { BacklineClient } from '../api/client.js';
import { notifyError } from '../app/errors.js';
import { shortcutFor } from '../workspace/shortcuts.js';
import { DrawnAcks } from './terminalAcks.js';
import { clipboardKey, EarlyOutput, InputQueue } from './terminalIo.js';

export type TerminalPhase = { name: 'opening' } | { name: 'open'; terminalId: string } | { name: 'ended'; reason: string } | { name: 'failed'; message: string };

export interface TerminalServer {
  id: number;
  ticketId: string;
  label: string;
}

export type Scheme = 'light' | 'dark';

export const terminalThemes: Record<Scheme, ITheme> = {
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
 * One terminal tab: an xterm screen and the shell behind it, living outside React so the tab can be
 * hidden, moved and shown again (another workspace tab, another ticket, the reports) without losing
 * the shell or what it printed. Its element is attached wherever the tab is shown. When the shell
 * ends (exit, lost connection) the screen stays and `reconnect` opens a new shell in it; each shell's
 * transcript is saved to the ticket as a note by the main side.
 */
export class TerminalSession {
  readonly element: HTMLDivElement;
  private readonly terminal: Terminal;
  private readonly fit = new FitAddon();
  private readonly input: InputQueue;
  private readonly early = new EarlyOutput();
  private readonly closedEarly = new Map<string, { reason: string; noteId: number | null }>();
  private readonly listeners = new Set<() => void>();
  private readonly offs: (() => void)[];
  private observer: ResizeObserver | null = null;
  private opened = false;
  private disposed = false;
  private typedBeforeOpen = '';
  private current: TerminalPhase = { name: 'opening' };
  /** Tells the core how far the open shell's output is drawn (flow control); one per shell. */
  private acks: DrawnAcks | null = null;
  /** Transcript notes saved for this tab's shells, oldest first. */
  notes: number[] = [];

  constructor(
    private readonly client: BacklineClient,
    readonly server: TerminalServer,
    readonly key: string,
    readonly title: string,
    scheme: Scheme,
    /** A shell already open on the main side (found after a reload), shown again instead of opening one. */
    private readonly adopted: string | null = null,
  ) {
    this.element = document.createElement('div');
    this.element.className = 'bl-terminal-screen';
    this.terminal = new Terminal({
      fontFamily: 'ui-monospace, "SFMono-Regular", "JetBrains Mono", Menlo, Consolas, "Liberation Mono", monospace',
      fontSize: 13,
      cursorBlink: true,
      scrollback: 5000,
      theme: terminalThemes[scheme],
    });
    this.terminal.loadAddon(this.fit);
    this.input = new InputQueue(
      (data) => {
        const id = this.terminalId;
        return id ? client.invoke('terminal.input', { terminalId: id, data }) : Promise.resolve();
      },
      (error) => {
        if (this.current.name === 'open') notifyError(error, 'The terminal did not take the input');
      },
    );
    this.offs = [
      client.on('terminal.output', (event) => {
        if (this.current.name === 'opening') this.early.hold(event.terminalId, event.data, event.offset);
        else if (event.terminalId === this.terminalId) {
          const acks = this.acks;
          const end = event.offset + event.bytes;
          // Acked once xterm has drawn it: a shell that prints faster than this window draws is paused by the core.
          this.terminal.write(event.data, () => acks?.drawn(end));
        }
      }),
      client.on('terminal.closed', (event) => {
        if (this.current.name === 'opening') this.closedEarly.set(event.terminalId, { reason: event.reason, noteId: event.noteId });
        else if (event.terminalId === this.terminalId) {
          this.noteSaved(event.noteId);
          this.end(event.reason);
        }
      }),
    ];
    this.terminal.onData((data) => {
      if (this.current.name === 'open') this.input.push(data);
      else if (this.current.name === 'opening') this.typedBeforeOpen += data;
    });
    this.terminal.onResize(({ cols, rows }) => {
      const id = this.terminalId;
      if (id) client.invoke('terminal.resize', { terminalId: id, cols, rows }).catch(() => undefined);
    });
    this.terminal.attachCustomKeyEventHandler((event) => {
      // Backline's tab keys leave the terminal; the shell never sees them.
      if (event.type === 'keydown' && shortcutFor(event, true) !== null) return false;
      const key = clipboardKey(event);
      if (key === 'copy') {
        event.preventDefault();
        const selection = this.terminal.getSelection();
        if (selection) navigator.clipboard.writeText(selection).catch((error: unknown) => notifyError(error, 'Could not copy'));
        return false;
      }
      if (key === 'paste') {
        event.preventDefault();
        navigator.clipboard
          .readText()
          .then((text) => this.terminal.paste(text))
          .catch((error: unknown) => notifyError(error, 'Could not paste'));
        return false;
      }
      return true;
    });
  }

  get phase(): TerminalPhase {
    return this.current;
  }

  private get terminalId(): string | null {
    return this.current.name === 'open' ? this.current.terminalId : null;
  }

  /** Whether this tab shows (or was made to show) that shell. */
  shows(terminalId: string): boolean {
    return this.terminalId === terminalId || this.adopted === terminalId;
  }

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  };

  private setPhase(phase: TerminalPhase): void {
    this.current = phase;
    this.listeners.forEach((l) => l());
  }

  private noteSaved(noteId: number | null): void {
    if (noteId !== null && !this.notes.includes(noteId)) this.notes = [...this.notes, noteId];
  }

  private end(reason: string): void {
    if (this.current.name !== 'open') return;
    this.terminal.options.cursorBlink = false;
    this.terminal.write(`\r\n\x1b[2m[${reason}; the transcript was saved to the ticket's notes]\x1b[0m\r\n`);
    this.setPhase({ name: 'ended', reason });
  }

  /** Shows the screen inside `container`; the first time, this is when the shell opens (it needs the screen's size). */
  attach(container: HTMLElement): void {
    if (this.disposed) return;
    container.appendChild(this.element);
    if (!this.opened) {
      this.opened = true;
      this.terminal.open(this.element);
      this.observer = new ResizeObserver(() => {
        if (!this.disposed && this.element.isConnected && this.element.clientWidth > 0) this.fit.fit();
      });
      this.observer.observe(this.element);
      if (this.adopted) this.resumeShell(this.adopted);
      else this.openShell();
      return;
    }
    requestAnimationFrame(() => {
      if (this.disposed || !this.element.isConnected) return;
      this.fit.fit();
      this.focus();
    });
  }

  /** Takes the screen out of the page (the shell goes on; output keeps arriving into it). */
  detach(): void {
    this.element.remove();
  }

  focus(): void {
    if (this.current.name === 'open') this.terminal.focus();
  }

  setScheme(scheme: Scheme): void {
    this.terminal.options.theme = terminalThemes[scheme];
  }

  /** A new shell in the same screen, after the last one ended or could not open. */
  reconnect(): void {
    if (this.current.name !== 'ended' && this.current.name !== 'failed') return;
    this.terminal.options.cursorBlink = true;
    this.terminal.write(`\r\n\x1b[2m[reconnecting to ${this.server.label}…]\x1b[0m\r\n`);
    this.openShell();
  }

  private openShell(): void {
    this.setPhase({ name: 'opening' });
    // A frame later: the screen has its size by then.
    requestAnimationFrame(() => {
      if (this.disposed) return;
      if (this.element.isConnected && this.element.clientWidth > 0) this.fit.fit();
      const size = this.element.isConnected ? (this.fit.proposeDimensions() ?? fallbackSize) : { cols: this.terminal.cols, rows: this.terminal.rows };
      const cols = Math.max(2, Math.min(1000, size.cols || fallbackSize.cols));
      const rows = Math.max(1, Math.min(500, size.rows || fallbackSize.rows));
      this.client
        .invoke('terminal.open', { serverId: this.server.id, cols, rows })
        .then(({ terminalId }) => {
          if (this.disposed) {
            void this.client.invoke('terminal.close', { terminalId }).catch(() => undefined);
            return;
          }
          this.terminal.write(this.early.take(terminalId));
          this.acks = this.acksFor(terminalId);
          this.setPhase({ name: 'open', terminalId });
          const closed = this.closedEarly.get(terminalId);
          this.closedEarly.clear();
          if (closed !== undefined) {
            this.noteSaved(closed.noteId);
            this.end(closed.reason);
            return;
          }
          if (this.typedBeforeOpen) {
            this.input.push(this.typedBeforeOpen);
            this.typedBeforeOpen = '';
          }
          // The size may have changed while the shell was opening.
          if (this.terminal.cols !== cols || this.terminal.rows !== rows) {
            void this.client.invoke('terminal.resize', { terminalId, cols: this.terminal.cols, rows: this.terminal.rows }).catch(() => undefined);
          }
          if (this.element.isConnected) this.terminal.focus();
        })
        .catch((error: unknown) => {
          if (this.disposed) return;
          this.early.take('');
          this.closedEarly.clear();
          this.typedBeforeOpen = '';
          const message = error instanceof Error ? error.message : 'The shell did not open.';
          this.terminal.write(`\r\n\x1b[31m[could not open a shell on ${this.server.label}: ${message}]\x1b[0m\r\n`);
          this.setPhase({ name: 'failed', message });
          notifyError(error, `Could not open a terminal on ${this.server.label}`);
        });
    });
  }

  private acksFor(terminalId: string): DrawnAcks {
    return new DrawnAcks((offset) => void this.client.invoke('terminal.ack', { terminalId, offset }).catch(() => undefined));
  }

  /** Shows a shell that was already open: its recent output first, then what it prints from there on. */
  private resumeShell(terminalId: string): void {
    this.setPhase({ name: 'opening' });
    requestAnimationFrame(() => {
      if (this.disposed) return;
      if (this.element.isConnected && this.element.clientWidth > 0) this.fit.fit();
      this.client
        .invoke('terminal.attach', { terminalId })
        .then(({ screen, offset }) => {
          if (this.disposed) return;
          this.terminal.write(screen + this.early.take(terminalId, offset));
          this.acks = this.acksFor(terminalId);
          this.acks.caughtUp(offset);
          this.setPhase({ name: 'open', terminalId });
          const closed = this.closedEarly.get(terminalId);
          this.closedEarly.clear();
          if (closed !== undefined) {
            this.noteSaved(closed.noteId);
            this.end(closed.reason);
            return;
          }
          // This window's size, whatever the last one's was.
          void this.client.invoke('terminal.resize', { terminalId, cols: this.terminal.cols, rows: this.terminal.rows }).catch(() => undefined);
          if (this.element.isConnected) this.terminal.focus();
        })
        .catch(() => {
          if (this.disposed) return;
          this.early.take('');
          this.closedEarly.clear();
          this.terminal.write(`\x1b[2m[this shell has ended; its transcript is in the ticket's notes]\x1b[0m\r\n`);
          this.setPhase({ name: 'ended', reason: 'the shell had ended' });
        });
    });
  }

  /** Ends the shell, if one is open; its transcript is saved as a note, whose id this returns. */
  async close(): Promise<number | null> {
    const id = this.terminalId;
    if (!id) return null;
    this.setPhase({ name: 'ended', reason: 'closed by the engineer' });
    const { noteId } = await this.client.invoke('terminal.close', { terminalId: id });
    this.noteSaved(noteId);
    return noteId;
  }

  /** Frees the screen. A shell still open is ended (and its transcript saved) on the way. */
  dispose(): void {
    if (this.disposed) return;
    const id = this.terminalId;
    this.disposed = true;
    if (id) void this.client.invoke('terminal.close', { terminalId: id }).catch(() => undefined);
    this.offs.forEach((off) => off());
    this.observer?.disconnect();
    this.element.remove();
    this.terminal.dispose();
    this.listeners.clear();
  }
}
