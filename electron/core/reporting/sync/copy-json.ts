import { isoTimestamp } from './values.js';

/**
 * COPY text to JSON, byte by byte. A full sync moves millions of rows; parsing each into strings
 * and arrays only to serialise them again cost more than the SQLite inserts (mostly garbage
 * collection). Here each line of `COPY ... TO STDOUT` (text format) is written straight into a
 * growing byte buffer as a JSON array, with the values `cacheTypes` would give: integers and
 * floats as JSON numbers (NaN and ±Infinity as null), booleans as 1/0, timestamps as fixed-width
 * ISO UTC strings, everything else as strings. The writer hands the bytes to SQLite's json_each.
 */

/** A batch of rows as the bytes of one JSON array of arrays. */
export class JsonRows {
  buf: Buffer;
  len = 1;
  count = 0;

  constructor(capacity = 1 << 20) {
    // allocUnsafeSlow: a buffer of its own (never a slice of Node's pool), so it can be transferred.
    this.buf = Buffer.allocUnsafeSlow(Math.max(capacity, 64));
    this.buf[0] = 0x5b; // [
  }

  /** Room for `extra` more bytes. */
  ensure(extra: number): Buffer {
    if (this.len + extra > this.buf.length) {
      const grown = Buffer.allocUnsafeSlow(Math.max(this.buf.length * 2, this.len + extra));
      this.buf.copy(grown, 0, 0, this.len);
      this.buf = grown;
    }
    return this.buf;
  }

  /** Appends rows given as JSON text: arrays joined by commas, without enclosing brackets. */
  appendJson(json: string, rows: number): void {
    if (rows === 0) return;
    const buf = this.ensure(json.length * 3 + 1);
    if (this.count > 0) buf[this.len++] = 0x2c;
    this.len += buf.write(json, this.len, 'utf8');
    this.count += rows;
  }

  /** The finished JSON array; this object is spent afterwards. */
  finish(): Uint8Array {
    const buf = this.ensure(1);
    buf[this.len++] = 0x5d; // ]
    return buf.subarray(0, this.len);
  }
}

/** How a column's COPY text becomes JSON. */
export const ColumnKind = { Integer: 0, Float: 1, Boolean: 2, Timestamp: 3, Text: 4 } as const;
export type ColumnKind = (typeof ColumnKind)[keyof typeof ColumnKind];

const TAB = 9;
const NL = 10;
const BACKSLASH = 0x5c;
const QUOTE = 0x22;
const HEX = '0123456789abcdef';
/** COPY's backslash sequences and what they stand for, as JSON escapes (COPY TO writes no others). */
const COPY_ESCAPES: Record<number, string> = { 0x62: '\\b', 0x66: '\\f', 0x6e: '\\n', 0x72: '\\r', 0x74: '\\t', 0x76: '\\u000b', 0x5c: '\\\\' };
const ESCAPE_BYTES: (Uint8Array | undefined)[] = [];
for (const [byte, text] of Object.entries(COPY_ESCAPES)) ESCAPE_BYTES[Number(byte)] = Buffer.from(text, 'latin1');

/** "2024-03-01T09:30:00.123456Z" */
const ISO_LENGTH = 27;
const isDigit = (b: number | undefined) => b !== undefined && b >= 0x30 && b <= 0x39;

/** Encodes lines of COPY text into a JsonRows. */
export class CopyJsonEncoder {
  /** The newest value of the time column seen since the last `takeNewest`, as ISO bytes or text. */
  private newest: string | null = null;
  private readonly best = Buffer.alloc(ISO_LENGTH);
  private bestSet = false;

  constructor(
    private readonly kinds: readonly ColumnKind[],
    /** The column whose greatest value is tracked, or -1. */
    private readonly timeIndex: number,
    /** Parses one field's text (already unescaped) the way `cacheTypes` does, for a time column that is not a timestamp. */
    private readonly parseTime: ((text: string) => unknown) | null = null,
  ) {}

