/**
 * Bytes a kernel sent, as text a person can read without losing any of them: valid UTF-8 is kept,
 * anything else (a stray byte, a truncated sequence, a control character) is shown as `\xNN`. Pure.
 */
export function bytesToText(bytes: Uint8Array, start = 0, end = bytes.length): string {
  let plain = true;
  for (let i = start; i < end; i++) {
    const b = bytes[i]!;
    if (b < 0x20 || b > 0x7e) {
      if (b !== 0x09) {
        plain = false;
        break;
      }
    }
  }
  if (plain) return Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString('latin1');
  let out = '';
  let i = start;
  while (i < end) {
    const b = bytes[i]!;
    if (b === 0x09 || (b >= 0x20 && b < 0x7f)) {
      out += String.fromCharCode(b);
      i++;
      continue;
    }
    const length = b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    if (length > 0 && i + length <= end && validSequence(bytes, i, length)) {
      out += Buffer.from(bytes.buffer, bytes.byteOffset + i, length).toString('utf8');
      i += length;
      continue;
    }
    out += `\\x${b.toString(16).padStart(2, '0')}`;
    i++;
  }
  return out;
}

function validSequence(bytes: Uint8Array, at: number, length: number): boolean {
  for (let k = 1; k < length; k++) if ((bytes[at + k]! & 0xc0) !== 0x80) return false;
  const b0 = bytes[at]!;
  const b1 = bytes[at + 1]!;
  // Overlong forms, UTF-16 surrogates and code points past U+10FFFF are not valid UTF-8.
  if (b0 === 0xe0 && b1 < 0xa0) return false;
  if (b0 === 0xed && b1 >= 0xa0) return false;
  if (b0 === 0xf0 && b1 < 0x90) return false;
  if (b0 === 0xf4 && b1 >= 0x90) return false;
  return true;
}
