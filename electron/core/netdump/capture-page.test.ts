import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeRecord } from './captures/format.js';
import { capturePage, readCapturePage } from './capture-page.js';
import { tempDir } from '../testing/temp-dir.js';

const fixture = readFileSync(join(import.meta.dirname, 'fixtures', 'extended-sysrq-panic.ncap'));
const page = (cursor: number, limit: number) => capturePage({ sender: '10.0.2.15', file: 'netdump/10.0.2.15/2026-12-02.ncap', bytes: fixture.subarray(cursor), cursor, limit, atEnd: true });

describe('capturePage', () => {
  it('parses the whole capture when the limit allows, pointing each message at its record', () => {
    const all = page(0, 500);
    expect(all.nextCursor).toBeNull();
    expect(all.messages[0]).toMatchObject({ text: 'netconsole: network logging started', seq: 370, capture: { file: 'netdump/10.0.2.15/2026-12-02.ncap', offset: 0 } });
    expect(all.messages.map((m) => m.text)).toContain('Kernel panic - not syncing: sysrq triggered crash');
    // Each message's offset is where its record starts in the file.
    for (const m of all.messages) expect(fixture.subarray(m.capture!.offset, m.capture!.offset + 6).toString()).toBe('#ncap1');
  });

  it('pages at record boundaries: the pages together are the whole capture, in order, once', () => {
    const all = page(0, 500).messages.map((m) => m.seq);
    const seen: (number | null)[] = [];
    let cursor: number | null = 0;
    let pages = 0;
    while (cursor !== null) {
      const next = page(cursor, 3);
      expect(next.messages.length).toBeGreaterThan(0);
      expect(next.messages.length).toBeLessThanOrEqual(3);
      seen.push(...next.messages.map((m) => m.seq));
      cursor = next.nextCursor;
      pages++;
    }
    expect(pages).toBeGreaterThan(2);
    expect(seen).toEqual(all);
  });
});

describe('readCapturePage', () => {
  it('reads a file being written: a cut-off record is left for the next read, never skipped', () => {
    const dir = tempDir();
    try {
      const path = join(dir.path, 'capture.ncap');
      const one = encodeRecord(Buffer.from('6,1,100,-;first'), 1795000000000, 6665);
      const two = encodeRecord(Buffer.from('6,2,200,-;second'), 1795000000001, 6665);
      writeFileSync(path, Buffer.concat([one, two.subarray(0, 10)]));
      const first = readCapturePage(dir.path, { sender: '10.0.2.15', file: 'capture.ncap' }, 0, 100);
      expect(first.messages.map((m) => m.text)).toEqual(['first']);
      expect(first.size).toBe(one.length + 10);
      // Everything read was the file's end: nothing more to page to, until it grows.
      expect(first.nextCursor).toBeNull();
      writeFileSync(path, Buffer.concat([one, two]));
      const again = readCapturePage(dir.path, { sender: '10.0.2.15', file: 'capture.ncap' }, one.length, 100);
      expect(again.messages.map((m) => m.text)).toEqual(['second']);
    } finally {
      dir.remove();
    }
  });
});
