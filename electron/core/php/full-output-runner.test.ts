import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../testing/temp-dir.js';
import { readBack } from './full-output-runner.js';

const dirs: { remove(): void }[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) dir.remove();
});

describe('readBack', () => {
  it('gives the caller the whole output from the spill file, as much as it asked to keep', () => {
    const dir = tempDir();
    dirs.push(dir);
    const file = join(dir.path, 'php-x.stdout');
    const full = Array.from({ length: 5000 }, (_, i) => `line ${i}`).join('\n');
    writeFileSync(file, full);
    const kept = { text: 'head…tail', totalBytes: full.length, truncated: true, fullOutputFile: file };
    expect(readBack(kept, 1024 * 1024, 0)).toEqual({ text: full, totalBytes: full.length, truncated: false, fullOutputFile: file });
    const bounded = readBack(kept, 100, 50);
    expect(bounded.truncated).toBe(true);
    expect(bounded.text.startsWith(full.slice(0, 100))).toBe(true);
    expect(bounded.text.endsWith(full.slice(-50))).toBe(true);
    expect(bounded.text).toContain(`full output in ${file}`);
  });

  it('leaves output that was never spilled as it is', () => {
    const kept = { text: 'short', totalBytes: 5, truncated: false, fullOutputFile: null };
    expect(readBack(kept, 10, 10)).toBe(kept);
  });
});
