/** terminal.input takes at most 64 KiB per call (the contract's limit), counted in UTF-16 units here, which is stricter. */
export const MAX_INPUT_CHUNK = 32 * 1024;

/**
 * Keystrokes go to the server in order, one request at a time; whatever is typed while a request is
 * in flight is sent together in the next one. A paste larger than the contract allows is split.
 */
export class InputQueue {
  private pending = '';
  private sending = false;

  constructor(
    private readonly send: (data: string) => Promise<unknown>,
    private readonly onError: (error: unknown) => void,
    private readonly chunk = MAX_INPUT_CHUNK,
  ) {}

  push(data: string): void {
    this.pending += data;
    void this.pump();
  }

  private async pump(): Promise<void> {
    if (this.sending) return;
    this.sending = true;
    try {
      while (this.pending !== '') {
        const next = this.pending.slice(0, this.chunk);
        this.pending = this.pending.slice(next.length);
        try {
          await this.send(next);
        } catch (error) {
          this.pending = '';
          this.onError(error);
        }
      }
    } finally {
      this.sending = false;
    }
  }
}

export type ClipboardKey = 'copy' | 'paste' | null;

/** Ctrl+Shift+C copies and Ctrl+Shift+V pastes, as in desktop terminals (plain Ctrl+C stays SIGINT). */
export function clipboardKey(event: Pick<KeyboardEvent, 'type' | 'ctrlKey' | 'shiftKey' | 'altKey' | 'metaKey' | 'code'>): ClipboardKey {
  if (event.type !== 'keydown' || !event.ctrlKey || !event.shiftKey || event.altKey || event.metaKey) return null;
  if (event.code === 'KeyC') return 'copy';
  if (event.code === 'KeyV') return 'paste';
  return null;
}

/**
 * Terminal output that arrives before we know which terminal is ours (terminal.open or terminal.attach
 * has not answered yet), then replayed: only ours, and only from `from` on (what a replay already drew).
 */
export class EarlyOutput {
  private readonly held: { terminalId: string; data: string; offset: number }[] = [];

  hold(terminalId: string, data: string, offset: number): void {
    if (this.held.length < 1000) this.held.push({ terminalId, data, offset });
  }

  take(terminalId: string, from = 0): string {
    const mine = this.held.filter((h) => h.terminalId === terminalId && h.offset >= from).map((h) => h.data);
    this.held.length = 0;
    return mine.join('');
  }
}
