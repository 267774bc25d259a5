import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

export const APP_NAME = 'Backline';
export const DATA_DIR_ENV = 'BACKLINE_DATA_DIR';
export const WORKSPACE_DB_FILE = 'backline.sqlite';

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