  /** The greatest time-column value since the last call (null if none), and forgets it. */
  takeNewest(): string | null {
    const value = this.bestSet ? this.best.toString('latin1') : this.newest;
    this.bestSet = false;
    this.newest = null;
    return value;
  }

  /**
   * Encodes the line starting at `p` (which must end with a newline before `end`) as one more row
   * of `out`; returns the position after its newline.
   */
  encodeLine(input: Buffer, p: number, end: number, out: JsonRows): number {
    const eol = input.indexOf(NL, p);
    if (eol < 0 || eol >= end) throw new Error('COPY line without its newline');
    const kinds = this.kinds;
    const width = kinds.length;
    const ob = out.ensure(6 * (eol - p) + 2 * width + 8);
    let o = out.len;
    if (out.count > 0) ob[o++] = 0x2c; // ,
    ob[o++] = 0x5b; // [
    for (let i = 0; i < width; i++) {
      if (i > 0) ob[o++] = 0x2c;
      if (p > eol) {
        // Fewer fields than columns: what is missing is null.
        o = writeAscii(ob, o, 'null');
        continue;
      }
      // NULL is \N alone in its field.
      if (input[p] === BACKSLASH && input[p + 1] === 0x4e && (input[p + 2] === TAB || input[p + 2] === NL)) {
        o = writeAscii(ob, o, 'null');
        p += 3;
        continue;
      }
      let e = p;
      switch (kinds[i]) {
        case ColumnKind.Integer:
          while (input[e] !== TAB && input[e] !== NL) ob[o++] = input[e++] as number;
          break;
        case ColumnKind.Float: {
          const first = input[p];
          while (input[e] !== TAB && input[e] !== NL) e++;
          if (first === 0x4e /* NaN */ || first === 0x49 /* Infinity */ || (first === 0x2d && input[p + 1] === 0x49) /* -Infinity */) o = writeAscii(ob, o, 'null');
          else if (e - p === 2 && first === 0x2d && input[p + 1] === 0x30) ob[o++] = 0x30; // -0 is 0, as JSON.stringify has it
          else for (let j = p; j < e; j++) ob[o++] = input[j] as number;
          break;
        }
        case ColumnKind.Boolean:
          while (input[e] !== TAB && input[e] !== NL) e++;
          ob[o++] = input[p] === 0x74 ? 0x31 : 0x30; // t → 1, f → 0
          break;
        case ColumnKind.Timestamp: {
          while (input[e] !== TAB && input[e] !== NL) e++;
          const start = o + 1;
          const written = writeTimestamp(input, p, e, ob, o);
          if (written >= 0) {
            o = written;
            if (i === this.timeIndex) this.offerBytes(ob, start);
          } else {
            const iso = isoTimestamp(unescapeCopy(input.toString('utf8', p, e)));
            o += ob.write(JSON.stringify(iso), o, 'utf8');
            if (i === this.timeIndex) this.offerText(iso);
          }
          break;
        }
        default: {
          ob[o++] = QUOTE;
          for (;;) {
            const b = input[e] as number;
            if (b === TAB || b === NL) break;
            e++;
            if (b === BACKSLASH) {
              const next = input[e++] as number;
              const escape = ESCAPE_BYTES[next];
              if (escape) {
                for (let j = 0; j < escape.length; j++) ob[o++] = escape[j] as number;
                continue;
              }
              // Any other "\x" stands for x itself (COPY TO writes none, but be exact).
              o = writeJsonByte(ob, o, next);
              continue;
            }
            if (b === QUOTE || b < 0x20) o = writeJsonByte(ob, o, b);
            else ob[o++] = b;
          }
          ob[o++] = QUOTE;
          if (i === this.timeIndex && this.parseTime) {
            const value = this.parseTime(unescapeCopy(input.toString('utf8', p, e)));
            if (typeof value === 'string') this.offerText(value);
          }
        }
      }
      p = e + 1;
    }
    ob[o++] = 0x5d; // ]
    out.len = o;
    out.count++;
    return eol + 1;
  }

