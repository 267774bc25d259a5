import { bytesToText } from './text.js';

/**
 * One netconsole datagram, read without context. The extended format (`netconsole=+…`, or `extended`
 * set on a configfs target) is `[<release>,]<prefix>,<seq>,<usec>,<flags>[,ncfrag=<off>/<total>];<body>`
 * with prefix = facility × 8 + level; anything else is a chunk of the plain console text. Pure.
 */
export type ParsedDatagram = ExtendedDatagram | PlainDatagram;

export interface ExtendedDatagram {
  format: 'extended';
  /** Prepended by kernels with `release` set on the target. */
  release: string | null;
  facility: number;
  level: number;
  seq: number;
  usec: number;
  flags: string;
  fragment: { offset: number; total: number } | null;
  /** The body bytes of this datagram (a fragment's chunk when fragmented). */
  body: Uint8Array;
}

export interface PlainDatagram {
  format: 'plain';
  bytes: Uint8Array;
}

const SEMICOLON = 0x3b;
/** The kernel's header is short (release, four numbers, a flag and ncfrag); past this a `;` is text. */
const MAX_HEADER = 200;
const NUMBER = /^\d{1,19}$/;
const FRAGMENT = /^ncfrag=(\d{1,9})\/(\d{1,9})$/;

/** Digits from `at`: the value and where they end; -1 when there are none (or too many to be a header field). */
function digits(bytes: Uint8Array, at: number): [number, number] {
  let value = 0;
  let i = at;
  while (i < bytes.length && i - at < 16) {
    const b = bytes[i]!;
    if (b < 0x30 || b > 0x39) break;
    value = value * 10 + (b - 0x30);
    i++;
  }
  return i === at || i - at >= 16 ? [-1, i] : [value, i];
}

const COMMA = 0x2c;

/** The common case read straight from the bytes: `<prefix>,<seq>,<usec>,<flag>;`. Null for anything else. */
function fastHeader(bytes: Uint8Array): ExtendedDatagram | null {
  const [prefix, a] = digits(bytes, 0);
  if (prefix < 0 || bytes[a] !== COMMA) return null;
  const [seq, b] = digits(bytes, a + 1);
  if (seq < 0 || bytes[b] !== COMMA) return null;
  const [usec, c] = digits(bytes, b + 1);
  if (usec < 0 || bytes[c] !== COMMA) return null;
  const flag = bytes[c + 1]!;
  if (bytes[c + 2] !== SEMICOLON || !(flag === 0x2d || (flag >= 0x61 && flag <= 0x7a) || flag === 0x2b)) return null;
  return { format: 'extended', release: null, facility: prefix >> 3, level: prefix & 7, seq, usec, flags: String.fromCharCode(flag), fragment: null, body: bytes.subarray(c + 3) };
}

export function parseDatagram(bytes: Uint8Array): ParsedDatagram {
  const fast = fastHeader(bytes);
  if (fast) return fast;
  const limit = Math.min(bytes.length, MAX_HEADER);
  let semicolon = -1;
  for (let i = 0; i < limit; i++) {
    if (bytes[i] === SEMICOLON) {
      semicolon = i;
      break;
    }
  }
  if (semicolon < 0) return { format: 'plain', bytes };
  const fields = Buffer.from(bytes.buffer, bytes.byteOffset, semicolon).toString('latin1').split(',');
  let at = 0;
  let release: string | null = null;
  if (fields.length >= 5 && !NUMBER.test(fields[0]!) && NUMBER.test(fields[1]!) && /^[\w.+~-]{1,64}$/.test(fields[0]!)) {
    release = fields[0]!;
    at = 1;
  }
  const [prefix, seq, usec, flags, ...rest] = fields.slice(at);
  if (prefix === undefined || seq === undefined || usec === undefined || flags === undefined) return { format: 'plain', bytes };
  if (!NUMBER.test(prefix) || !NUMBER.test(seq) || !NUMBER.test(usec) || !/^[-a-z+]{1,4}$/.test(flags)) return { format: 'plain', bytes };
  let fragment: ExtendedDatagram['fragment'] = null;
  for (const field of rest) {
    const match = FRAGMENT.exec(field);
    if (match) fragment = { offset: Number(match[1]), total: Number(match[2]) };
  }
  const prefixValue = Number(prefix);
  return {
    format: 'extended',
    release,
    facility: prefixValue >> 3,
    level: prefixValue & 7,
    seq: Number(seq),
    usec: Number(usec),
    flags,
    fragment,
    body: bytes.subarray(semicolon + 1),
  };
}

/** A whole extended message's body: the text line, then ` KEY=VALUE` continuation lines. */
export interface ExtendedBody {
  text: string;
  dict: [string, string][];
}

export function parseExtendedBody(body: Uint8Array): ExtendedBody {
  let newline = body.indexOf(0x0a);
  if (newline < 0) newline = body.length;
  let text = bytesToText(body, 0, newline);
  const dict: [string, string][] = [];
  let at = newline + 1;
  while (at < body.length) {
    let next = body.indexOf(0x0a, at);
    if (next < 0) next = body.length;
    const line = bytesToText(body, at, next);
    at = next + 1;
    if (line === '') continue;
    const match = /^ ([^=\s]+)=(.*)$/.exec(line);
    if (match) dict.push([match[1]!, match[2]!]);
    // A line that is not KEY=VALUE is still the kernel's text: kept, not dropped.
    else text += `\n${line}`;
  }
  return { text, dict };
}
