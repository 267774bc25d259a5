import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseCgroup, parseMeminfo } from './machine.js';

describe('parseMeminfo', () => {
  it('reads this machine\'s /proc/meminfo (real) as the probe greps it', () => {
    const lines = readFileSync('/proc/meminfo', 'utf8').split('\n').filter((l) => /^(MemTotal|MemAvailable|SwapTotal|SwapFree):/.test(l));
    const { memory, unparsed } = parseMeminfo(lines);
    expect(unparsed).toEqual([]);
    const total = Number(/^MemTotal:\s+(\d+) kB/m.exec(lines.join('\n'))?.[1]);
    expect(memory?.totalBytes).toBe(total * 1024);
    expect(memory?.availableBytes).toBeGreaterThan(0);
  });

  it('has no picture without MemTotal, and keeps what it cannot read', () => {
    expect(parseMeminfo(['grep: /proc/meminfo: No such file or directory'])).toEqual({ memory: null, unparsed: [{ section: 'meminfo', line: 'grep: /proc/meminfo: No such file or directory' }] });
  });
});

describe('parseCgroup', () => {
  it('cgroup v1 (real, as the probe printed it): the memory controller line and the limit, use and OOM kills', () => {
    const { cgroup, unparsed } = parseCgroup(['9:name=systemd:/', '4:memory:/blm-fix', '3:cpuset:/', '0::/', 'v1 /sys/fs/cgroup/memory/blm-fix max=100663296 current=11018240 oom_kill=1']);
    expect(unparsed).toEqual([]);
    expect(cgroup).toEqual({ version: 1, path: '/blm-fix', limitBytes: 100663296, currentBytes: 11018240, oomKills: 1 });
  });

  it("cgroup v1 without a limit (9223372036854771712) and v2's max", () => {
    expect(parseCgroup(['4:memory:/', 'v1 /sys/fs/cgroup/memory max=9223372036854771712 current=1550479360 oom_kill=0']).cgroup?.limitBytes).toBeNull();
    expect(parseCgroup(['0::/system.slice/php8.2-fpm.service', 'v2 /sys/fs/cgroup/system.slice/php8.2-fpm.service max=max current=52183040 oom_kill=0']).cgroup).toEqual({
      version: 2,
      path: '/system.slice/php8.2-fpm.service',
      limitBytes: null,
      currentBytes: 52183040,
      oomKills: 0,
    });
    expect(parseCgroup(['0::/backline-lab-php1', 'v2 /sys/fs/cgroup/backline-lab-php1 max=402653184 current=20000 ']).cgroup).toMatchObject({ limitBytes: 402653184, oomKills: null });
  });

  it('no summary line: no cgroup (the probe said why, in its cannot line)', () => {
    expect(parseCgroup(['4:memory:/blm-fix']).cgroup).toBeNull();
  });
});
