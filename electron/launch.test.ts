import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

const runBrowserShell = vi.hoisted(() => vi.fn((_argv: string[]) => Promise.resolve()));
vi.mock('./web/cli.js', () => ({ runBrowserShell }));

const { fallbackMessage, findElectronBinary, launch } = await import('./launch.js');

const electronDir = '/app/node_modules/electron';
/** A file system with these files; `true` marks an executable. */
const files = (entries: Record<string, string | true>) => ({
  readText: (path: string) => {
    const entry = entries[path];
    return typeof entry === 'string' ? entry : undefined;
  },
  isExecutable: (path: string) => entries[path] === true,
});

describe('findElectronBinary', () => {
  it('finds the binary named in path.txt under dist/', () => {
    const fs = files({ [`${electronDir}/path.txt`]: 'electron\n', [`${electronDir}/dist/electron`]: true });
    expect(findElectronBinary({ env: {}, electronDir, ...fs })).toEqual({ available: true, binary: `${electronDir}/dist/electron` });
  });

  it('reports no binary when path.txt names one that was never downloaded', () => {
    const fs = files({ [`${electronDir}/path.txt`]: 'electron' });
    expect(findElectronBinary({ env: {}, electronDir, ...fs })).toEqual({ available: false, reason: 'no binary in node_modules/electron/dist' });
  });

  it('reports no binary when the install never wrote path.txt (no download, as here)', () => {
    expect(findElectronBinary({ env: {}, electronDir, ...files({}) })).toEqual({ available: false, reason: 'no binary in node_modules/electron/dist' });
  });

  it('prefers ELECTRON_OVERRIDE_DIST_PATH, as electron itself does', () => {
    const env = { ELECTRON_OVERRIDE_DIST_PATH: '/opt/electron' };
    const fs = files({ [`${electronDir}/path.txt`]: 'electron', [`${electronDir}/dist/electron`]: true, '/opt/electron/electron': true });
    expect(findElectronBinary({ env, electronDir, ...fs })).toEqual({ available: true, binary: '/opt/electron/electron' });
    expect(findElectronBinary({ env, electronDir: undefined, ...files({ '/opt/electron/electron': true }) })).toEqual({
      available: true,
      binary: '/opt/electron/electron',
    });
  });

  it('uses the platform name from path.txt under the override, and says where it looked', () => {
    const env = { ELECTRON_OVERRIDE_DIST_PATH: '/opt/electron' };
    const fs = files({ [`${electronDir}/path.txt`]: 'Electron.app/Contents/MacOS/Electron' });
    expect(findElectronBinary({ env, electronDir, ...fs })).toEqual({
      available: false,
      reason: 'no binary at /opt/electron/Electron.app/Contents/MacOS/Electron (ELECTRON_OVERRIDE_DIST_PATH)',
    });
  });

  it('does not count a file that cannot be executed', () => {
    const fs = files({ [`${electronDir}/path.txt`]: 'electron', [`${electronDir}/dist/electron`]: 'not executable' });
    expect(findElectronBinary({ env: {}, electronDir, ...fs }).available).toBe(false);
  });

  it('reports a missing electron package', () => {
    expect(findElectronBinary({ env: {}, electronDir: undefined, ...files({}) })).toEqual({ available: false, reason: 'the electron package is not installed' });
  });
});

describe('launch', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'backline-launch-'));
  });
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
    runBrowserShell.mockClear();
    rmSync(dir, { recursive: true, force: true });
  });

  it('without Electron, prints one line and starts the browser shell with the same arguments', async () => {
    vi.stubEnv('ELECTRON_OVERRIDE_DIST_PATH', dir); // an empty folder: no binary, whatever this machine has
    const stderr = vi.spyOn(console, 'error').mockImplementation(() => {});
    await launch(['--data-dir', '/tmp/x', '--port', '0']);
    expect(stderr.mock.calls).toEqual([[fallbackMessage(`no binary at ${join(dir, 'electron')} (ELECTRON_OVERRIDE_DIST_PATH)`)]]);
    expect(runBrowserShell).toHaveBeenCalledWith(['--data-dir', '/tmp/x', '--port', '0']);
  });

  it('says plainly that it falls back', () => {
    expect(fallbackMessage('no binary in node_modules/electron/dist')).toBe(
      'Electron is not available on this machine (no binary in node_modules/electron/dist); starting the browser shell instead.',
    );
  });

  it.skipIf(process.platform === 'win32')('with a binary, runs it on main.js with the arguments and exits with its code', async () => {
    // A stand-in executable (not Electron): it records its arguments and exits 3.
    const binary = join(dir, 'electron');
    writeFileSync(binary, `#!/bin/sh\nprintf '%s\\n' "$@" > '${join(dir, 'args')}'\nexit 3\n`);
    chmodSync(binary, 0o755);
    vi.stubEnv('ELECTRON_OVERRIDE_DIST_PATH', dir);
    const exited = new Promise<unknown>((resolve) => {
      vi.spyOn(process, 'exit').mockImplementation((code) => resolve(code) as never);
    });
    const sigtermListeners = process.listenerCount('SIGTERM');
    await launch(['--data-dir', '/tmp/x']);
    expect(await exited).toBe(3);
    const main = fileURLToPath(new URL('./main.js', import.meta.url));
    expect(readFileSync(join(dir, 'args'), 'utf8')).toBe(`${main}\n--data-dir\n/tmp/x\n`);
    expect(runBrowserShell).not.toHaveBeenCalled();
    expect(process.listenerCount('SIGTERM')).toBe(sigtermListeners); // stopped forwarding signals once it ended
  });
});
