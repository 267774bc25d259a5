import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { modeOf, underUmask000 } from '../testing/file-modes.js';
import { tempDir } from '../testing/temp-dir.js';
import { BoundedOutput } from './bounded-output.js';

const dirs: { remove(): void }[] = [];
afterEach(() => dirs.splice(0).forEach((d) => d.remove()));
underUmask000();

describe('BoundedOutput', () => {
  it('keeps small output whole', () => {
    const out = new BoundedOutput({ headBytes: 10, tailBytes: 10 });
    out.write(Buffer.from('hello '));
    out.write(Buffer.from('world'));
    expect(out.result()).toEqual({ text: 'hello world', totalBytes: 11, truncated: false, fullOutputFile: null });
  });

  it('keeps the head and the tail of large output with a visible marker, and the whole in the spill file', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const spillFile = join(dir.path, 'runs', 'r1.out');
    const out = new BoundedOutput({ headBytes: 8, tailBytes: 8, spillFile });
    const lines = Array.from({ length: 1000 }, (_, i) => `line ${i}\n`);
    for (const line of lines) out.write(Buffer.from(line));
    await out.finish();
    const result = out.result();
    expect(result.truncated).toBe(true);
    expect(result.text.startsWith('line 0\nl')).toBe(true);
    expect(result.text.endsWith('line 999\n'.slice(-8))).toBe(true);
    expect(result.text).toContain(`cut by Backline; full output in ${spillFile}`);
    expect(readFileSync(spillFile, 'utf8')).toBe(lines.join(''));
    // Command output is for this user only, whatever the umask.
    expect([modeOf(dirname(spillFile)), modeOf(spillFile)]).toEqual([0o700, 0o600]);
  });

  it('holds a bounded amount in memory however much is written', () => {
    const out = new BoundedOutput({ headBytes: 1024, tailBytes: 1024 });
    const chunk = Buffer.alloc(64 * 1024, 'x');
    for (let i = 0; i < 3200; i++) out.write(chunk); // 200 MiB
    const result = out.result();
    expect(result.totalBytes).toBe(200 * 1024 * 1024);
    expect(result.text.length).toBeLessThan(2048 + 200);
    expect(result.text).toContain('the middle was not kept');
  });
});
