/**
 * Backline's own keyboard shortcuts, in one place: what the `?` overlay lists is what the handlers
 * match. Pure, so which key does what (and where it is left alone) is tested without a browser.
 */
export type ShortcutAction = { kind: 'help' } | { kind: 'focus-command' } | { kind: 'tab'; index: number } | { kind: 'tab-step'; step: 1 | -1 };

export interface KeyLike {
  key: string;
  code: string;
  altKey: boolean;
  ctrlKey: boolean;
  metaKey: boolean;
  shiftKey: boolean;
}

/**
 * The action a key press asks for. `typing` is true in a text field (and in a terminal): there `?`
 * and `/` are characters, while the tab keys (Alt+digit, Alt+PageUp/PageDown) still switch tabs, so
 * a terminal can be left from the keyboard. Alt+digit is read by key position, whatever the layout.
 */
export function shortcutFor(event: KeyLike, typing: boolean): ShortcutAction | null {
  const plain = !event.altKey && !event.ctrlKey && !event.metaKey;
  if (!typing && plain && event.key === '?') return { kind: 'help' };
  if (!typing && plain && !event.shiftKey && event.key === '/') return { kind: 'focus-command' };
  if (event.altKey && !event.ctrlKey && !event.metaKey && !event.shiftKey) {
    const digit = /^Digit([1-9])$/.exec(event.code);
    if (digit) return { kind: 'tab', index: Number(digit[1]) - 1 };
    if (event.key === 'PageDown') return { kind: 'tab-step', step: 1 };
    if (event.key === 'PageUp') return { kind: 'tab-step', step: -1 };
  }
  return null;
}

/** Where a key press lands: a text field, a text area, a select, something editable (xterm types into a textarea). */
export function isTypingTarget(target: EventTarget | null): boolean {
  if (typeof HTMLElement === 'undefined' || !(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName);
}

/** The tab a tab shortcut selects among `count` tabs, from the one at `current` (-1 when none is). */
export function tabTarget(action: Extract<ShortcutAction, { kind: 'tab' | 'tab-step' }>, current: number, count: number): number | null {
  if (count === 0) return null;
  if (action.kind === 'tab') return action.index < count ? action.index : null;
  return (((current + action.step) % count) + count) % count;
}

export interface ShortcutHelp {
  keys: string[];
  what: string;
}

export function shortcutHelp(isMac: boolean): { group: string; items: ShortcutHelp[] }[] {
  const mod = isMac ? '⌘' : 'Ctrl';
  return [
    {
      group: 'Anywhere',
      items: [
        { keys: [mod, 'K'], what: 'Command palette: tickets, reports, attach server, run command, add finding…' },
        { keys: ['?'], what: 'This list of shortcuts' },
        { keys: ['/'], what: 'Focus the command line (Servers tab)' },
      ],
    },
    {
      group: 'In a ticket',
      items: [
        { keys: ['Alt', '1…9'], what: 'Go to tab 1 to 9 (Notes, Findings, Audit, Servers, …, then terminals)' },
        { keys: ['Alt', 'PageDown'], what: 'Next tab' },
        { keys: ['Alt', 'PageUp'], what: 'Previous tab' },
        { keys: [mod, 'S'], what: 'Save the note now (it also saves as you type)' },
      ],
    },
    {
      group: 'Command line',
      items: [
        { keys: ['Enter'], what: 'Run (with sudo or on several servers, it asks first)' },
        { keys: ['↑'], what: 'Earlier command' },
        { keys: ['↓'], what: 'Later command, then back to what you were typing' },
      ],
    },
    {
      group: 'Terminal',
      items: [
        { keys: ['Ctrl', 'Shift', 'C'], what: 'Copy the selection' },
        { keys: ['Ctrl', 'Shift', 'V'], what: 'Paste' },
      ],
    },
  ];
}
