/**
 * The memory watch against the lab's php1 (bash e2e/lab/up.sh): Debian's php-fpm with pools shop and
 * www, in a memory cgroup of its own (384M). Logged in as bl-tcsh (tcsh login shell), no sudo.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { WatchSample } from '../../../../shared/domain/php-scan.js';
import { labSuite } from '../../testing/lab-core.js';
import { labRemote } from '../heads/testing/lab-remote.js';
import { watchMemory } from './watch-memory.js';

const suite = labSuite('backline-php-watch-');
const closers: (() => void)[] = [];
afterEach(() => closers.splice(0).forEach((close) => close()));

/** Processes in php1's network namespace whose command line names the watch. */
function watchProcessesOnPhp1(): number[] {
  const pids = execFileSync('ip', ['netns', 'pids', 'bl-php1']).toString().split('\n').filter(Boolean);
  return pids.map(Number).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('backline-watch');
    } catch {
      return false;
    }
  });
}

describe('the memory watch on php1', () => {
  it('streams samples of the FPM pools and the cgroup from one command, and the stop kills it on the server', async () => {
    const { remote, server, audit, close } = await labRemote(suite, 'php1', 'bl-tcsh');
    closers.push(close);
    const abort = new AbortController();
    const seen: WatchSample[] = [];
    let runningDuring: number[] = [];
    const started = Date.now();
    const result = await watchMemory(remote, server, {
      intervalS: 1,
      signal: abort.signal,
      onSample: (sample) => {
        seen.push(sample);
        if (seen.length === 2) runningDuring = watchProcessesOnPhp1();
        if (seen.length === 3) abort.abort();
      },
    });
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(result.stopped).toBe('cancelled');
    expect(result.statements).toEqual([]);
    expect(result.unparsed).toEqual([]);
    expect(result.samples).toEqual(seen);
    expect(runningDuring.length).toBeGreaterThanOrEqual(1);
    const last = seen.at(-1)!;
    const shop = last.groups.find((g) => /^php-fpm8\.\d pool shop$/.test(g.name));
    expect(shop?.count).toBeGreaterThanOrEqual(1);
    expect(shop!.rssBytes).toBeGreaterThan(1024 * 1024);
    expect(last.groups.some((g) => /master$/.test(g.name))).toBe(true);
    expect(last.cgroups.map((c) => [c.path, c.maxBytes])).toContainEqual(['/backline-lab-php1', 384 * 1024 * 1024]);
    expect(last.memAvailableBytes).toBeGreaterThan(0);
    expect(seen[2]!.uptimeS - seen[1]!.uptimeS).toBeGreaterThan(0.8);
    // Killed with its process group on the server, not left looping.
    expect(await gone(runningDuring)).toEqual([]);
    expect(audit()[0]!.summary).toContain('Watching PHP memory every 1 s');
  });

  it('ends on the server by itself when the connection is lost mid-watch', async () => {
    const { app, remote, server, close } = await labRemote(suite, 'php1', 'bl-tcsh');
    closers.push(close);
    const abort = new AbortController();
    let running: number[] = [];
    let samples = 0;
    const result = await watchMemory(remote, server, {
      intervalS: 1,
      signal: abort.signal,
      onSample: () => {
        samples++;
        if (samples === 2) {
          running = watchProcessesOnPhp1();
          // The connection goes (as when the laptop sleeps): no kill can reach the server.
          void app.call('servers.disconnect', { id: server.id });
        }
      },
    });
    expect(running.length).toBeGreaterThanOrEqual(1);
    expect(result.stopped).toBe('error');
    expect(result.samples.length).toBeGreaterThanOrEqual(2);
    expect(result.statements[0]).toMatch(/^The memory watch on php1 stopped: /);
    expect(await gone(running)).toEqual([]);
  });
});

/** Waits (up to 8 s) for the given processes to end; returns the ones still there. */
async function gone(pids: number[]): Promise<number[]> {
  for (let i = 0; i < 40; i++) {
    const left = watchProcessesOnPhp1().filter((pid) => pids.includes(pid));
    if (left.length === 0) return [];
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return watchProcessesOnPhp1().filter((pid) => pids.includes(pid));
}
