import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import type { NetdumpMessage } from '../../../shared/domain/netdump.js';
import { decodeCapture } from './captures/format.js';
import { SenderAssembler } from './parse/assembler.js';

/** The most bytes one page reads from a capture file: a page is bounded however long the messages. */
export const PAGE_BYTES = 4 * 1024 * 1024;

export interface CapturePage {
  messages: NetdumpMessage[];
  /** Where the next page starts (a record's offset); null when the bytes read end the file. */
  nextCursor: number | null;
}

/**
 * A page of a capture's messages, parsed from `bytes` (the file's bytes from `cursor` on) with the same
 * assembler as the receiver. A page ends after `limit` whole messages, at a record boundary, so the next
 * page starts where this one stopped. A message whose fragments straddle two pages shows as incomplete
 * on the first: the file keeps every byte. `atEnd`: the bytes run to the end of the file.
 */
export function capturePage(input: { sender: string; file: string; bytes: Uint8Array; cursor: number; limit: number; atEnd: boolean }): CapturePage {
  const { records } = decodeCapture(input.bytes, input.cursor);
  const assembler = new SenderAssembler(input.sender);
  const messages: NetdumpMessage[] = [];
  for (const [i, record] of records.entries()) {
    for (const event of assembler.feed({ bytes: record.bytes, receivedAtMs: record.receivedAtMs, capture: { file: input.file, offset: record.offset } })) {
      if (event.type === 'message') messages.push(event.message);
    }
    const next = records[i + 1];
    if (messages.length >= input.limit && next) {
      for (const event of assembler.finish()) if (event.type === 'message') messages.push(event.message);
      return { messages, nextCursor: next.offset };
    }
  }
  for (const event of assembler.finish()) if (event.type === 'message') messages.push(event.message);
  const last = records.at(-1);
  // Read short of the end: go on after the last whole record (or past unreadable bytes, never in place).
  const resume = last ? last.offset + recordLength(input.bytes, last.offset - input.cursor) : input.cursor + input.bytes.length;
  return { messages, nextCursor: input.atEnd ? null : resume };
}

/** A record's length in the bytes (header line, payload, newline), from its header. */
function recordLength(bytes: Uint8Array, at: number): number {
  const newline = bytes.indexOf(0x0a, at);
  const length = Number(Buffer.from(bytes.subarray(at, newline)).toString('latin1').split(' ')[3]);
  return newline - at + 1 + length + 1;
}

/** Reads a page of the capture file `file` (relative to the data folder) from `cursor`, at most PAGE_BYTES. */
export function readCapturePage(dataDir: string, entry: { sender: string; file: string }, cursor: number, limit: number): CapturePage & { size: number } {
  const fd = openSync(join(dataDir, ...entry.file.split('/')), 'r');
  try {
    const size = fstatSync(fd).size;
    const start = Math.min(cursor, size);
    const length = Math.min(PAGE_BYTES, size - start);
    const bytes = Buffer.alloc(length);
    let read = 0;
    while (read < length) {
      const n = readSync(fd, bytes, read, length - read, start + read);
      if (n === 0) break;
      read += n;
    }
    const page = capturePage({ sender: entry.sender, file: entry.file, bytes: bytes.subarray(0, read), cursor: start, limit, atEnd: start + read >= size });
    return { ...page, size };
  } finally {
    closeSync(fd);
  }
}
