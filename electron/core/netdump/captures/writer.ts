import { closeSync, fstatSync, mkdirSync, openSync, write } from 'node:fs';
import { dirname, join } from 'node:path';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from '../../data-dir.js';

/**
 * Appends capture records to their files. `append` is synchronous and returns the record's offset at
 * once, so the parser can point at it; the bytes go to disk in batches, one write per file at a time,
 * in arrival order. Nothing queued is ever dropped: `drained()` resolves once all of it is written.
 */
interface OpenFile {
  fd: number;
  /** Size once everything queued is written: the next record's offset. */
  end: number;
  queue: Buffer[];
  writing: boolean;
  /** Waiting for the batch timer. */
  scheduled: boolean;
  queued: number;
  written: number;
  waiters: { upTo: number; resolve: () => void; reject: (error: Error) => void }[];
}

const BATCH_MS = 20;

/** A record's place in its file's queue: `drained(ticket)` waits for it. */
export interface WriteTicket {
  file: string;
  n: number;
}

export class CaptureWriter {
  private readonly files = new Map<string, OpenFile>();
  private failure: Error | null = null;
  private due: OpenFile[] = [];
  private timer: NodeJS.Timeout | null = null;

  /** `root` is the data folder; files are named relative to it with `/`. */
  constructor(private readonly root: string) {}

  /** A write failed: nothing more is accepted. */
  get broken(): boolean {
    return this.failure !== null;
  }

  /** Records waiting to be written. */
  get pending(): number {
    let count = 0;
    for (const open of this.files.values()) count += open.queued - open.written;
    return count;
  }

  append(file: string, record: Buffer): { offset: number; ticket: WriteTicket } {
    if (this.failure) throw this.failure;
    const open = this.open(file);
    const offset = open.end;
    open.end += record.length;
    open.queue.push(record);
    open.queued++;
    if (!open.writing) this.schedule(open);
    return { offset, ticket: { file, n: open.queued } };
  }

  /** Resolves once the ticket's record (default: everything appended so far) is on disk. */
  async drained(ticket?: WriteTicket): Promise<void> {
    if (this.failure) throw this.failure;
    const waits = ticket ? [[this.files.get(ticket.file), ticket.n] as const] : [...this.files.values()].map((open) => [open, open.queued] as const);
    const pending = waits.flatMap(([open, upTo]) =>
      !open || open.written >= upTo ? [] : [new Promise<void>((resolve, reject) => open.waiters.push({ upTo, resolve, reject }))],
    );
    await Promise.all(pending);
  }

  /** Writes what is queued for one file, then closes it (a sender's day is over); appending again reopens it. */
  async release(file: string): Promise<void> {
    const open = this.files.get(file);
    if (!open) return;
    await this.drained({ file, n: open.queued });
    if (this.files.get(file) !== open || open.queued !== open.written || open.writing || open.scheduled) return;
    this.files.delete(file);
    closeSync(open.fd);
  }

  /** Writes what is queued, then closes the files. */
  async close(): Promise<void> {
    await this.drained();
    for (const open of this.files.values()) closeSync(open.fd);
    this.files.clear();
  }

  private open(file: string): OpenFile {
    let open = this.files.get(file);
    if (!open) {
      const path = join(this.root, ...file.split('/'));
      mkdirSync(dirname(path), { recursive: true, mode: PRIVATE_DIR_MODE });
      const fd = openSync(path, 'a', PRIVATE_FILE_MODE);
      open = { fd, end: fstatSync(fd).size, queue: [], writing: false, scheduled: false, queued: 0, written: 0, waiters: [] };
      this.files.set(file, open);
    }
    return open;
  }

  /** A few milliseconds later, so a burst goes to each file in a few large writes, not one per datagram. */
  private schedule(open: OpenFile): void {
    if (open.scheduled) return;
    open.scheduled = true;
    this.due.push(open);
    this.timer ??= setTimeout(() => this.writeDue(), BATCH_MS);
  }

  private writeDue(): void {
    this.timer = null;
    const due = this.due;
    this.due = [];
    for (const open of due) {
      open.scheduled = false;
      if (!open.writing && open.queue.length > 0) {
        open.writing = true;
        this.writeBatch(open);
      }
    }
  }

  private writeBatch(open: OpenFile): void {
    const batch = open.queue;
    open.queue = [];
    const data = batch.length === 1 ? batch[0]! : Buffer.concat(batch);
    const done = (error: NodeJS.ErrnoException | null, wrote: number, from: number): void => {
      if (error) return this.fail(error);
      if (from + wrote < data.length) {
        write(open.fd, data, from + wrote, data.length - from - wrote, null, (e, n) => done(e, n, from + wrote));
        return;
      }
      open.written += batch.length;
      const ready = open.waiters.filter((w) => w.upTo <= open.written);
      open.waiters = open.waiters.filter((w) => w.upTo > open.written);
      for (const w of ready) w.resolve();
      open.writing = false;
      // What came meanwhile waits for the next batch: a write call costs the same for 100 bytes or 100 KiB.
      if (open.queue.length > 0) this.schedule(open);
    };
    write(open.fd, data, 0, data.length, null, (error, wrote) => done(error, wrote, 0));
  }

  private fail(error: Error): void {
    this.failure = error;
    for (const open of this.files.values()) {
      for (const w of open.waiters) w.reject(error);
      open.waiters = [];
    }
  }
}
