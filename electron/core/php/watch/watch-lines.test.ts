import { spawn } from 'node:child_process';
import { chmodSync, copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { watchSampleSchema, type WatchSample } from '../../../../shared/domain/php-scan.js';
import { tempDir } from '../../testing/temp-dir.js';
import { initialWatchState, readWatchLine, splitLines } from './watch-lines.js';
import { WATCH_AWK, WATCH_SCRIPT } from './watch-script.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

function readAll(text: string, chunkSize = 7) {
  let state = initialWatchState();
  let carry = '';
  const samples: WatchSample[] = [];
  const unparsed: string[] = [];
  for (let i = 0; i < text.length; i += chunkSize) {
    const split = splitLines(carry, text.slice(i, i + chunkSize));
    carry = split.carry;
    for (const line of split.lines) {
      const read = readWatchLine(state, line);
      state = read.state;
      if (read.sample) samples.push(read.sample);
      if (read.unparsed) unparsed.push(read.unparsed);
    }
  }
  return { samples, unparsed, carry };
}

describe('reading the memory watch', () => {
  it('reads FPM pools, the master and the cgroup from real samples, in chunks that cut lines anywhere', () => {
    const { samples, unparsed, carry } = readAll(fixture('watch.lab-host-php1-fpm.txt'));
    expect(unparsed).toEqual([]);
    expect(carry).toBe('');
    expect(samples).toHaveLength(3);
    const [first] = samples;
    expect(first!.at).toBe(new Date(1796174428 * 1000).toISOString());
    expect(first!.groups.map((g) => [g.name, g.count])).toEqual([
      ['php-fpm8.2 master', 1],
      ['php-fpm8.2 pool shop', 2],
      ['php-fpm8.2 pool www', 2],
    ]);
    expect(first!.workerCount).toBe(5);
    expect(first!.rssBytes).toBe(first!.groups.reduce((n, g) => n + g.rssBytes, 0));
    expect(first!.cgroups.map((c) => [c.path, c.maxBytes])).toEqual([['/backline-lab-php1', 402653184]]);
    expect(first!.cgroups[0]!.currentBytes).toBeGreaterThan(0);
    expect(first!.memTotalBytes).toBe(24683652 * 1024);
    expect(samples[1]!.uptimeS - samples[0]!.uptimeS).toBeGreaterThan(0.9);
    for (const s of samples) expect(() => watchSampleSchema.parse(s)).not.toThrow();
  });

  it('keeps what it does not understand, notes a sample cut short, and reads no limit as null', () => {
    const text = ['noise before', 'S 1796174375 10.5', 'M 100 50 0 0', 'S 1796174376 11.5', 'M 100 0 0 0', 'G 3 300 200 php', 'C 4096 9223372036854771712 /user.slice', 'X what', 'E', ''].join('\n');
    const { samples, unparsed } = readAll(text, 1000);
    expect(unparsed).toEqual(['noise before', `a sample from ${new Date(1796174375000).toISOString()} was cut short`, 'X what']);
    expect(samples).toEqual([
      {
        at: new Date(1796174376000).toISOString(),
        uptimeS: 11.5,
        groups: [{ name: 'php', count: 3, rssBytes: 300, maxRssBytes: 200 }],
        workerCount: 3,
        rssBytes: 300,
        memTotalBytes: 102400,
        memAvailableBytes: null,
        swapTotalBytes: 0,
        swapFreeBytes: 0,
        cgroups: [{ path: '/user.slice', currentBytes: 4096, maxBytes: null }],
      },
    ]);
  });
});

describe('the watch script, run here by /bin/sh against this machine /proc', () => {
  it('streams a sample per interval, sees a php process started for the test, and stops when killed', async () => {
    // A process named php of our own (sleep under that name: no PHP needed here), so there is one to see.
    const dir = tempDir('backline-watch-');
    copyFileSync('/bin/sleep', join(dir.path, 'php'));
    chmodSync(join(dir.path, 'php'), 0o755);
    const php = spawn(join(dir.path, 'php'), ['20'], { stdio: 'ignore' });
    const watch = spawn('/bin/sh', ['-c', WATCH_SCRIPT, 'backline-watch', '0.5', WATCH_AWK], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let state = initialWatchState();
    let carry = '';
    const samples: WatchSample[] = [];
    const unparsed: string[] = [];
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`only ${samples.length} samples in 8 s`)), 8000);
        watch.stdout.on('data', (chunk: Buffer) => {
          const split = splitLines(carry, chunk.toString());
          carry = split.carry;
          for (const line of split.lines) {
            const read = readWatchLine(state, line);
            state = read.state;
            if (read.unparsed) unparsed.push(read.unparsed);
            if (read.sample) samples.push(read.sample);
          }
          if (samples.length >= 3) {
            clearTimeout(timer);
            resolve();
          }
        });
      });
    } finally {
      process.kill(-watch.pid!, 'SIGTERM');
      php.kill();
      dir.remove();
    }
    expect(unparsed).toEqual([]);
    const cli = samples.at(-1)!.groups.find((g) => g.name === 'php');
    expect(cli?.count).toBeGreaterThanOrEqual(1);
    expect(cli!.rssBytes).toBeGreaterThan(100 * 1024);
    expect(samples.at(-1)!.memAvailableBytes).toBeGreaterThan(0);
    const step = samples[2]!.uptimeS - samples[1]!.uptimeS;
    expect(step).toBeGreaterThanOrEqual(0.45);
    expect(step).toBeLessThan(2);
    const code = await new Promise<number | null>((resolve) => (watch.exitCode !== null || watch.signalCode !== null ? resolve(watch.exitCode) : watch.on('exit', (c) => resolve(c))));
    expect(code === null || code === 0 || code === 143).toBe(true);
  });
});
