import { describe, expect, it } from 'vitest';
import { Concurrency } from './sessions.js';

describe('Concurrency (handshakes at once)', () => {
  it('runs at most its limit at once, the rest in the order they came, and passes results and errors through', async () => {
    const limit = new Concurrency(2);
    let running = 0;
    let most = 0;
    const started: number[] = [];
    const releases: (() => void)[] = [];
    const task = (n: number) =>
      limit.run(async () => {
        started.push(n);
        running++;
        most = Math.max(most, running);
        await new Promise<void>((resolve) => releases.push(resolve));
        running--;
        if (n === 3) throw new Error('refused');
        return n;
      });
    const all = [1, 2, 3, 4, 5].map((n) => task(n).catch((error: Error) => error.message));
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toEqual([1, 2]);
    while (started.length < 5 || releases.length > 0) {
      releases.shift()?.();
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(await Promise.all(all)).toEqual([1, 2, 'refused', 4, 5]);
    expect(started).toEqual([1, 2, 3, 4, 5]);
    expect(most).toBe(2);
  });
});
