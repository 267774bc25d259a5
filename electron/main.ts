import { app, BrowserWindow, dialog, ipcMain, Menu, safeStorage, screen, shell, utilityProcess, type App, type Dialog, type SafeStorage } from 'electron';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { appRoot, appVersion } from './core/app-root.js';
import { createCore, type Core } from './core/core.js';
import type { Encryptor } from './core/ssh/secret-vault.js';
import { APP_NAME, resolveDataDir } from './core/data-dir.js';
import { utilityReportProcess, type UtilityProcessModule } from './core/reporting/reports/report-process.js';
import { DEEP_LINK_SCHEME, deepLinkHash, deepLinkInArgs } from './desktop/deep-link.js';
import { keystrokeSender, menuTemplate } from './desktop/menu.js';
import { claimSingleInstance } from './desktop/single-instance.js';
import { loadWindowState, trackWindowState } from './desktop/window-state.js';
import { bindIpc, type IpcBindingDeps } from './ipc-binding.js';
import { appUrlPredicate, createMainWindow, windowPaths, type WindowDeps } from './window.js';

/** The pieces of the `electron` module the entry uses, passed in so a test can hand it fakes. */
export interface ElectronMain {
  app: Pick<App, 'setName' | 'setPath' | 'requestSingleInstanceLock' | 'on' | 'whenReady' | 'quit' | 'setAsDefaultProtocolClient' | 'isPackaged'>;
  BrowserWindow: WindowDeps['BrowserWindow'] & { getAllWindows(): BrowserWindow[]; getFocusedWindow(): BrowserWindow | null };
  Menu: { buildFromTemplate(template: Parameters<typeof Menu.buildFromTemplate>[0]): Menu; setApplicationMenu(menu: Menu | null): void };
  screen: { getAllDisplays(): { workArea: Electron.Rectangle }[] };
  utilityProcess: UtilityProcessModule;
  ipcMain: IpcBindingDeps['ipcMain'];
  shell: WindowDeps['shell'];
  dialog: Pick<Dialog, 'showErrorBox'>;
  safeStorage: Pick<SafeStorage, 'isEncryptionAvailable' | 'encryptString' | 'decryptString' | 'getSelectedStorageBackend'>;
}

export interface MainDeps {
  electron: ElectronMain;
  argv: string[];
  env: NodeJS.ProcessEnv;
  platform: NodeJS.Platform;
  /** The project folder; found from this file when not given. */
  root?: string;
}

/** `--data-dir X` or `--data-dir=X`, tolerating Chromium's own switches and the script path. */
export function dataDirFlag(argv: string[]): string | undefined {
  const { values } = parseArgs({ args: argv.slice(1), options: { 'data-dir': { type: 'string' } }, strict: false, allowPositionals: true });
  const flag = values['data-dir'];
  return typeof flag === 'string' ? flag : undefined;
}

/**
 * Secrets the engineer asks to keep are sealed by the OS keychain; without one, nothing is stored. On
 * Linux, safeStorage falls back to `basic_text` (a key hard-coded in Chromium) when it finds no Secret
 * Service or KWallet: that protects nothing, so it is refused by name. Call after `ready`.
 */
export function secretEncryptor(safeStorage: ElectronMain['safeStorage'], platform: NodeJS.Platform): Encryptor | undefined {
  if (!safeStorage.isEncryptionAvailable()) return undefined;
  const backend = platform === 'linux' ? safeStorage.getSelectedStorageBackend() : undefined;
  if (backend === 'basic_text' || backend === 'unknown') {
    const refusal =
      backend === 'basic_text'
        ? "Backline does not store passwords or passphrases on this desktop: Electron's safeStorage found no keyring and uses basic_text, a key hard-coded in Chromium, which protects nothing."
        : "Backline does not store passwords or passphrases on this desktop: Electron's safeStorage could not tell which keyring it uses.";
    const refuse = (): never => {
      throw new Error(refusal);
    };
    return {
      encrypt: refuse,
      // Secrets sealed before (by an older Backline) can still be read, and forgotten.
      decrypt: (sealed) => safeStorage.decryptString(sealed),
      refusal,
      refusalHint:
        'They are held in memory until Backline quits. To store them, run a Secret Service keyring (GNOME Keyring, KeePassXC) or KWallet, or start Backline with --password-store=gnome-libsecret (or kwallet5, kwallet6).',
    };
  }
  return { encrypt: (plain) => safeStorage.encryptString(plain), decrypt: (sealed) => safeStorage.decryptString(sealed) };
}

/**
 * Makes Backline the handler of backline:// links. Run from a clone (electron main.js), the OS must
 * start Electron with our main script; a package registers itself (and electron-builder's `protocols`
 * declares the scheme in Info.plist and the .desktop file).
 */
