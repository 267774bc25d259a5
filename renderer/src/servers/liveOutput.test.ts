import { describe, expect, it } from 'vitest';
import { appendForServer, appendOutput, emptyLiveOutput, LIVE_SEGMENT_LIMIT, type LiveOutput } from './liveOutput.js';

const text = (live: LiveOutput) => live.segments.map((s) => s.text).join('');

describe('appendOutput', () => {
  it('merges consecutive chunks of one stream and keeps streams apart', () => {
    let live = appendOutput(emptyLiveOutput, 'stdout', 'a');
    live = appendOutput(live, 'stdout', 'b');
    live = appendOutput(live, 'stderr', 'E');
    live = appendOutput(live, 'stdout', 'c');
    expect(live.segments).toEqual([
      { stream: 'stdout', text: 'ab' },
      { stream: 'stderr', text: 'E' },
      { stream: 'stdout', text: 'c' },
    ]);
    expect(live.chars).toBe(4);
    expect(live.droppedChars).toBe(0);
  });

  it('ignores empty chunks', () => {
    expect(appendOutput(emptyLiveOutput, 'stdout', '')).toBe(emptyLiveOutput);
  });

  it('trims the start, whole segments first, to stay within the limit', () => {
    let live = appendOutput(emptyLiveOutput, 'stdout', '0123456789', 12);
    live = appendOutput(live, 'stderr', 'abcdef', 12);
    expect(text(live)).toBe('456789abcdef');
    expect(live.chars).toBe(12);
    expect(live.droppedChars).toBe(4);
    live = appendOutput(live, 'stdout', 'XYZXYZXYZXYZXYZ', 12);
    expect(live.segments).toEqual([{ stream: 'stdout', text: 'ZXYZXYZXYZXYZ'.slice(1) }]);
    expect(live.chars).toBe(12);
    expect(live.droppedChars).toBe(4 + 12 + 3);
  });

  it('never holds more than the limit, however the chunks come', () => {
    let live = emptyLiveOutput;
    let total = 0;
    for (let i = 0; i < 500; i++) {
      const chunk = 'x'.repeat((i * 37) % 101);
      total += chunk.length;
      live = appendOutput(live, i % 3 === 0 ? 'stderr' : 'stdout', chunk, 1000);
      expect(live.chars).toBeLessThanOrEqual(1000);
      expect(live.chars).toBe(text(live).length);
      expect(live.chars + live.droppedChars).toBe(total);
    }
  });

  it('caps the number of segments', () => {
    let live = emptyLiveOutput;
    for (let i = 0; i < LIVE_SEGMENT_LIMIT + 50; i++) live = appendOutput(live, i % 2 ? 'stderr' : 'stdout', 'x');
    expect(live.segments.length).toBe(LIVE_SEGMENT_LIMIT);
    expect(live.droppedChars).toBe(50);
  });
});

describe('appendForServer', () => {
  it('keeps each host apart', () => {
    let live = appendForServer({}, 1, 'stdout', 'one');
    live = appendForServer(live, 2, 'stdout', 'two');
    live = appendForServer(live, 1, 'stderr', '!');
    expect(text(live[1]!)).toBe('one!');
    expect(text(live[2]!)).toBe('two');
  });
});
