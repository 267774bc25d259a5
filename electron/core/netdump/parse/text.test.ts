import { describe, expect, it } from 'vitest';
import { bytesToText } from './text.js';

describe('bytesToText', () => {
  it('keeps valid UTF-8 and escapes everything else, byte by byte', () => {
    expect(bytesToText(Buffer.from('plain\ttext'))).toBe('plain\ttext');
    expect(bytesToText(Buffer.from('café ✓ 🐧'))).toBe('café ✓ 🐧');
    expect(bytesToText(Buffer.from([0x61, 0xff, 0x62]))).toBe('a\\xffb');
    // A sequence cut short, an overlong form, a UTF-16 surrogate: not UTF-8.
    expect(bytesToText(Buffer.from([0xe2, 0x9c]))).toBe('\\xe2\\x9c');
    expect(bytesToText(Buffer.from([0xc0, 0xaf]))).toBe('\\xc0\\xaf');
    expect(bytesToText(Buffer.from([0xed, 0xa0, 0x80]))).toBe('\\xed\\xa0\\x80');
    expect(bytesToText(Buffer.from([0x01, 0x1b, 0x7f, 0x0d]))).toBe('\\x01\\x1b\\x7f\\x0d');
  });

  it('reads a range of the bytes', () => {
    expect(bytesToText(Buffer.from('xxhelloxx'), 2, 7)).toBe('hello');
  });
});
