import { describe, expect, it } from 'vitest';
import { ChannelLimit } from './channel-limit.js';

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('ChannelLimit', () => {
  it('lets `limit` through and queues the rest in order', async () => {
    const limit = new ChannelLimit(2);
    const started: number[] = [];
    const runs = [1, 2, 3, 4].map(async (n) => {
      await limit.acquire();
      started.push(n);
    });
    await tick();
    expect(started).toEqual([1, 2]);
    limit.release();
    await tick();
    expect(started).toEqual([1, 2, 3]);
    limit.release();
    await Promise.all(runs);
    expect(started).toEqual([1, 2, 3, 4]);
    expect(limit.open).toBe(2);
  });

  it('learns a lower limit from a refusal, keeping a slot spare, and lets no more through until it fits', async () => {
    const limit = new ChannelLimit(8);
    for (let i = 0; i < 4; i++) await limit.acquire();
    expect(limit.refused(4)).toBe(true);
    expect(limit.current).toBe(2);
    let late = false;
    void limit.acquire().then(() => (late = true));
    limit.release(); // 3 open: still above 2
    await tick();
    expect(late).toBe(false);
    limit.release(); // 2 open
    await tick();
    expect(late).toBe(false);
    limit.release(); // 1 open: the waiter fits
    await tick();
    expect(late).toBe(true);
    expect(limit.open).toBe(2);
  });

  it('never goes below one, and blames nothing on the limit when only the refused channel was open', () => {
    const limit = new ChannelLimit(8);
    expect(limit.refused(1)).toBe(false);
    expect(limit.current).toBe(8);
    expect(limit.refused(2)).toBe(true);
    expect(limit.current).toBe(1);
  });
});
