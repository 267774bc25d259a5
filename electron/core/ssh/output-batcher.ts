/**
 * Batches a command's live output into a few events per second and stops after a budget, so a
 * command printing 200 MB cannot flood the window; the result and the spill file keep everything.
 */
export class OutputBatcher {
  private pending = '';
  private sent = 0;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    private readonly send: (data: string) => void,
    private readonly budgetBytes: number,
    private readonly intervalMs = 100,
  ) {}

  push(chunk: Buffer): void {
    if (this.stopped) return;
    this.pending += chunk.toString('utf8');
    if (this.sent + this.pending.length >= this.budgetBytes) {
      this.pending = this.pending.slice(0, Math.max(0, this.budgetBytes - this.sent));
      this.pending += '\n[… live output stops here; the full result follows when the command ends …]\n';
      this.stopped = true;
      this.flush();
      return;
    }
    this.timer ??= setTimeout(() => this.flush(), this.intervalMs);
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.pending === '') return;
    this.sent += this.pending.length;
    const data = this.pending;
    this.pending = '';
    this.send(data);
  }
}

/** The largest terminal.output event: a burst (a 50 MiB `cat`) goes to the window in pieces of at most this. */
export const TERMINAL_EVENT_BYTES = 64 * 1024;

/**
 * A terminal's output as events. What arrives in one turn of the event loop goes out as one event at
 * its end (setImmediate, no timer): a keystroke's echo waits for nothing, and a burst of small reads
 * costs one event, not one per SSH packet. An event holds at most `maxBytes` (more is sent at once, in
 * pieces), so neither memory here nor one event in the window grows with the burst; and it ends on a
 * whole UTF-8 character: a character split between two reads goes whole with the next event.
 */
export class TerminalBatcher {
  private pending: Buffer[] = [];
  private size = 0;
  private scheduled: NodeJS.Immediate | null = null;

  constructor(
    private readonly send: (bytes: Buffer) => void,
    private readonly maxBytes = TERMINAL_EVENT_BYTES,
  ) {}

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.pending.push(chunk);
    this.size += chunk.length;
    if (this.size >= this.maxBytes) this.flush(false);
    else this.scheduled ??= setImmediate(() => this.flush(false));
  }

  /** Sends what is pending; with `all`, an unfinished character too (the terminal ended). */
  flush(all = true): void {
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = null;
    if (this.size === 0) return;
    const bytes = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending, this.size);
    const keep = all ? 0 : unfinishedCharacter(bytes);
    this.pending = keep > 0 ? [Buffer.from(bytes.subarray(bytes.length - keep))] : [];
    this.size = keep;
    const body = bytes.subarray(0, bytes.length - keep);
    for (let at = 0; at < body.length; ) {
      let stop = Math.min(at + this.maxBytes, body.length);
      if (stop < body.length) stop = characterStart(body, stop, at);
      this.send(body.subarray(at, stop));
      at = stop;
    }
  }
}

/** Bytes at the end of `bytes` that start a UTF-8 character still missing its continuation bytes. */
export function unfinishedCharacter(bytes: Buffer): number {
  for (let i = bytes.length - 1; i >= Math.max(0, bytes.length - 4); i--) {
    const byte = bytes[i]!;
    if ((byte & 0xc0) === 0x80) continue;
    if (byte < 0xc0) return 0;
    const length = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : 2;
    return bytes.length - i < length ? bytes.length - i : 0;
  }
  return 0;
}

/** `stop`, moved back (not past `from + 1`) to the start of the character it falls in. */
function characterStart(bytes: Buffer, stop: number, from: number): number {
  let at = stop;
  while (at > from + 1 && stop - at < 3 && (bytes[at]! & 0xc0) === 0x80) at--;
  return (bytes[at]! & 0xc0) === 0x80 ? stop : at;
}
