import { chmodSync, closeSync, lstatSync, mkdirSync, openSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

export const APP_NAME = 'Backline';
export const DATA_DIR_ENV = 'BACKLINE_DATA_DIR';
export const WORKSPACE_DB_FILE = 'backline.sqlite';
export const REPORTING_DB_FILE = 'reporting.sqlite';

/**
 * Where the workspace lives unless told otherwise: the same folder Electron's app.getPath('userData')
 * gives, so the desktop app and the browser shell share one workspace.
 */
export function defaultDataDir(platform: NodeJS.Platform, env: NodeJS.ProcessEnv, home: string = homedir()): string {
  if (platform === 'win32') return join(env.APPDATA ?? join(home, 'AppData', 'Roaming'), APP_NAME);
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', APP_NAME);
  return join(env.XDG_CONFIG_HOME ?? join(home, '.config'), APP_NAME);
}

/** `--data-dir` wins over BACKLINE_DATA_DIR, which wins over the platform default. */
export function resolveDataDir(flag: string | undefined, env: NodeJS.ProcessEnv, platform: NodeJS.Platform): string {
  const chosen = flag ?? env[DATA_DIR_ENV];
  return chosen ? resolve(chosen) : defaultDataDir(platform, env);
}

/**
 * What Backline keeps is for this user only: notes, the audit log with command output, terminal
 * transcripts, saved reports and the reporting cache. Folders 0700, files 0600, whatever the umask.
 */
export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/** The files SQLite makes of a database besides the database itself. */
export const SQLITE_SIDE_FILES = ['-wal', '-shm', '-journal'] as const;

/** The user Backline runs as; null where file modes do not apply (Windows). */
function ownUid(): number | null {
  return typeof process.getuid === 'function' ? process.getuid() : null;
}

/**
 * Sets `mode` on a file or folder that is ours, and says whether it changed anything. A missing path,
 * a symlink (chmod would follow it to wherever it points) and another user's file are left alone.
 */
export function setPrivateMode(path: string, mode: number): boolean {
  const uid = ownUid();
  if (uid === null) return false;
  let stat;
  try {
    stat = lstatSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
  if (stat.isSymbolicLink() || stat.uid !== uid || (stat.mode & 0o777) === mode) return false;
  chmodSync(path, mode);
  return true;
}

/**
 * Creates a folder and any missing parents, each one it creates 0700 whatever the umask. A folder
 * that is there already is left as it is: secureDataDir tightens the data folder's own on start-up.
 */
export function makePrivateDir(dir: string): void {
  const first = mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  if (first === undefined) return;
  for (let at = resolve(dir); ; at = dirname(at)) {
    setPrivateMode(at, PRIVATE_DIR_MODE);
    if (at === resolve(first) || dirname(at) === at) break;
  }
}

/**
 * Before SQLite opens a database file: the file exists, 0600, and so do its -wal and -shm if they
 * are there. SQLite creates -wal and -shm with the database file's own mode, umask or not, so they
 * come out 0600 too.
 */
export function preparePrivateDatabase(file: string): void {
  makePrivateDir(dirname(file));
  closeSync(openSync(file, 'a', PRIVATE_FILE_MODE));
  for (const path of [file, ...SQLITE_SIDE_FILES.map((suffix) => file + suffix)]) setPrivateMode(path, PRIVATE_FILE_MODE);
}

/** What Backline keeps directly in the data folder. */
const DATA_FILES = [WORKSPACE_DB_FILE, REPORTING_DB_FILE, 'known_hosts', 'secrets.json', 'reporting-sources.json'];
/** Folders of its own in the data folder: spilled command output and transcripts, and saved reports. */
const DATA_DIRS = ['runs', 'reports'];

/**
 * On start-up, before anything is opened: the data folder 0700, and what Backline keeps in it that a
 * Backline before this one (or a umask of 000) left readable to others, set back to 0600 (files) and
 * 0700 (folders). Only what is ours; symlinks are not followed. Returns the paths it changed.
 */
export function secureDataDir(dir: string): string[] {
  const changed: string[] = [];
  makePrivateDir(dir);
  if (setPrivateMode(dir, PRIVATE_DIR_MODE)) changed.push(dir);
  for (const name of DATA_FILES) {
    for (const path of [join(dir, name), ...(name.endsWith('.sqlite') ? SQLITE_SIDE_FILES.map((suffix) => join(dir, name + suffix)) : [])]) {
      if (setPrivateMode(path, PRIVATE_FILE_MODE)) changed.push(path);
    }
  }
  for (const name of DATA_DIRS) {
    const sub = join(dir, name);
    let entries;
    try {
      if (lstatSync(sub).isSymbolicLink()) continue;
      entries = readdirSync(sub, { withFileTypes: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw error;
    }
    if (setPrivateMode(sub, PRIVATE_DIR_MODE)) changed.push(sub);
    for (const entry of entries) {
      const path = join(sub, entry.name);
      if (entry.isDirectory() ? setPrivateMode(path, PRIVATE_DIR_MODE) : entry.isFile() && setPrivateMode(path, PRIVATE_FILE_MODE)) changed.push(path);
    }
  }
  return changed;
}
