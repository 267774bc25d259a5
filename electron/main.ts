import { app, BrowserWindow, dialog, ipcMain, safeStorage, shell, type App, type Dialog, type SafeStorage } from 'electron';
import { parseArgs } from 'node:util';
import { appRoot, appVersion } from './core/app-root.js';
import { createCore, type Core } from './core/core.js';
import type { Encryptor } from './core/ssh/secret-vault.js';
import { APP_NAME, resolveDataDir } from './core/data-dir.js';
import { bindIpc, type IpcBindingDeps } from './ipc-binding.js';
import { appUrlPredicate, createMainWindow, windowPaths, type WindowDeps } from './window.js';

/** The pieces of the `electron` module the entry uses, passed in so a test can hand it fakes. */
export interface ElectronMain {
  app: Pick<App, 'setName' | 'setPath' | 'requestSingleInstanceLock' | 'on' | 'whenReady' | 'quit'>;
  BrowserWindow: WindowDeps['BrowserWindow'] & { getAllWindows(): BrowserWindow[] };
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

/** Wiring only: data folder, single instance, then core + IPC + window once Electron is ready. */
export async function startMain({ electron, argv, env, platform, root = appRoot() }: MainDeps): Promise<void> {
  const { app, BrowserWindow } = electron;
  const dataDir = resolveDataDir(dataDirFlag(argv), env, platform);
  app.setName(APP_NAME);
  // Before the lock: Electron keys the single-instance lock on userData, so each workspace opens once.
  app.setPath('userData', dataDir);
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }

  const paths = windowPaths(root);
  let core: Core | undefined;
  let unbind = (): void => {};
  const openWindow = (): void => {
    createMainWindow({ BrowserWindow, shell: electron.shell }, paths);
  };
  // A second launch (or a dock click on macOS) brings the existing window forward instead.
  const focusOrOpen = (): void => {
    const [win] = BrowserWindow.getAllWindows();
    if (win) {
      if (win.isMinimized()) win.restore();
      win.focus();
    } else if (core) openWindow();
  };
  app.on('second-instance', focusOrOpen);
  app.on('activate', focusOrOpen);
  app.on('window-all-closed', () => {
    if (platform !== 'darwin') app.quit();
  });
  app.on('quit', () => {
    unbind();
    core?.close();
    core = undefined;
  });

  await app.whenReady();
  try {
    const encryptor = secretEncryptor(electron.safeStorage, platform);
    core = createCore({ dataDir, shell: 'electron', version: appVersion(root), ...(encryptor ? { encryptor } : {}) });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    electron.dialog.showErrorBox('Backline could not start', `Backline could not open its workspace in ${dataDir}: ${reason}`);
    app.quit();
    return;
  }
  unbind = bindIpc({ ipcMain: electron.ipcMain, core, windows: () => BrowserWindow.getAllWindows(), isTrustedUrl: appUrlPredicate(paths.indexHtml) });
  openWindow();
}

// Only inside Electron's main process; importing this file elsewhere (tests) must not start anything.
if (process.type === 'browser') {
  startMain({ electron: { app, BrowserWindow, ipcMain, shell, dialog, safeStorage }, argv: process.argv, env: process.env, platform: process.platform }).catch(
    (error: unknown) => {
      console.error(`Backline could not start: ${error instanceof Error ? error.message : String(error)}`);
      app.exit(1);
    },
  );
}
