import { describe, expect, it } from 'vitest';
import { captureFileFor, decodeCapture, encodeRecord, senderFolder } from './format.js';

describe('capture file records', () => {
  it('keeps each datagram exactly, with its arrival time and source port, whatever bytes it holds', () => {
    const datagrams = [Buffer.from('6,1,10,-;a\n SUBSYSTEM=net\n'), Buffer.from('#ncap1 1 2 3\nlooks like a header'), Buffer.from([0xff, 0x00, 0x0a, 0x0a]), Buffer.alloc(0)];
    const file = Buffer.concat(datagrams.map((d, i) => encodeRecord(d, 1_795_000_000_000 + i, 6665 + i)));
    const { records, unparsed } = decodeCapture(file);
    expect(unparsed).toEqual([]);
    expect(records.map((r) => Buffer.from(r.bytes))).toEqual(datagrams);
    expect(records.map((r) => [r.receivedAtMs, r.port])).toEqual([
      [1_795_000_000_000, 6665],
      [1_795_000_000_001, 6666],
      [1_795_000_000_002, 6667],
      [1_795_000_000_003, 6668],
    ]);
    expect(records[1]!.offset).toBe(encodeRecord(datagrams[0]!, 1_795_000_000_000, 6665).length);
  });

  it('reports what is not a record (a record cut short, bytes written by something else) and reads on', () => {
    const good = encodeRecord(Buffer.from('6,1,10,-;first'), 1, 6665);
    const junk = Buffer.from('garbage line\nmore\n');
    const after = encodeRecord(Buffer.from('6,2,20,-;second'), 2, 6665);
    const cut = encodeRecord(Buffer.from('6,3,30,-;cut short by a crash'), 3, 6665).subarray(0, 30);
    const { records, unparsed } = decodeCapture(Buffer.concat([good, junk, after, cut]));
    expect(records.map((r) => Buffer.from(r.bytes).toString())).toEqual(['6,1,10,-;first', '6,2,20,-;second']);
    expect(unparsed).toEqual([
      { offset: good.length, length: junk.length },
      { offset: good.length + junk.length + after.length, length: 30 },
    ]);
  });

  it('names files per sender and UTC day, IPv6 colons made safe for every file system', () => {
    expect(captureFileFor('10.0.2.15', Date.parse('2026-12-02T23:59:59.999Z'))).toBe('netdump/10.0.2.15/2026-12-02.ncap');
    expect(captureFileFor('10.0.2.15', Date.parse('2026-12-03T00:00:00.000Z'))).toBe('netdump/10.0.2.15/2026-12-03.ncap');
    expect(senderFolder('fe80::1')).toBe('fe80__1');
  });
});
