import { captureIndexEntrySchema, netdumpPanicSchema, type CaptureIndexEntry, type NetdumpPanic } from '../../../shared/domain/netdump.js';
import type { Db } from './database.js';

interface CaptureRow {
  id: number;
  sender: string;
  file: string;
  first_seen: string;
  last_seen: string;
  datagrams: number;
  bytes: number;
  messages: number;
  lost: number;
  reboots: number;
  panics: number;
  kernel_release: string | null;
}

const toEntry = (row: CaptureRow): CaptureIndexEntry =>
  captureIndexEntrySchema.parse({
    id: row.id,
    sender: row.sender,
    file: row.file,
    firstSeen: row.first_seen,
    lastSeen: row.last_seen,
    datagrams: row.datagrams,
    bytes: row.bytes,
    messages: row.messages,
    lost: row.lost,
    reboots: row.reboots,
    panics: row.panics,
    kernelRelease: row.kernel_release,
  });

/** What a batch of writes added to one capture file: counts are added to what the index holds. */
export interface CaptureDelta {
  sender: string;
  file: string;
  firstSeen: string;
  lastSeen: string;
  datagrams: number;
  bytes: number;
  messages: number;
  /** May be negative: a datagram counted lost arrived late. */
  lost: number;
  reboots: number;
  panics: number;
  kernelRelease: string | null;
}

export interface StoredReceiverConfig {
  enabled: boolean;
  address: string;
  port: number;
  updatedAt: string;
}

export interface StoredPanic {
  panic: NetdumpPanic;
  ticketId: string | null;
  findingId: number | null;
  createdAt: string;
}

/** The netdump index: capture files, panics seen, the receiver's settings. */
export class CapturesRepo {
  constructor(private readonly db: Db) {}

  /** Adds a batch's counts to the index, creating the file's row on its first datagram. */
  apply(deltas: readonly CaptureDelta[]): void {
    const upsert = this.db.prepare(
      `INSERT INTO netdump_captures (sender, file, first_seen, last_seen, datagrams, bytes, messages, lost, reboots, panics, kernel_release)
       VALUES (@sender, @file, @firstSeen, @lastSeen, @datagrams, @bytes, @messages, MAX(@lost, 0), @reboots, @panics, @kernelRelease)
       ON CONFLICT(file) DO UPDATE SET
         first_seen = MIN(first_seen, excluded.first_seen), last_seen = MAX(last_seen, excluded.last_seen),
         datagrams = datagrams + excluded.datagrams, bytes = bytes + excluded.bytes, messages = messages + excluded.messages,
         lost = MAX(lost + @lost, 0), reboots = reboots + excluded.reboots, panics = panics + excluded.panics,
         kernel_release = COALESCE(excluded.kernel_release, kernel_release)`,
    );
    this.db.transaction(() => {
      for (const delta of deltas) upsert.run(delta);
    })();
  }

  list(): CaptureIndexEntry[] {
    return this.db.prepare<[], CaptureRow>('SELECT * FROM netdump_captures ORDER BY last_seen DESC, id DESC').all().map(toEntry);
  }

  listForSender(sender: string): CaptureIndexEntry[] {
    return this.db.prepare<[string], CaptureRow>('SELECT * FROM netdump_captures WHERE sender = ? ORDER BY first_seen, id').all(sender).map(toEntry);
  }

  get(id: number): CaptureIndexEntry | null {
    const row = this.db.prepare<[number], CaptureRow>('SELECT * FROM netdump_captures WHERE id = ?').get(id);
    return row ? toEntry(row) : null;
  }

  receiverConfig(): StoredReceiverConfig | null {
    const row = this.db
      .prepare<[], { enabled: number; address: string; port: number; updated_at: string }>('SELECT enabled, address, port, updated_at FROM netdump_receiver WHERE id = 1')
      .get();
    return row ? { enabled: row.enabled === 1, address: row.address, port: row.port, updatedAt: row.updated_at } : null;
  }

  saveReceiverConfig(config: { enabled: boolean; address: string; port: number }, now: string): void {
    this.db
      .prepare(
        `INSERT INTO netdump_receiver (id, enabled, address, port, updated_at) VALUES (1, ?, ?, ?, ?)
         ON CONFLICT(id) DO UPDATE SET enabled = excluded.enabled, address = excluded.address, port = excluded.port, updated_at = excluded.updated_at`,
      )
      .run(config.enabled ? 1 : 0, config.address, config.port, now);
  }

  /** Records a panic; false when it was recorded before (the same panic seen again, or read again from its capture). */
  addPanic(panic: NetdumpPanic, now: string): boolean {
    const result = this.db
      .prepare(
        `INSERT INTO netdump_panics (id, sender, kind, title, first_at, file, offset, panic, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO NOTHING`,
      )
      .run(panic.id, panic.sender, panic.kind, panic.title, panic.firstAt, panic.capture?.file ?? null, panic.capture?.offset ?? null, JSON.stringify(panic), now);
    return result.changes === 1;
  }

  /** Ties a recorded panic to the finding made of it. */
  linkPanic(id: string, ticketId: string, findingId: number): void {
    this.db.prepare('UPDATE netdump_panics SET ticket_id = ?, finding_id = ? WHERE id = ?').run(ticketId, findingId, id);
  }

  getPanic(id: string): StoredPanic | null {
    const row = this.db
      .prepare<[string], { panic: string; ticket_id: string | null; finding_id: number | null; created_at: string }>(
        'SELECT panic, ticket_id, finding_id, created_at FROM netdump_panics WHERE id = ?',
      )
      .get(id);
    return row ? { panic: netdumpPanicSchema.parse(JSON.parse(row.panic)), ticketId: row.ticket_id, findingId: row.finding_id, createdAt: row.created_at } : null;
  }

  listPanics(limit = 200): StoredPanic[] {
    return this.db
      .prepare<[number], { panic: string; ticket_id: string | null; finding_id: number | null; created_at: string }>(
        'SELECT panic, ticket_id, finding_id, created_at FROM netdump_panics ORDER BY first_at DESC LIMIT ?',
      )
      .all(limit)
      .map((row) => ({ panic: netdumpPanicSchema.parse(JSON.parse(row.panic)), ticketId: row.ticket_id, findingId: row.finding_id, createdAt: row.created_at }));
  }
}
