import { readFileSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../testing/temp-dir.js';
import { CaptureWriter } from './writer.js';

const dirs: { remove: () => void }[] = [];
afterEach(() => dirs.splice(0).forEach((d) => d.remove()));

describe('CaptureWriter', () => {
  it('gives each record its offset at once and writes them all, in order, per file', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const writer = new CaptureWriter(dir.path);
    const offsets: number[] = [];
    for (let i = 0; i < 1000; i++) offsets.push(writer.append(`netdump/h${i % 2}/d.ncap`, Buffer.from(`record ${i}\n`)).offset);
    expect(writer.pending).toBe(1000);
    await writer.drained();
    expect(writer.pending).toBe(0);
    const h0 = readFileSync(join(dir.path, 'netdump', 'h0', 'd.ncap'), 'utf8');
    const h1 = readFileSync(join(dir.path, 'netdump', 'h1', 'd.ncap'), 'utf8');
    expect(h0.split('\n').slice(0, 3)).toEqual(['record 0', 'record 2', 'record 4']);
    expect(h1.split('\n').length).toBe(501);
    expect(h0.slice(offsets[998])).toBe('record 998\n');
    expect(statSync(join(dir.path, 'netdump', 'h0', 'd.ncap')).mode & 0o777).toBe(0o600);
    await writer.close();
  });

  it('closes a file whose day is over once written, and opens it again if asked', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const writer = new CaptureWriter(dir.path);
    writer.append('netdump/h/1.ncap', Buffer.from('a\n'));
    await writer.release('netdump/h/1.ncap');
    expect(writer.pending).toBe(0);
    expect(writer.append('netdump/h/1.ncap', Buffer.from('b\n')).offset).toBe(2);
    await writer.close();
    expect(readFileSync(join(dir.path, 'netdump', 'h', '1.ncap'), 'utf8')).toBe('a\nb\n');
  });

  it('continues a file that exists, offsets counted from its end', async () => {
    const dir = tempDir();
    dirs.push(dir);
    mkdirSync(join(dir.path, 'netdump', 'h'), { recursive: true });
    writeFileSync(join(dir.path, 'netdump', 'h', 'd.ncap'), 'before\n');
    const writer = new CaptureWriter(dir.path);
    const { offset, ticket } = writer.append('netdump/h/d.ncap', Buffer.from('after\n'));
    expect(offset).toBe(7);
    await writer.drained(ticket);
    expect(readFileSync(join(dir.path, 'netdump', 'h', 'd.ncap'), 'utf8')).toBe('before\nafter\n');
    await writer.close();
  });
});
