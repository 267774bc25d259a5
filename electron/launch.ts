import { spawn } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { runBrowserShell } from './web/cli.js';

export type ElectronBinary = { available: true; binary: string } | { available: false; reason: string };

export interface ElectronProbe {
  env: NodeJS.ProcessEnv;
  /** node_modules/electron, or undefined when the package is not installed. */
  electronDir: string | undefined;
  readText: (path: string) => string | undefined;
  isExecutable: (path: string) => boolean;
}

/**
 * Where the Electron binary is, found the way node_modules/electron/index.js finds it (path.txt, dist/,
 * ELECTRON_OVERRIDE_DIST_PATH) but without its fallback of downloading one, which cannot work here.
 */
export function findElectronBinary({ env, electronDir, readText, isExecutable }: ElectronProbe): ElectronBinary {
  const override = env.ELECTRON_OVERRIDE_DIST_PATH;
  if (electronDir === undefined && !override) return { available: false, reason: 'the electron package is not installed' };
  const executable = electronDir === undefined ? undefined : readText(join(electronDir, 'path.txt'))?.trim() || undefined;
  if (override) {
    const binary = join(override, executable ?? 'electron');
    return isExecutable(binary) ? { available: true, binary } : { available: false, reason: `no binary at ${binary} (ELECTRON_OVERRIDE_DIST_PATH)` };
  }
  if (executable === undefined) return { available: false, reason: 'no binary in node_modules/electron/dist' };
  const binary = join(electronDir!, 'dist', executable);
  return isExecutable(binary) ? { available: true, binary } : { available: false, reason: 'no binary in node_modules/electron/dist' };
}

export const fallbackMessage = (reason: string): string =>
  `Electron is not available on this machine (${reason}); starting the browser shell instead.`;

function electronDir(): string | undefined {
  try {
    return dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  } catch {
    return undefined;
  }
}

const readText = (path: string): string | undefined => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
};

const isExecutable = (path: string): boolean => {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

/** `npm start`: the desktop app when Electron is here, the browser shell when it is not. */
export async function launch(args: string[]): Promise<void> {
  const found = findElectronBinary({ env: process.env, electronDir: electronDir(), readText, isExecutable });
  if (!found.available) {
    console.error(fallbackMessage(found.reason));
    return runBrowserShell(args);
  }
  const main = fileURLToPath(new URL('./main.js', import.meta.url));
  const child = spawn(found.binary, [main, ...args], { stdio: 'inherit' });
  // Ctrl-C reaches the child through the terminal; a plain kill of this process should end it too.
  const forward = (signal: NodeJS.Signals): void => void child.kill(signal);
  process.on('SIGTERM', forward);
  process.on('SIGINT', forward);
  child.on('error', (error) => {
    console.error(`Backline could not start Electron at ${found.binary}: ${error.message}`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => {
    process.off('SIGTERM', forward);
    process.off('SIGINT', forward);
    process.exit(code ?? (signal ? 1 : 0));
  });
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  launch(process.argv.slice(2)).catch((error: unknown) => {
    console.error(`Backline could not start: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
