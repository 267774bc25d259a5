import { describe, expect, it } from 'vitest';
import { Intents } from './intents.js';

describe('Intents', () => {
  it('holds a request until the tab it is for takes it, once', () => {
    const intents = new Intents();
    let calls = 0;
    intents.subscribe(() => calls++);
    intents.request('TKT-1', 'attach-server');
    expect(calls).toBe(1);
    expect(intents.take('TKT-2', 'attach-server')).toBe(false);
    expect(intents.take('TKT-1', 'add-finding')).toBe(false);
    expect(intents.take('TKT-1', 'attach-server')).toBe(true);
    expect(intents.take('TKT-1', 'attach-server')).toBe(false);
  });
});
