import { EventEmitter } from 'node:events';
import { vi } from 'vitest';
import { createFakeUtilityProcess } from './fake-utility-process.js';

/**
 * Stand-ins for the parts of the `electron` module the shell touches, for vi.mock('electron'). The
 * binary cannot run on our machines, so these record what our code asked Electron to do, and let a
 * test fire the events Electron would.
 */
type Handler = (...args: unknown[]) => unknown;

export class FakeSession {
  permissionRequest: Handler | undefined;
  permissionCheck: Handler | undefined;
  headersReceived: Handler | undefined;
  setPermissionRequestHandler = (h: Handler): void => void (this.permissionRequest = h);
  setPermissionCheckHandler = (h: Handler): void => void (this.permissionCheck = h);
  webRequest = { onHeadersReceived: (h: Handler): void => void (this.headersReceived = h) };
}

export class FakeWebContents extends EventEmitter {
  readonly session: FakeSession;
  windowOpenHandler: Handler | undefined;
  destroyed = false;
  readonly send = vi.fn();
  readonly sendInputEvent = vi.fn();
  constructor(session: FakeSession) {
    super();
    this.session = session;
  }
  setWindowOpenHandler(h: Handler): void {
    this.windowOpenHandler = h;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
}

export function createFakeElectron() {
  const session = new FakeSession();

  class BrowserWindow extends EventEmitter {
    static windows: BrowserWindow[] = [];
    static getAllWindows = (): BrowserWindow[] => BrowserWindow.windows.filter((w) => !w.destroyed);
    static getFocusedWindow = (): BrowserWindow | null => BrowserWindow.getAllWindows()[0] ?? null;
    readonly webContents = new FakeWebContents(session);
    readonly loadFile = vi.fn((_path: string, _options?: { hash?: string }) => Promise.resolve());
    readonly show = vi.fn();
    readonly maximize = vi.fn(() => void (this.maximized = true));
    maximized = false;
    normalBounds = { x: 10, y: 20, width: 1280, height: 820 };
    readonly getNormalBounds = vi.fn(() => this.normalBounds);
    readonly isMaximized = vi.fn(() => this.maximized);
    readonly focus = vi.fn();
    readonly restore = vi.fn();
    minimized = false;
    destroyed = false;
    constructor(readonly options: { webPreferences?: Record<string, unknown> } & Record<string, unknown>) {
      super();
      BrowserWindow.windows.push(this);
    }
    isMinimized(): boolean {
      return this.minimized;
    }
    isDestroyed(): boolean {
      return this.destroyed;
    }
  }

  const handlers = new Map<string, Handler>();
  const ipcMain = {
    handlers,
    handle: vi.fn((channel: string, h: Handler) => void handlers.set(channel, h)),
    removeHandler: vi.fn((channel: string) => void handlers.delete(channel)),
  };

  const appEvents = new EventEmitter();
  const app = Object.assign(appEvents, {
    singleInstance: true,
    setName: vi.fn(),
    setPath: vi.fn(),
    requestSingleInstanceLock: vi.fn((_additionalData?: Record<string, unknown>) => app.singleInstance),
    isPackaged: false,
    setAsDefaultProtocolClient: vi.fn((_protocol: string, _path?: string, _args?: string[]) => true),
    whenReady: vi.fn(() => Promise.resolve()),
    quit: vi.fn(),
    exit: vi.fn(),
  });

  const ipcRenderer = Object.assign(new EventEmitter(), { invoke: vi.fn((..._args: unknown[]) => Promise.resolve<unknown>(undefined)) });
  const contextBridge = { exposeInMainWorld: vi.fn() };
  const shell = { openExternal: vi.fn((_url: string) => Promise.resolve()) };
  const dialog = { showErrorBox: vi.fn() };
  // A stand-in keychain: reversible, and visibly not the plain text.
  const safeStorage = {
    available: true,
    /** What Linux's safeStorage reports; basic_text means a key hard-coded in Chromium. */
    backend: 'gnome_libsecret' as 'basic_text' | 'gnome_libsecret' | 'kwallet' | 'kwallet5' | 'kwallet6' | 'unknown',
    isEncryptionAvailable: vi.fn(() => safeStorage.available),
    getSelectedStorageBackend: vi.fn(() => safeStorage.backend),
    encryptString: vi.fn((plain: string) => Buffer.from(`sealed:${Buffer.from(plain).toString('hex')}`)),
    decryptString: vi.fn((sealed: Buffer) => Buffer.from(sealed.toString().slice('sealed:'.length), 'hex').toString()),
  };

  const Menu = {
    applied: null as unknown,
    buildFromTemplate: vi.fn((template: unknown[]) => ({ template })),
    setApplicationMenu: vi.fn((menu: unknown) => void (Menu.applied = menu)),
  };
  const screen = { displays: [{ workArea: { x: 0, y: 0, width: 1920, height: 1080 } }], getAllDisplays: vi.fn(() => screen.displays) };
  const utilityProcess = createFakeUtilityProcess();

  return { app, BrowserWindow, ipcMain, Menu, screen, utilityProcess, ipcRenderer, contextBridge, session: { defaultSession: session }, shell, dialog, safeStorage, fakeSession: session };
}

export type FakeElectron = ReturnType<typeof createFakeElectron>;
