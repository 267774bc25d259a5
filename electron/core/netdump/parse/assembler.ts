import type { CaptureRef, NetdumpMessage, NetdumpPanic } from '../../../../shared/domain/netdump.js';
import { parseDatagram, parseExtendedBody, type ExtendedDatagram } from './datagram.js';
import { PanicTracker, bareLine, kernelReleaseIn, type PanicTrackerOptions, type TrackedLine } from './panic.js';
import { bytesToText } from './text.js';

/**
 * One sender's datagrams in, events out: whole messages (fragments reassembled, in any order),
 * messages lost (gaps in the sequence numbers), reboots (the sequence starting again) and panics with
 * their trace. Pure: time comes from the datagrams and from `tick(now)`.
 */

export interface Datagram {
  bytes: Uint8Array;
  /** Arrival time, ms since the epoch. */
  receivedAtMs: number;
  capture: CaptureRef | null;
}

export type AssemblerEvent =
  | { type: 'message'; message: NetdumpMessage }
  | { type: 'lost'; sender: string; count: number; fromSeq: number; toSeq: number }
  | { type: 'reboot'; sender: string; lastSeq: number; seq: number }
  | { type: 'panic'; panic: NetdumpPanic };

export interface SenderStats {
  datagrams: number;
  messages: number;
  lost: number;
  reboots: number;
  panics: number;
  duplicates: number;
  incomplete: number;
  kernelRelease: string | null;
}

export interface AssemblerOptions {
  /** A fragmented message still missing pieces after this long is given out as incomplete. */
  fragmentTimeoutMs: number;
  panic: PanicTrackerOptions;
}

export const defaultAssemblerOptions: AssemblerOptions = { fragmentTimeoutMs: 2000, panic: { quietMs: 300, idleMs: 3000 } };

interface PendingMessage {
  head: ExtendedDatagram;
  total: number;
  chunks: Map<number, Uint8Array>;
  have: number;
  firstMs: number;
  capture: CaptureRef | null;
}

let lastIsoMs = Number.NaN;
let lastIso = '';
/** Datagrams come many per millisecond: one ISO string per millisecond is enough. */
export function isoAt(ms: number): string {
  if (ms !== lastIsoMs) {
    lastIsoMs = ms;
    lastIso = new Date(ms).toISOString();
  }
  return lastIso;
}

/** How many recent sequence numbers are remembered to tell a late or repeated datagram from a reboot. */
const SEQ_MEMORY = 4096;
/** CPUs' clocks differ a little; a sender's time going back by more than this means a new boot. */
const REBOOT_CLOCK_SLACK_USEC = 1_000_000;

export class SenderAssembler {
  readonly stats: SenderStats = { datagrams: 0, messages: 0, lost: 0, reboots: 0, panics: 0, duplicates: 0, incomplete: 0, kernelRelease: null };
  private lastSeq: number | null = null;
  private lastUsec = 0;
  /** Sequence numbers counted as lost that may still arrive late (reordered). */
  private readonly missing = new Set<number>();
  /** Recently seen messages: slot seq % SEQ_MEMORY holds seq + 1 (0: empty) and its time; both must match for a duplicate. */
  private seenSeq = new Float64Array(SEQ_MEMORY);
  private seenUsec = new Float64Array(SEQ_MEMORY);
  private readonly fragments = new Map<string, PendingMessage>();
  private readonly panics: PanicTracker;
  /** A plain-format line not yet ended by a newline (the console splits its text at any byte). */
  private partial: { text: Uint8Array; atMs: number; capture: CaptureRef | null } | null = null;

  constructor(
    readonly sender: string,
    private readonly options: AssemblerOptions = defaultAssemblerOptions,
  ) {
    this.panics = new PanicTracker(sender, options.panic);
  }

