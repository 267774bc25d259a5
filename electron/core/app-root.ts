import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project folder (the one with Backline's package.json), found from wherever this file was built to. */
export function appRoot(from: string = fileURLToPath(import.meta.url)): string {
  let dir = dirname(from);
  for (;;) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate) && (JSON.parse(readFileSync(candidate, 'utf8')) as { name?: string }).name === 'backline') {
      return dir;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`Backline's package.json was not found above ${from}.`);
    dir = parent;
  }
}

export function appVersion(root: string = appRoot()): string {
  return (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
}

/** Where `vite build` puts the renderer. */
export const rendererDir = (root: string = appRoot()): string => join(root, 'build', 'renderer');
