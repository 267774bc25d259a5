import { describe, expect, it, vi } from 'vitest';
import { lazyView } from './lazyView.js';

const Component = () => null;

describe('lazyView', () => {
  it('fetches the code once however often it is preloaded', async () => {
    const load = vi.fn(() => Promise.resolve(Component));
    const { preload } = lazyView(load);
    await Promise.all([preload(), preload()]);
    await preload();
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('asks again after a failed fetch (a restarted shell, a new build), and a preload never rejects', async () => {
    const load = vi.fn().mockRejectedValueOnce(new Error('chunk missing')).mockResolvedValue(Component);
    const { preload } = lazyView(load);
    await expect(preload()).resolves.toBeUndefined();
    await preload();
    expect(load).toHaveBeenCalledTimes(2);
    await preload();
    expect(load).toHaveBeenCalledTimes(2);
  });
});