  feed(datagram: Datagram): AssemblerEvent[] {
    this.stats.datagrams++;
    const parsed = parseDatagram(datagram.bytes);
    const events: AssemblerEvent[] = [];
    if (parsed.format === 'plain') {
      this.feedPlain(parsed.bytes, datagram, events);
      return events;
    }
    this.flushPartial(events);
    if (parsed.release) this.stats.kernelRelease = parsed.release;
    if (!parsed.fragment) {
      if (!this.track(parsed, events)) return events;
      this.emitExtended(parsed, parsed.body, false, datagram.receivedAtMs, datagram.capture, events);
      return events;
    }
    const key = `${parsed.seq}/${parsed.usec}/${parsed.fragment.total}`;
    let pending = this.fragments.get(key);
    if (!pending) {
      if (!this.track(parsed, events)) return events;
      pending = { head: parsed, total: parsed.fragment.total, chunks: new Map(), have: 0, firstMs: datagram.receivedAtMs, capture: datagram.capture };
      this.fragments.set(key, pending);
    }
    const { offset } = parsed.fragment;
    if (!pending.chunks.has(offset) && offset < pending.total) {
      pending.chunks.set(offset, parsed.body);
      pending.have += parsed.body.length;
    } else this.stats.duplicates++;
    if (pending.have >= pending.total && this.contiguous(pending)) {
      this.fragments.delete(key);
      this.emitExtended(pending.head, this.join(pending), false, datagram.receivedAtMs, pending.capture, events);
    }
    return events;
  }

  /** Gives out fragments that waited too long, closes panics that went quiet. Call a few times a second. */
  tick(nowMs: number): AssemblerEvent[] {
    const events: AssemblerEvent[] = [];
    for (const [key, pending] of this.fragments) {
      if (nowMs - pending.firstMs < this.options.fragmentTimeoutMs) continue;
      this.fragments.delete(key);
      this.stats.incomplete++;
      this.emitExtended(pending.head, this.join(pending), true, pending.firstMs, pending.capture, events);
    }
    if (this.partial && nowMs - this.partial.atMs >= this.options.fragmentTimeoutMs) this.flushPartial(events);
    for (const panic of this.panics.tick(nowMs, this.stats.kernelRelease)) this.emitPanic(panic, events);
    return events;
  }

  /** Everything still held, given out now (the receiver stops, a capture file was read to its end). */
  finish(): AssemblerEvent[] {
    const events = this.tick(Number.POSITIVE_INFINITY);
    for (const panic of this.panics.finish(this.stats.kernelRelease)) this.emitPanic(panic, events);
    return events;
  }

  /** Whether anything waits for `tick` (the receiver's timer runs only then). */
  get holding(): boolean {
    return this.fragments.size > 0 || this.partial !== null || this.panics.collecting;
  }

  /** Counts the message's sequence number; false for a datagram seen before (dropped as a duplicate). */
  private track(message: ExtendedDatagram, events: AssemblerEvent[]): boolean {
    const { seq, usec } = message;
    const last = this.lastSeq;
    if (last === null) {
      this.advance(seq, usec);
      return true;
    }
    if (seq < last && this.missing.delete(seq)) {
      // Late, not lost: the network reordered it.
      this.stats.lost--;
      this.remember(seq, usec);
      return true;
    }
    const slot = seq % SEQ_MEMORY;
    if (this.seenSeq[slot] === seq + 1 && this.seenUsec[slot] === usec) {
      this.stats.duplicates++;
      return false;
    }
    // The sender's clock went back, or its numbers did: it booted again (a VM may boot to the same numbers).
    if (usec + REBOOT_CLOCK_SLACK_USEC < this.lastUsec || seq <= last) {
      this.stats.reboots++;
      events.push({ type: 'reboot', sender: this.sender, lastSeq: last, seq });
      for (const panic of this.panics.finish(this.stats.kernelRelease)) this.emitPanic(panic, events);
      this.missing.clear();
      this.seenSeq = new Float64Array(SEQ_MEMORY);
      this.seenUsec = new Float64Array(SEQ_MEMORY);
      this.advance(seq, usec);
      return true;
    }
    if (seq > last + 1) {
      const count = seq - last - 1;
      this.stats.lost += count;
      for (let missing = Math.max(last + 1, seq - SEQ_MEMORY); missing < seq; missing++) this.missing.add(missing);
      this.trimMissing();
      events.push({ type: 'lost', sender: this.sender, count, fromSeq: last + 1, toSeq: seq - 1 });
    }
    this.advance(seq, usec);
    return true;
  }

  private advance(seq: number, usec: number): void {
    this.lastSeq = seq;
    this.lastUsec = usec;
    this.remember(seq, usec);
  }

  private remember(seq: number, usec: number): void {
    const slot = seq % SEQ_MEMORY;
    this.seenSeq[slot] = seq + 1;
    this.seenUsec[slot] = usec;
  }

