import { describe, expect, it } from 'vitest';
import { clipboardKey, EarlyOutput, InputQueue } from './terminalIo.js';

const deferred = () => {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
};
const tick = () => new Promise((r) => setTimeout(r, 0));

describe('InputQueue', () => {
  it('sends in order, batching what is typed while a request is in flight', async () => {
    const sent: string[] = [];
    const gates: ReturnType<typeof deferred>[] = [];
    const queue = new InputQueue(
      (data) => {
        sent.push(data);
        const gate = deferred();
        gates.push(gate);
        return gate.promise;
      },
      () => undefined,
    );
    queue.push('l');
    queue.push('s');
    queue.push('\r');
    expect(sent).toEqual(['l']);
    gates[0]!.resolve();
    await tick();
    expect(sent).toEqual(['l', 's\r']);
    gates[1]!.resolve();
    await tick();
    expect(sent).toEqual(['l', 's\r']);
  });

  it('splits a large paste into chunks', async () => {
    const sent: string[] = [];
    const queue = new InputQueue(
      (data) => {
        sent.push(data);
        return Promise.resolve();
      },
      () => undefined,
      4,
    );
    queue.push('abcdefghij');
    await tick();
    expect(sent).toEqual(['abcd', 'efgh', 'ij']);
  });

  it('reports a failure once and drops what was queued behind it', async () => {
    const errors: unknown[] = [];
    const sent: string[] = [];
    const queue = new InputQueue(
      (data) => {
        sent.push(data);
        return Promise.reject(new Error('ended'));
      },
      (e) => errors.push(e),
      2,
    );
    queue.push('abcdef');
    await tick();
    expect(sent).toEqual(['ab']);
    expect(errors).toHaveLength(1);
  });
});

describe('clipboardKey', () => {
  const key = (code: string, mods: Partial<Record<'ctrlKey' | 'shiftKey' | 'altKey' | 'metaKey', boolean>> = {}, type = 'keydown') => ({
    type,
    code,
    ctrlKey: false,
    shiftKey: false,
    altKey: false,
    metaKey: false,
    ...mods,
  });
  it('takes Ctrl+Shift+C and Ctrl+Shift+V, leaves Ctrl+C to the shell', () => {
    expect(clipboardKey(key('KeyC', { ctrlKey: true, shiftKey: true }))).toBe('copy');
    expect(clipboardKey(key('KeyV', { ctrlKey: true, shiftKey: true }))).toBe('paste');
    expect(clipboardKey(key('KeyC', { ctrlKey: true }))).toBeNull();
    expect(clipboardKey(key('KeyV', { ctrlKey: true, shiftKey: true }, 'keyup'))).toBeNull();
    expect(clipboardKey(key('KeyV', { ctrlKey: true, shiftKey: true, altKey: true }))).toBeNull();
  });
});

describe('EarlyOutput', () => {
  it('replays only the output of the terminal that turned out to be ours', () => {
    const early = new EarlyOutput();
    early.hold('term-aaaaaaaa', 'other', 0);
    early.hold('term-bbbbbbbb', '$ ', 0);
    early.hold('term-bbbbbbbb', 'ready', 2);
    expect(early.take('term-bbbbbbbb')).toBe('$ ready');
    expect(early.take('term-bbbbbbbb')).toBe('');
  });

  it('skips what a replay already drew', () => {
    const early = new EarlyOutput();
    early.hold('term-bbbbbbbb', 'drawn', 10);
    early.hold('term-bbbbbbbb', 'new', 15);
    expect(early.take('term-bbbbbbbb', 15)).toBe('new');
  });
});
