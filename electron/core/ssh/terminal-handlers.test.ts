import { describe, expect, it } from 'vitest';
import { RecentOutput } from './terminal-handlers.js';

describe('RecentOutput', () => {
  it('keeps everything while it is small, and counts every byte', () => {
    const recent = new RecentOutput(64);
    recent.push(Buffer.from('$ ls\r\n'));
    recent.push(Buffer.from('a b c\r\n$ '));
    expect(recent.replay()).toBe('$ ls\r\na b c\r\n$ ');
    expect(recent.total).toBe(15);
  });

  it('keeps the end of a long screen, starting it at a line so no escape sequence or character is cut', () => {
    const recent = new RecentOutput(16);
    recent.push(Buffer.from('\u001b[31mfirst line\u001b[0m\r\n'));
    recent.push(Buffer.from('é second\r\nthird\r\n'));
    expect(recent.total).toBe(39);
    expect(recent.replay()).toBe('third\r\n');
  });

  it('replays nothing rather than a fragment when no line starts in what is kept', () => {
    const recent = new RecentOutput(8);
    recent.push(Buffer.from('x'.repeat(100)));
    expect(recent.replay()).toBe('');
  });
});
