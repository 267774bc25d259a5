import { describe, expect, it, vi } from 'vitest';
import { TerminalStore, terminalTitle, type TerminalTab } from './terminalStore.js';
import type { TerminalPhase, TerminalServer } from './terminalSession.js';

function stub(server: TerminalServer, key: string, title: string, adopted: string | null = null) {
  const listeners = new Set<() => void>();
  const tab = {
    key,
    server,
    title,
    phase: { name: 'open', terminalId: adopted ?? `term-${key}` } as TerminalPhase,
    shows: (terminalId: string) => tab.phase.name === 'open' && tab.phase.terminalId === terminalId,
    subscribe: (l: () => void) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    close: vi.fn(() => Promise.resolve(42)),
    dispose: vi.fn(),
    set(phase: TerminalPhase) {
      tab.phase = phase;
      listeners.forEach((l) => l());
    },
  };
  return tab satisfies TerminalTab;
}

const web1 = { id: 1, ticketId: 'TKT-1', label: 'web1' };
const web2 = { id: 2, ticketId: 'TKT-1', label: 'web2' };
const db1 = { id: 3, ticketId: 'TKT-2', label: 'db1' };

describe('TerminalStore', () => {
  it('keeps several terminals per ticket, each ticket with its own front one', () => {
    const store = new TerminalStore(stub);
    const a = store.open(web1);
    const b = store.open(web2);
    const c = store.open(db1);
    expect(store.list('TKT-1').map((t) => t.title)).toEqual(['web1', 'web2']);
    expect(store.activeKey('TKT-1')).toBe(b.key);
    expect(store.activeKey('TKT-2')).toBe(c.key);
    store.activate('TKT-1', null);
    expect(store.activeKey('TKT-1')).toBeNull();
    store.activate('TKT-1', a.key);
    expect(store.activeKey('TKT-1')).toBe(a.key);
  });

  it('names a second terminal on the same server apart', () => {
    const store = new TerminalStore(stub);
    store.open(web1);
    expect(store.open(web1).title).toBe('web1 (2)');
    expect(terminalTitle('web1', ['web1', 'web1 (2)'])).toBe('web1 (3)');
  });

  it('closes a terminal saving its transcript, and brings its neighbour to the front', async () => {
    const store = new TerminalStore(stub);
    const a = store.open(web1);
    const b = store.open(web2);
    store.activate('TKT-1', a.key);
    expect(await store.close(a.key)).toBe(42);
    expect(a.close).toHaveBeenCalled();
    expect(a.dispose).toHaveBeenCalled();
    expect(store.list('TKT-1')).toEqual([b]);
    expect(store.activeKey('TKT-1')).toBe(b.key);
    b.set({ name: 'ended', reason: 'the shell ended' });
    expect(await store.close(b.key)).toBeNull();
    expect(b.close).not.toHaveBeenCalled();
    expect(store.activeKey('TKT-1')).toBeNull();
  });

  it('tells its views when a terminal’s state changes', () => {
    const store = new TerminalStore(stub);
    const a = store.open(web1);
    const seen = vi.fn();
    store.subscribe(seen);
    a.set({ name: 'ended', reason: 'x' });
    expect(seen).toHaveBeenCalledTimes(1);
  });
});

it('leaves the front tab alone when a terminal behind it goes', async () => {
  const store = new TerminalStore(stub);
  const a = store.open(web1);
  store.activate('TKT-1', null);
  await store.close(a.key);
  expect(store.activeKey('TKT-1')).toBeNull();
});

it('adopts the shells a reload left open, once each, without bringing them to the front', () => {
  const store = new TerminalStore(stub);
  const first = store.adopt(web1, 'term-1234abcd');
  expect(first?.title).toBe('web1');
  expect(store.adopt(web1, 'term-1234abcd')).toBeNull();
  expect(store.list('TKT-1')).toHaveLength(1);
  expect(store.activeKey('TKT-1')).toBeNull();
});
