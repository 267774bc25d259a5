import { describe, expect, it } from 'vitest';
import { TerminalBatcher, unfinishedCharacter } from './output-batcher.js';

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('TerminalBatcher', () => {
  it('sends what arrives in one turn of the event loop as one event at its end', async () => {
    const sent: string[] = [];
    const batcher = new TerminalBatcher((bytes) => sent.push(bytes.toString('utf8')));
    batcher.push(Buffer.from('$ l'));
    batcher.push(Buffer.from('s\r\n'));
    expect(sent).toEqual([]);
    await nextTurn();
    expect(sent).toEqual(['$ ls\r\n']);
    batcher.push(Buffer.from('a'));
    await nextTurn();
    expect(sent).toEqual(['$ ls\r\n', 'a']);
  });

  it('never sends an event larger than its limit, and sends a burst at once in pieces', () => {
    const sent: Buffer[] = [];
    const batcher = new TerminalBatcher((bytes) => sent.push(Buffer.from(bytes)), 10);
    batcher.push(Buffer.from('0123456'));
    batcher.push(Buffer.from('789abcdefghijklmnopqrstuvwxyz'));
    expect(sent.map((b) => b.toString())).toEqual(['0123456789', 'abcdefghij', 'klmnopqrst', 'uvwxyz']);
  });

  it('keeps a character split between two reads whole, in the next event', async () => {
    const sent: string[] = [];
    const batcher = new TerminalBatcher((bytes) => sent.push(bytes.toString('utf8')));
    const euro = Buffer.from('€'); // e2 82 ac
    batcher.push(Buffer.concat([Buffer.from('price: '), euro.subarray(0, 2)]));
    await nextTurn();
    batcher.push(euro.subarray(2));
    await nextTurn();
    expect(sent).toEqual(['price: ', '€']);
  });

  it('cuts a burst between characters, never inside one', async () => {
    const sent: string[] = [];
    const batcher = new TerminalBatcher((bytes) => sent.push(bytes.toString('utf8')), 8);
    batcher.push(Buffer.from('abcdefgé€xyz'));
    await nextTurn();
    expect(sent).toEqual(['abcdefg', 'é€xyz']); // 7 bytes, then 2 + 3 + 3: the cut at 8 would split é
  });

  it('sends an unfinished character when told everything must go (the terminal ended)', () => {
    const sent: Buffer[] = [];
    const batcher = new TerminalBatcher((bytes) => sent.push(Buffer.from(bytes)));
    batcher.push(Buffer.from([0x61, 0xe2, 0x82]));
    batcher.flush();
    expect(Buffer.concat(sent)).toEqual(Buffer.from([0x61, 0xe2, 0x82]));
  });
});

describe('unfinishedCharacter', () => {
  it('counts the bytes of a character still missing its continuation bytes', () => {
    expect(unfinishedCharacter(Buffer.from('abc'))).toBe(0);
    expect(unfinishedCharacter(Buffer.from('a€'))).toBe(0);
    expect(unfinishedCharacter(Buffer.from('a€').subarray(0, 3))).toBe(2);
    expect(unfinishedCharacter(Buffer.from('😀').subarray(0, 1))).toBe(1);
    expect(unfinishedCharacter(Buffer.from('😀').subarray(0, 3))).toBe(3);
    expect(unfinishedCharacter(Buffer.from([0x80, 0x80]))).toBe(0);
  });
});
