import { describe, expect, it } from 'vitest';
import { DrawnAcks } from './terminalAcks.js';

describe('DrawnAcks', () => {
  it('acks every `step` bytes drawn, not every event', () => {
    const sent: number[] = [];
    const acks = new DrawnAcks((offset) => sent.push(offset), 100);
    for (let offset = 10; offset <= 350; offset += 10) acks.drawn(offset);
    expect(sent).toEqual([100, 200, 300]);
  });

  it('acks a single large event at once', () => {
    const sent: number[] = [];
    const acks = new DrawnAcks((offset) => sent.push(offset), 100);
    acks.drawn(65_536);
    expect(sent).toEqual([65_536]);
  });

  it('counts from a replay the window took', () => {
    const sent: number[] = [];
    const acks = new DrawnAcks((offset) => sent.push(offset), 100);
    acks.caughtUp(5000);
    acks.drawn(5050);
    acks.drawn(5100);
    expect(sent).toEqual([5100]);
  });
});
