import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseKernelOom, stampOf } from './kernel-oom.js';

const fixture = (name: string) => readFileSync(join(import.meta.dirname, 'fixtures', name), 'utf8').trimEnd().split('\n');
const noClock = { nowS: null, uptimeS: null };

describe('parseKernelOom', () => {
  it('reads 6.18 memcg kills from dmesg (real: a PHP CLI in a 96 MiB cgroup, FPM workers of php1), dated from the uptime', () => {
    const lines = fixture('kernel.dmesg.6.18-memcg.txt');
    const { events, unparsed } = parseKernelOom(lines, 'dmesg', { nowS: 1796173964, uptimeS: 9339 });
    expect(unparsed).toEqual([]);
    expect(events.length).toBe(lines.filter((l) => l.includes('Killed process')).length);
    expect(events.every((e) => e.cgroup && e.constraint === 'CONSTRAINT_MEMCG' && e.lines.length >= 2 && e.rssBytes !== null)).toBe(true);
    const killed = lines.find((l) => l.includes('Killed process')) ?? '';
    const [, seconds = '', pid = '', name = '', anon = '', file = '', shmem = ''] = /^\[\s*([\d.]+)\] .*Killed process (\d+) \((.+?)\) total-vm:\d+kB, anon-rss:(\d+)kB, file-rss:(\d+)kB, shmem-rss:(\d+)kB/.exec(killed) ?? [];
    const first = events[0];
    expect(first).toMatchObject({ pid: Number(pid), process: name, at: `[${seconds}]` });
    expect(first?.anonRssBytes).toBe(Number(anon) * 1024);
    expect(first?.rssBytes).toBe((Number(anon) + Number(file) + Number(shmem)) * 1024);
    expect(first?.memcg).toMatch(/^\/(blm-fix|backline-lab-php1)$/);
    expect(first?.atIso).toBe(new Date(Math.round((1796173964 - 9339 + Number(seconds)) * 1000)).toISOString());
  });

  it('reads 2.6 (RHEL 6) "Kill process ... or sacrifice child" and "Killed process N, UID N, (name)"', () => {
    const { events, unparsed } = parseKernelOom(fixture('kernel.dmesg.2.6-rhel6.hand.txt'), 'dmesg', noClock);
    expect(unparsed).toEqual([]);
    expect(events.map((e) => [e.pid, e.process, e.uid, e.cgroup, e.anonRssBytes, e.shmemRssBytes])).toEqual([
      [2592, 'php-fpm', 48, false, 254100 * 1024, null],
      [2610, 'php-fpm', 48, false, 243652 * 1024, null],
    ]);
    expect(events[0]?.lines[0]).toContain('invoked oom-killer');
    expect(events[0]?.atIso).toBeNull();
  });

  it('reads 3.10 memcg kills ("Task in ... killed as a result of limit of ...") and a global one after it', () => {
    const { events, unparsed } = parseKernelOom(fixture('kernel.dmesg.3.10-memcg.hand.txt'), 'dmesg', noClock);
    expect(unparsed).toEqual([]);
    expect(events.map((e) => [e.pid, e.cgroup, e.memcg, e.shmemRssBytes])).toEqual([
      [31704, true, '/system.slice/php-fpm.service', 1024 * 1024],
      [31755, false, null, null],
    ]);
  });

  it('reads 4.19 from the journal (-o short-iso, +0000 offsets): summary, kill and oom_reaper in one event', () => {
    const { events, unparsed } = parseKernelOom(fixture('kernel.journal.4.19-debian10.hand.txt'), 'journal', noClock);
    expect(unparsed).toEqual([]);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ pid: 18231, process: 'php-fpm7.3', uid: 33, cgroup: false, constraint: 'CONSTRAINT_NONE', atIso: '2026-11-30T09:12:41.000Z', source: 'journal' });
    expect(events[0]?.lines).toHaveLength(5);
  });

  it('reads 5.10 kern.log lines, syslog and RFC 3339 prefixes, with the kernel stamp inside', () => {
    const { events, unparsed } = parseKernelOom(fixture('kernel.kern-log.5.10-debian11.hand.txt'), 'kern.log', noClock);
    expect(unparsed).toEqual([]);
    expect(events.map((e) => [e.pid, e.cgroup, e.memcg, e.uid, e.at, e.atIso])).toEqual([
      [40218, true, '/system.slice/php7.4-fpm.service', 33, 'Dec  1 23:58:02', null],
      [40391, false, null, 33, '2026-12-02T00:41:17.482131+00:00', '2026-12-02T00:41:17.482Z'],
    ]);
    expect(events[0]?.rssBytes).toBe((262144 + 15420 + 8192) * 1024);
  });

  it('keeps a line it does not know, and an episode that never named its victim, as unparsed', () => {
    const { events, unparsed } = parseKernelOom(['[ 12.5] Out of memory and no killable processes...', '[ 13.0] php invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0'], 'dmesg', noClock);
    expect(events).toEqual([]);
    expect(unparsed.map((u) => u.line)).toEqual(['[ 12.5] Out of memory and no killable processes...', '[ 13.0] php invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0']);
  });

  it('stamps: dmesg, journal, syslog', () => {
    expect(stampOf('[ 1.5] x', { nowS: 100, uptimeS: 10 })).toEqual({ at: '[1.5]', atIso: new Date(91500).toISOString(), message: 'x' });
    expect(stampOf('2026-12-02T01:00:00+0100 h kernel: x', noClock)?.atIso).toBe('2026-12-02T00:00:00.000Z');
    expect(stampOf('Dec  2 01:00:00 h kernel: [ 5.1] x', noClock)).toEqual({ at: 'Dec  2 01:00:00', atIso: null, message: 'x' });
    expect(stampOf('no stamp', noClock)).toBeNull();
  });
});
