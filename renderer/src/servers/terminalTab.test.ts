import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { BacklineClient } from '../api/client.js';
import type { Scheme, TerminalPhase, TerminalServer } from './terminalSession.js';

// The real session needs xterm and a DOM; this one records what the tab hands it.
const made: FakeSession[] = [];

class FakeSession {
  phase: TerminalPhase = { name: 'opening' };
  attached: unknown[] = [];
  detached = 0;
  schemes: Scheme[] = [];
  disposed = false;
  private readonly listeners = new Set<() => void>();
  constructor(
    readonly client: unknown,
    readonly server: TerminalServer,
    readonly key: string,
    readonly title: string,
    scheme: Scheme,
    readonly adopted: string | null,
  ) {
    this.schemes.push(scheme);
    made.push(this);
  }
  subscribe = (l: () => void) => {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  };
  set(phase: TerminalPhase) {
    this.phase = phase;
    this.listeners.forEach((l) => l());
  }
  shows = (id: string) => this.phase.name === 'open' && this.phase.terminalId === id;
  attach = (container: unknown) => this.attached.push(container);
  detach = () => this.detached++;
  setScheme = (scheme: Scheme) => this.schemes.push(scheme);
  focus = () => undefined;
  reconnect = vi.fn();
  close = vi.fn(() => Promise.resolve(7));
  dispose = () => {
    this.disposed = true;
  };
}

vi.mock('./terminalSession.js', () => ({ TerminalSession: FakeSession }));
vi.mock('../app/errors.js', () => ({ notifyError: vi.fn() }));

const { TerminalTabSession } = await import('./terminalTab.js');

const client = {} as BacklineClient;
const server: TerminalServer = { id: 3, ticketId: 'TKT-1', label: 'web1' };
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));
const container = { id: 'host' } as unknown as HTMLElement;

describe('TerminalTabSession', () => {
  beforeEach(() => {
    made.length = 0;
  });

  it('is "opening" until the session code is in, then shows the session, attached where it was asked to be, in the latest scheme', async () => {
    const tab = new TerminalTabSession(client, server, 'terminal-1', 'web1', 'light');
    const seen: string[] = [];
    tab.subscribe(() => seen.push(tab.phase.name));
    expect(tab.phase).toEqual({ name: 'opening' });
    // The same object each time: React's useSyncExternalStore needs a stable snapshot.
    expect(tab.phase).toBe(tab.phase);
    tab.attach(container);
    tab.setScheme('dark');
    await settle();
    expect(made).toHaveLength(1);
    const session = made[0]!;
    expect(session.schemes).toEqual(['dark']);
    expect(session.attached).toEqual([container]);
    expect(seen.length).toBeGreaterThan(0);
    session.set({ name: 'open', terminalId: 't-9' });
    expect(tab.phase).toEqual({ name: 'open', terminalId: 't-9' });
    expect(tab.shows('t-9')).toBe(true);
    expect(seen.at(-1)).toBe('open');
    await expect(tab.close()).resolves.toBe(7);
  });

  it('does not attach a screen that was taken out of the page before the code arrived', async () => {
    const tab = new TerminalTabSession(client, server, 'terminal-1', 'web1', 'light');
    tab.attach(container);
    tab.detach();
    await settle();
    expect(made[0]!.attached).toEqual([]);
  });

  it('makes no session once disposed, and shows an adopted shell meanwhile', async () => {
    const tab = new TerminalTabSession(client, server, 'terminal-2', 'web1', 'light', 't-adopted');
    expect(tab.shows('t-adopted')).toBe(true);
    await expect(tab.close()).resolves.toBeNull();
    tab.dispose();
    await settle();
    expect(made).toHaveLength(0);
  });

  it('disposes the session it made', async () => {
    const tab = new TerminalTabSession(client, server, 'terminal-3', 'web1', 'light');
    await settle();
    tab.dispose();
    expect(made[0]!.disposed).toBe(true);
  });
});