  private trimMissing(): void {
    while (this.missing.size > SEQ_MEMORY) this.missing.delete(this.missing.values().next().value!);
  }

  private contiguous(pending: PendingMessage): boolean {
    let at = 0;
    while (at < pending.total) {
      const chunk = pending.chunks.get(at);
      if (!chunk || chunk.length === 0) return false;
      at += chunk.length;
    }
    return true;
  }

  /** The body in offset order; a piece that never came is marked where it was. */
  private join(pending: PendingMessage): Uint8Array {
    const parts: Uint8Array[] = [];
    let at = 0;
    for (const offset of [...pending.chunks.keys()].sort((a, b) => a - b)) {
      const chunk = pending.chunks.get(offset)!;
      if (offset > at) parts.push(Buffer.from(`[… ${offset - at} bytes not received …]`));
      if (offset + chunk.length <= at) continue;
      parts.push(offset < at ? chunk.subarray(at - offset) : chunk);
      at = offset + chunk.length;
    }
    if (at < pending.total) parts.push(Buffer.from(`[… ${pending.total - at} bytes not received …]`));
    return Buffer.concat(parts);
  }

  private emitExtended(head: ExtendedDatagram, body: Uint8Array, incomplete: boolean, atMs: number, capture: CaptureRef | null, events: AssemblerEvent[]): void {
    const { text, dict } = parseExtendedBody(body);
    const message: NetdumpMessage = {
      sender: this.sender,
      receivedAt: isoAt(atMs),
      format: 'extended',
      facility: head.facility,
      level: head.level,
      seq: head.seq,
      usec: head.usec,
      flags: head.flags,
      text,
      dict,
      incomplete,
      capture,
    };
    this.emitMessage(message, atMs, events);
  }

  private feedPlain(bytes: Uint8Array, datagram: Datagram, events: AssemblerEvent[]): void {
    let start = 0;
    let data = bytes;
    let atMs = datagram.receivedAtMs;
    let capture = datagram.capture;
    if (this.partial) {
      data = Buffer.concat([this.partial.text, bytes]);
      atMs = this.partial.atMs;
      capture = this.partial.capture;
      this.partial = null;
    }
    for (;;) {
      const newline = data.indexOf(0x0a, start);
      if (newline < 0) break;
      let end = newline;
      if (end > start && data[end - 1] === 0x0d) end--;
      this.emitPlain(bytesToText(data, start, end), atMs, capture, false, events);
      start = newline + 1;
      atMs = datagram.receivedAtMs;
      capture = datagram.capture;
    }
    if (start < data.length) this.partial = { text: data.subarray(start), atMs: datagram.receivedAtMs, capture: datagram.capture };
  }

  private flushPartial(events: AssemblerEvent[]): void {
    if (!this.partial) return;
    const { text, atMs, capture } = this.partial;
    this.partial = null;
    this.emitPlain(bytesToText(text), atMs, capture, false, events);
  }

  private emitPlain(text: string, atMs: number, capture: CaptureRef | null, incomplete: boolean, events: AssemblerEvent[]): void {
    if (text === '') return;
    const message: NetdumpMessage = {
      sender: this.sender,
      receivedAt: isoAt(atMs),
      format: 'plain',
      facility: null,
      level: null,
      seq: null,
      usec: null,
      flags: null,
      text,
      dict: [],
      incomplete,
      capture,
    };
    this.emitMessage(message, atMs, events);
  }

  private emitMessage(message: NetdumpMessage, atMs: number, events: AssemblerEvent[]): void {
    this.stats.messages++;
    events.push({ type: 'message', message });
    const release = kernelReleaseIn(message.text);
    if (release) this.stats.kernelRelease = release;
    // A message with embedded newlines (plain text, or escaped lines kept) is one line each for the trace.
    for (const text of message.text.includes('\n') ? message.text.split('\n') : [message.text]) {
      const line: TrackedLine = { text, at: message.receivedAt, atMs, seq: message.seq, usec: message.usec, capture: message.capture };
      for (const panic of this.panics.line(line, this.stats.kernelRelease)) this.emitPanic(panic, events);
    }
  }

  private emitPanic(panic: NetdumpPanic, events: AssemblerEvent[]): void {
    this.stats.panics++;
    events.push({ type: 'panic', panic });
  }
}

export { bareLine };
