/**
 * The capture file: every datagram a sender sent, as received, one record each. A record is a header
 * line `#ncap1 <arrival ms> <source port> <length>\n`, the raw bytes, and `\n`: boundaries and arrival
 * times are kept, the bytes are never altered, and the file still reads in a pager. Pure.
 */

export const CAPTURE_MAGIC = '#ncap1';
export const CAPTURE_EXTENSION = '.ncap';

export interface CaptureRecord {
  /** Byte offset of the record's header in the file. */
  offset: number;
  receivedAtMs: number;
  port: number;
  bytes: Uint8Array;
}

export function encodeRecord(bytes: Uint8Array, receivedAtMs: number, port: number): Buffer {
  const header = `${CAPTURE_MAGIC} ${Math.round(receivedAtMs)} ${port} ${bytes.length}\n`;
  // The header is ASCII: one byte per character.
  const record = Buffer.allocUnsafe(header.length + bytes.length + 1);
  record.write(header, 0, 'latin1');
  record.set(bytes, header.length);
  record[record.length - 1] = 0x0a;
  return record;
}

export interface DecodedCapture {
  records: CaptureRecord[];
  /** Bytes that are not a record (a file cut short while written, or damaged): where, and how many. */
  unparsed: { offset: number; length: number }[];
}

const HEADER = /^#ncap1 (\d{1,15}) (\d{1,5}) (\d{1,7})$/;

export function decodeCapture(file: Uint8Array, startOffset = 0): DecodedCapture {
  const records: CaptureRecord[] = [];
  const unparsed: DecodedCapture['unparsed'] = [];
  let at = 0;
  let junkFrom = -1;
  const junkEnds = (end: number) => {
    if (junkFrom >= 0) unparsed.push({ offset: startOffset + junkFrom, length: end - junkFrom });
    junkFrom = -1;
  };
  while (at < file.length) {
    const newline = file.indexOf(0x0a, at);
    const header = newline < 0 || newline - at > 64 ? null : HEADER.exec(Buffer.from(file.buffer, file.byteOffset + at, newline - at).toString('latin1'));
    const length = header ? Number(header[3]) : -1;
    if (header && newline + 1 + length < file.length && file[newline + 1 + length] === 0x0a) {
      junkEnds(at);
      records.push({ offset: startOffset + at, receivedAtMs: Number(header[1]), port: Number(header[2]), bytes: file.subarray(newline + 1, newline + 1 + length) });
      at = newline + 2 + length;
      continue;
    }
    // Not a record here: skip to the next line that may start one, keeping count of what was skipped.
    if (junkFrom < 0) junkFrom = at;
    at = newline < 0 ? file.length : newline + 1;
  }
  junkEnds(file.length);
  return { records, unparsed };
}

/** A sender's folder name: its address, with the colons of IPv6 (not allowed in Windows names) as `_`. */
export const senderFolder = (address: string): string => address.replace(/[^0-9A-Za-z.]/g, '_');

/** Where a sender's datagrams of one (UTC) day go, relative to the data folder, with `/` separators. */
export function captureFileFor(address: string, receivedAtMs: number): string {
  const day = Math.floor(receivedAtMs / DAY_MS);
  if (day !== cachedDay) {
    cachedDay = day;
    cachedDate = new Date(day * DAY_MS).toISOString().slice(0, 10);
  }
  return `netdump/${senderFolder(address)}/${cachedDate}${CAPTURE_EXTENSION}`;
}

const DAY_MS = 86_400_000;
let cachedDay = Number.NaN;
let cachedDate = '';
