import { describe, expect, it } from 'vitest';
import { shortcutFor, shortcutHelp, tabTarget, type KeyLike } from './shortcuts.js';

const key = (key: string, extra: Partial<KeyLike> = {}): KeyLike => ({ key, code: '', altKey: false, ctrlKey: false, metaKey: false, shiftKey: false, ...extra });

describe('shortcutFor', () => {
  it('opens the list with ? and focuses the command line with /, but not while typing', () => {
    expect(shortcutFor(key('?', { shiftKey: true }), false)).toEqual({ kind: 'help' });
    expect(shortcutFor(key('/'), false)).toEqual({ kind: 'focus-command' });
    expect(shortcutFor(key('?', { shiftKey: true }), true)).toBeNull();
    expect(shortcutFor(key('/'), true)).toBeNull();
    expect(shortcutFor(key('/', { ctrlKey: true }), false)).toBeNull();
  });

  it('switches tabs with Alt+digit by key position (a Mac layout gives ¡ for Alt+1), even while typing', () => {
    expect(shortcutFor(key('¡', { code: 'Digit1', altKey: true }), true)).toEqual({ kind: 'tab', index: 0 });
    expect(shortcutFor(key('4', { code: 'Digit4', altKey: true }), false)).toEqual({ kind: 'tab', index: 3 });
    expect(shortcutFor(key('0', { code: 'Digit0', altKey: true }), false)).toBeNull();
    expect(shortcutFor(key('1', { code: 'Digit1', altKey: true, ctrlKey: true }), false)).toBeNull();
    expect(shortcutFor(key('PageDown', { altKey: true }), true)).toEqual({ kind: 'tab-step', step: 1 });
    expect(shortcutFor(key('PageUp', { altKey: true }), true)).toEqual({ kind: 'tab-step', step: -1 });
    expect(shortcutFor(key('PageUp'), false)).toBeNull();
  });
});

describe('tabTarget', () => {
  it('goes to a tab that exists, and wraps around stepping', () => {
    expect(tabTarget({ kind: 'tab', index: 2 }, 0, 9)).toBe(2);
    expect(tabTarget({ kind: 'tab', index: 8 }, 0, 7)).toBeNull();
    expect(tabTarget({ kind: 'tab-step', step: 1 }, 6, 7)).toBe(0);
    expect(tabTarget({ kind: 'tab-step', step: -1 }, 0, 7)).toBe(6);
    expect(tabTarget({ kind: 'tab-step', step: 1 }, -1, 3)).toBe(0);
  });
});

it('lists every shortcut with its keys', () => {
  const items = shortcutHelp(false).flatMap((g) => g.items);
  expect(items.map((i) => i.keys.join('+'))).toEqual(expect.arrayContaining(['Ctrl+K', '?', '/', 'Alt+1…9', 'Alt+PageDown', '↑', '↓']));
  expect(shortcutHelp(true)[0]!.items[0]!.keys).toEqual(['⌘', 'K']);
});
