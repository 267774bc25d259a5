import { describe, expect, it } from 'vitest';
import { takeLaunchToken, watchLaunchToken, type TokenPlace } from './launch-token.js';

function fakeTab(hash: string, stored: Record<string, string> = {}) {
  const storage = new Map(Object.entries(stored));
  const listeners: (() => void)[] = [];
  const tab = {
    location: { hash, pathname: '/', search: '' },
    history: {
      replaceState: (_data: unknown, _unused: string, url?: string | URL | null) => {
        tab.location.hash = String(url).replace(/^[^#]*/, '');
      },
    },
    sessionStorage: { getItem: (key: string) => storage.get(key) ?? null, setItem: (key: string, value: string) => void storage.set(key, value) },
    addEventListener: (_type: 'hashchange', listener: () => void) => void listeners.push(listener),
    navigate(next: string) {
      tab.location.hash = next;
      for (const listener of listeners) listener();
    },
    storage,
  };
  return tab satisfies TokenPlace;
}

describe('the launch token', () => {
  it('is taken from the fragment, which is then replaced by the home route', () => {
    const tab = fakeTab('#token=abc123');
    expect(takeLaunchToken(tab)).toBe('abc123');
    expect(tab.location.hash).toBe('#/');
  });

  it('survives a reload in the same tab (sessionStorage), and is null in a tab that never had it', () => {
    const tab = fakeTab('#token=abc123');
    takeLaunchToken(tab);
    expect(takeLaunchToken(fakeTab('#/t/TKT-1', Object.fromEntries(tab.storage)))).toBe('abc123');
    expect(takeLaunchToken(fakeTab('#/'))).toBeNull();
    expect(takeLaunchToken(fakeTab('#token=not valid!'))).toBeNull();
  });

  it('still works when storage is refused, until the next reload', () => {
    const tab = fakeTab('#token=abc123');
    tab.sessionStorage.setItem = () => {
      throw new Error('SecurityError');
    };
    expect(takeLaunchToken(tab)).toBe('abc123');
  });

  it('is replaced when a newer printed URL is opened in the same tab', () => {
    const tab = fakeTab('#token=old');
    const current = watchLaunchToken(tab);
    tab.navigate('#/t/TKT-1');
    expect(current()).toBe('old');
    tab.navigate('#token=new');
    expect(current()).toBe('new');
    expect(tab.location.hash).toBe('#/');
  });
});