export function registerDeepLinks(app: ElectronMain['app'], argv: string[], execPath: string): boolean {
  if (app.isPackaged) return app.setAsDefaultProtocolClient(DEEP_LINK_SCHEME);
  const script = argv[1];
  return script ? app.setAsDefaultProtocolClient(DEEP_LINK_SCHEME, execPath, [resolve(script)]) : false;
}

export const WINDOW_STATE_FILE = 'window-state.json';

/** Wiring only: data folder, single instance, then core + IPC + window once Electron is ready. */
export async function startMain({ electron, argv, env, platform, root = appRoot() }: MainDeps): Promise<void> {
  const { app, BrowserWindow } = electron;
  const dataDir = resolveDataDir(dataDirFlag(argv), env, platform);
  app.setName(APP_NAME);
  // Before the lock: Electron keys the single-instance lock on userData, so each workspace opens once.
  app.setPath('userData', dataDir);

  const paths = windowPaths(root);
  const stateFile = join(dataDir, WINDOW_STATE_FILE);
  let core: Core | undefined;
  let unbind = (): void => {};
  // A link that arrives before the window exists (macOS sends open-url before ready) opens with it.
  let pendingHash: string | null = deepLinkInArgs(argv.slice(1));
  const openWindow = (): void => {
    const win = createMainWindow({ BrowserWindow, shell: electron.shell }, paths, { state: loadWindowState(stateFile, electron.screen.getAllDisplays().map((d) => d.workArea)), hash: pendingHash });
    pendingHash = null;
    trackWindowState(win, stateFile);
  };
  // A second launch (or a dock click on macOS, or a link) brings the existing window forward instead.
  const focusOrOpen = (hash: string | null = null): void => {
    const [win] = BrowserWindow.getAllWindows();
    if (win) {
      if (win.isMinimized()) win.restore();
      win.focus();
      // Only the fragment changes: the page stays, and its router opens the workspace.
      if (hash) win.loadFile(paths.indexHtml, { hash }).catch(() => undefined);
    } else if (core) {
      pendingHash = hash ?? pendingHash;
      openWindow();
    } else if (hash) pendingHash = hash;
  };

  if (!claimSingleInstance(app, argv.slice(1), (args) => focusOrOpen(deepLinkInArgs(args)))) {
    app.quit();
    return;
  }
  app.on('open-url', (event, url) => {
    event.preventDefault();
    const hash = deepLinkHash(url);
    if (hash) focusOrOpen(hash);
  });
  app.on('activate', () => focusOrOpen());
  app.on('window-all-closed', () => {
    if (platform !== 'darwin') app.quit();
  });
  // Quitting waits for the core's shutdown (the netdump receiver writes and indexes what it received
  // before the store closes), then quits for real; 'quit' still closes a core that is somehow left.
  app.on('will-quit', (event) => {
    const closing = core;
    if (!closing) return;
    event.preventDefault();
    core = undefined;
    unbind();
    void closing.shutdown().finally(() => app.quit());
  });
  app.on('quit', () => {
    unbind();
    core?.close();
    core = undefined;
  });

  await app.whenReady();
  registerDeepLinks(app, argv, process.execPath);
  try {
    const encryptor = secretEncryptor(electron.safeStorage, platform);
    core = createCore({
      dataDir,
      shell: 'electron',
      version: appVersion(root),
      ...(encryptor ? { encryptor } : {}),
      // With the RunAsNode fuse off, Electron cannot fork itself as Node: reports run in utility processes.
      reporting: { reportProcess: utilityReportProcess(electron.utilityProcess) },
    });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    electron.dialog.showErrorBox('Backline could not start', `Backline could not open its workspace in ${dataDir}: ${reason}`);
    app.quit();
    return;
  }
  unbind = bindIpc({ ipcMain: electron.ipcMain, core, windows: () => BrowserWindow.getAllWindows(), isTrustedUrl: appUrlPredicate(paths.indexHtml) });
  const send = keystrokeSender(() => BrowserWindow.getFocusedWindow() ?? BrowserWindow.getAllWindows()[0]);
  electron.Menu.setApplicationMenu(electron.Menu.buildFromTemplate(menuTemplate(platform, send, { devTools: !app.isPackaged })));
  openWindow();
}

// Only inside Electron's main process; importing this file elsewhere (tests) must not start anything.
if (process.type === 'browser') {
  startMain({ electron: { app, BrowserWindow, ipcMain, shell, dialog, safeStorage, Menu, screen, utilityProcess }, argv: process.argv, env: process.env, platform: process.platform }).catch(
    (error: unknown) => {
      console.error(`Backline could not start: ${error instanceof Error ? error.message : String(error)}`);
      app.exit(1);
    },
  );
}