  private offerBytes(buf: Buffer, start: number): void {
    if (this.newest !== null) {
      this.offerText(buf.toString('latin1', start, start + ISO_LENGTH));
      return;
    }
    const best = this.best;
    let greater = !this.bestSet;
    for (let j = 0; !greater && j < ISO_LENGTH; j++) {
      const a = buf[start + j] as number;
      const b = best[j] as number;
      if (a !== b) {
        if (a < b) return;
        greater = true;
      }
    }
    if (greater) {
      for (let j = 0; j < ISO_LENGTH; j++) best[j] = buf[start + j] as number;
      this.bestSet = true;
    }
  }

  private offerText(value: string): void {
    if (this.bestSet) {
      this.newest = this.best.toString('latin1');
      this.bestSet = false;
    }
    if (this.newest === null || value > this.newest) this.newest = value;
  }
}

function writeAscii(ob: Buffer, o: number, text: string): number {
  for (let j = 0; j < text.length; j++) ob[o++] = text.charCodeAt(j);
  return o;
}

/** A byte that JSON must escape (a quote, a backslash, a control character), or the byte itself. */
function writeJsonByte(ob: Buffer, o: number, b: number): number {
  if (b === QUOTE || b === BACKSLASH) {
    ob[o++] = BACKSLASH;
    ob[o++] = b;
  } else if (b < 0x20) {
    o = writeAscii(ob, o, '\\u00');
    ob[o++] = HEX.charCodeAt(b >> 4);
    ob[o++] = HEX.charCodeAt(b & 15);
  } else ob[o++] = b;
  return o;
}

const ESCAPES: Record<string, string> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\' };
/** COPY text format's backslash escapes undone. */
export const unescapeCopy = (text: string) => (text.includes('\\') ? text.replace(/\\(.)/g, (_, ch: string) => ESCAPES[ch] ?? ch) : text);

/**
 * "YYYY-MM-DD HH:MM:SS[.f{1,6}][+00]" (in [p, e)) as the JSON string "YYYY-MM-DDTHH:MM:SS.ffffffZ"
 * at `o`; returns the position after it, or -1 for any other shape (isoTimestamp handles those).
 */
function writeTimestamp(input: Buffer, p: number, e: number, ob: Buffer, o: number): number {
  const n = e - p;
  if (n < 19 || n > 29) return -1;
  for (let j = 0; j < 19; j++) {
    const b = input[p + j];
    const ok = j === 4 || j === 7 ? b === 0x2d : j === 10 ? b === 0x20 : j === 13 || j === 16 ? b === 0x3a : isDigit(b);
    if (!ok) return -1;
  }
  let fractionEnd = p + 19;
  if (input[fractionEnd] === 0x2e) {
    fractionEnd++;
    while (fractionEnd < e && isDigit(input[fractionEnd])) fractionEnd++;
    if (fractionEnd - (p + 20) < 1 || fractionEnd - (p + 20) > 6) return -1;
  }
  if (fractionEnd !== e && !(e - fractionEnd === 3 && input[fractionEnd] === 0x2b && input[fractionEnd + 1] === 0x30 && input[fractionEnd + 2] === 0x30)) return -1;
  ob[o++] = QUOTE;
  for (let j = 0; j < 19; j++) ob[o++] = input[p + j] as number;
  ob[o - 9] = 0x54; // T, where the space was
  ob[o++] = 0x2e; // .
  let digits = 0;
  for (let j = p + 20; j < fractionEnd; j++, digits++) ob[o++] = input[j] as number;
  for (; digits < 6; digits++) ob[o++] = 0x30;
  ob[o++] = 0x5a; // Z
  ob[o++] = QUOTE;
  return o;
}
