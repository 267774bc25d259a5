import type { BrowserWindow, KeyboardInputEvent, MenuItemConstructorOptions } from 'electron';

/**
 * The application menu: the keyboard shortcuts the app already has (renderer/src/workspace/shortcuts.ts,
 * the palette, the note editor), listed where desktop users look for them. The page handles these
 * keys itself, so the accelerators are shown but not registered (the key reaches the page as before),
 * and choosing an item sends the page that same key.
 */
export interface Keystroke {
  keyCode: string;
  modifiers: KeyboardInputEvent['modifiers'];
  /** The character typed, for keys that type one (`?`, `/`). */
  char?: string;
}

export type SendKeystroke = (keystroke: Keystroke) => void;

/** Sends a keystroke to the focused window's page, as if typed. */
export function keystrokeSender(focused: () => Pick<BrowserWindow, 'webContents'> | null | undefined): SendKeystroke {
  return ({ keyCode, modifiers, char }) => {
    const contents = focused()?.webContents;
    if (!contents) return;
    contents.sendInputEvent({ type: 'keyDown', keyCode, modifiers });
    if (char !== undefined) contents.sendInputEvent({ type: 'char', keyCode: char, modifiers });
    contents.sendInputEvent({ type: 'keyUp', keyCode, modifiers });
  };
}

export function menuTemplate(platform: NodeJS.Platform, send: SendKeystroke, options: { devTools: boolean }): MenuItemConstructorOptions[] {
  const mac = platform === 'darwin';
  const mod = mac ? 'meta' : 'control';
  const item = (label: string, accelerator: string | undefined, keystroke: Keystroke): MenuItemConstructorOptions => ({
    label,
    ...(accelerator ? { accelerator, registerAccelerator: false } : {}),
    click: () => send(keystroke),
  });
  return [
    ...(mac ? [{ role: 'appMenu' as const }] : []),
    {
      label: 'File',
      submenu: [item('Save note', 'CmdOrCtrl+S', { keyCode: 'S', modifiers: [mod] }), { type: 'separator' }, mac ? { role: 'close' } : { role: 'quit' }],
    },
    { role: 'editMenu' },
    {
      label: 'Go',
      submenu: [
        item('Command palette…', 'CmdOrCtrl+K', { keyCode: 'K', modifiers: [mod] }),
        item('Command line  (/)', undefined, { keyCode: '/', modifiers: [], char: '/' }),
        { type: 'separator' },
        item('Next tab', 'Alt+PageDown', { keyCode: 'PageDown', modifiers: ['alt'] }),
        item('Previous tab', 'Alt+PageUp', { keyCode: 'PageUp', modifiers: ['alt'] }),
        ...[1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => item(`Tab ${n}`, `Alt+${n}`, { keyCode: String(n), modifiers: ['alt'] })),
      ],
    },
    {
      label: 'View',
      submenu: [
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
        ...(options.devTools ? [{ type: 'separator' as const }, { role: 'toggleDevTools' as const }] : []),
      ],
    },
    { role: 'windowMenu' },
    { role: 'help', submenu: [item('Keyboard shortcuts  (?)', undefined, { keyCode: '/', modifiers: ['shift'], char: '?' })] },
  ];
}
