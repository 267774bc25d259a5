import { lstatSync } from 'node:fs';
import { afterAll, beforeAll } from 'vitest';

/** A path's permission bits, as ls shows them in octal (0o600). */
export const modeOf = (path: string): number => lstatSync(path).mode & 0o777;

/** Runs a file's tests under umask 000, where anything created without its own mode is world-readable. */
export function underUmask000(): void {
  let previous = 0;
  beforeAll(() => {
    previous = process.umask(0o000);
  });
  afterAll(() => {
    process.umask(previous);
  });
}
