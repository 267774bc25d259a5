import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { memoryPictureSchema } from '../../../../shared/domain/php-memory.js';
import { buildMemoryPicture } from './picture.js';
import { splitProbeSections } from './sections.js';

const fixture = (name: string) => readFileSync(join(import.meta.dirname, 'fixtures', name), 'utf8');
const readAt = '2026-12-02T01:30:00.000Z';

describe('splitProbeSections', () => {
  it('opens a section per header with its arguments, files cannot lines under it, drops blank lines', () => {
    const { sections, before } = splitProbeSections('noise\n##bl:fpm-master 12  /etc/php.conf\nline\n\n##bl:cannot it failed\n##bl:end\n');
    expect(before).toEqual(['noise']);
    expect(sections).toEqual([
      { name: 'fpm-master', args: ['12', '', '/etc/php.conf'], lines: ['line'], cannot: ['it failed'] },
      { name: 'end', args: [], lines: [], cannot: [] },
    ]);
  });
});

describe('buildMemoryPicture', () => {
  it('a server running FPM, probed as root (real): pools with their effective limits, workers, cgroup, logs, status page', () => {
    const picture = memoryPictureSchema.parse(buildMemoryPicture(fixture('probe.fpm-running.root.txt'), readAt));
    expect(picture.unparsed).toEqual([]);
    expect(picture.access).toEqual({ user: 'root', root: true, sudo: false });
    expect(picture.phpFound).toBe(true);
    expect(picture.clis.map((c) => c.binary)).toEqual(['php']);

    const master = picture.fpmMasters.find((m) => m.configPath === '/tmp/blm-fix/php-fpm.conf');
    expect(master).toMatchObject({ binary: '/usr/sbin/php-fpm8.2', phpIni: '/etc/php/8.2/fpm/php.ini', cgroup: { version: 1, path: '/blm-fix', limitBytes: 96 * 1024 * 1024, oomKills: expect.any(Number) as unknown } });

    const running = picture.pools.filter((p) => p.masterPid === master?.pid);
    const www = running.find((p) => p.name === 'www');
    const api = running.find((p) => p.name === 'api');
    expect(www?.settings.find((s) => s.name === 'memory_limit')).toEqual({ name: 'memory_limit', value: '64M', bytes: 64 * 1024 * 1024, source: { kind: 'php_admin_value', file: '/tmp/blm-fix/pool.d/www.conf' } });
    expect(www?.settings.find((s) => s.name === 'default_socket_timeout')?.source).toEqual({ kind: 'ini', file: '/etc/php/8.2/fpm/php.ini' });
    expect(api?.settings.find((s) => s.name === 'memory_limit')?.source.kind).toBe('php_value');
    // pm = static, 3 children: all three run; api (dynamic) starts one.
    expect(www).toMatchObject({ pm: 'static', maxChildren: 3, statusPath: '/fpm-status', slowlog: '/tmp/blm-fix/www-slow.log', worstCaseBytes: 3 * 64 * 1024 * 1024 });
    expect(www?.workers.count).toBe(3);
    expect(www?.workers.pssBytes).not.toBeNull();
    expect(api?.worstCaseBytes).toBe(2 * 256 * 1024 * 1024);
    expect(picture.worstCaseBytes).toBe(3 * 64 * 1024 * 1024 + 2 * 256 * 1024 * 1024);

    expect(picture.cliDiffers).toContainEqual({ name: 'memory_limit', cli: '-1', cliBinary: 'php', pool: 'www', poolValue: '64M' });
    expect(picture.findings.some((f) => f.startsWith('memory_limit differs: the CLI (php) has -1, FPM pool www runs with 64M'))).toBe(true);
    expect(picture.findings.some((f) => f.includes('exceed the memory they can have (96.0 MiB, the FPM cgroup limit)'))).toBe(true);

    expect(picture.memoryExhausted).toContainEqual(expect.objectContaining({ file: '/tmp/blm-fix/site/eat.php', line: 2, limitBytes: 64 * 1024 * 1024, count: 3 }));
    expect(picture.childSignals).toContainEqual(expect.objectContaining({ pool: 'www', signal: 'SIGKILL', count: 1 }));
    expect(picture.maxChildrenReached).toContainEqual(expect.objectContaining({ pool: 'api', count: 1 }));
    expect(picture.slowlog.map((s) => s.scriptFilename)).toEqual(['/tmp/blm-fix/site/slow.php']);
    expect(picture.oomEvents.some((e) => e.memcg === '/blm-fix' && e.cgroup)).toBe(true);
    // Both pools' status pages, through their own sockets (a Unix socket and 127.0.0.1:9001): nginx exposes only www's.
    expect(picture.fpmStatus.map((s) => [s.pool, s.via, s.problem, s.totalProcesses])).toEqual([
      ['api', 'php-fcgi', null, expect.any(Number) as unknown],
      ['www', 'php-fcgi', null, 3],
    ]);
    expect(picture.logs.map((l) => l.path)).toEqual(expect.arrayContaining(['dmesg', '/tmp/blm-fix/fpm.log', '/tmp/blm-fix/www-error.log', '/tmp/blm-fix/www-slow.log']));
    // php1's FPM (another mount namespace, shared pid namespace in the lab) is seen but not counted.
    expect(picture.processes.every((p) => !p.args.includes('pool shop'))).toBe(true);
  });

  it('the same server probed by a user without sudo (real): what it could not read, said plainly', () => {
    const picture = memoryPictureSchema.parse(buildMemoryPicture(fixture('probe.fpm-running.nobody.txt'), readAt));
    expect(picture.unparsed).toEqual([]);
    expect(picture.access).toEqual({ user: 'nobody', root: false, sudo: false });
    expect(picture.couldNotCheck).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^run as nobody without root, and sudo -n does not work here/) as unknown,
        expect.stringMatching(/^the kernel log cannot be read/) as unknown,
        expect.stringMatching(/^PSS \(the memory a process really holds/),
      ]) as unknown,
    );
    // Pools are still read from their files, and the FPM ini from the binary.
    expect(picture.pools.find((p) => p.file === '/tmp/blm-fix/pool.d/www.conf')?.settings.find((s) => s.name === 'memory_limit')?.value).toBe('64M');
    expect(picture.oomEvents).toEqual([]);
    // www's socket is www-data's: the PHP client is refused, and nginx's status location answers instead.
    expect(picture.fpmStatus.map((s) => [s.pool, s.via, s.problem])).toEqual([
      ['api', 'php-fcgi', null],
      ['www', 'curl', null],
    ]);
  });

  it('a server with no PHP at all (real: BusyBox only): says so, and is not an error', () => {
    const picture = memoryPictureSchema.parse(buildMemoryPicture(fixture('probe.no-php.busybox.txt'), readAt));
    expect(picture.unparsed).toEqual([]);
    expect(picture.phpFound).toBe(false);
    expect(picture.clis).toEqual([]);
    expect(picture.pools).toEqual([]);
    expect(picture.findings).toContain('No PHP was found on this server: no php CLI, no php-fpm (running or configured) and no Apache mod_php.');
    expect(picture.couldNotCheck).toEqual(expect.arrayContaining([expect.stringMatching(/^no php CLI binary was found/) as unknown, 'no php-fpm master process is running on this system']));
  });

  it("the lab's php1 as bl-tcsh with sudo -n (real): the shop pool's 96M against the CLI's -1, its cgroup, its OOM kills, its errors by file:line", () => {
    const picture = memoryPictureSchema.parse(buildMemoryPicture(fixture('probe.php1-lab.bl-tcsh.txt'), readAt));
    expect(picture.unparsed).toEqual([]);
    expect(picture.couldNotCheck).toEqual([]);
    expect(picture.access).toEqual({ user: 'bl-tcsh', root: false, sudo: true });
    const [master] = picture.fpmMasters;
    expect(master?.cgroup).toMatchObject({ version: 1, path: '/backline-lab-php1', limitBytes: 384 * 1024 * 1024 });
    const shop = picture.pools.find((p) => p.name === 'shop');
    expect(shop).toMatchObject({ masterPid: master?.pid, maxChildren: 8, statusPath: '/fpm-status', worstCaseBytes: 8 * 96 * 1024 * 1024 });
    expect(shop?.workers.count).toBe(picture.processes.filter((p) => p.pool === 'shop').length);
    expect(picture.cliDiffers).toContainEqual({ name: 'memory_limit', cli: '-1', cliBinary: 'php', pool: 'shop', poolValue: '96M' });
    expect(picture.fpmStatus).toEqual([expect.objectContaining({ pool: 'shop', via: 'php-fcgi', problem: null }) as unknown]);
    expect(picture.memoryExhausted.find((e) => e.file === '/srv/www/shop/lib/feed.php')?.limitBytes).toBe(96 * 1024 * 1024);
    expect(picture.oomEvents.some((e) => e.memcg === '/backline-lab-php1')).toBe(true);
    expect(picture.findings.some((f) => /^\d+ of them in the memory cgroup of php-fpm master \d+ \(\/backline-lab-php1\)/.test(f))).toBe(true);
  });

  it("the lab's web1 as bl-tcsh (real): FPM installed, not running; php1's FPM in the shared ps is another system's", () => {
    const picture = memoryPictureSchema.parse(buildMemoryPicture(fixture('probe.web1-lab.bl-tcsh.txt'), readAt));
    expect(picture.unparsed).toEqual([]);
    expect(picture.fpmMasters).toEqual([]);
    expect(picture.processes).toEqual([]);
    expect(picture.couldNotCheck).toEqual(['no php-fpm master process is running on this system']);
    expect(picture.findings).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^\d+ PHP processes \(1 php-fpm master\) run in another network namespace or from another root \(a container\)/) as unknown,
        'php-fpm is configured (pool www) but no php-fpm master process is running.',
      ]),
    );
  });

  it('a RHEL-style server (hand-written from real formats): mod_php, FPM logging to syslog, swap in use, a global OOM kill', () => {
    const picture = memoryPictureSchema.parse(buildMemoryPicture(fixture('probe.rhel-modphp-syslog.hand.txt'), readAt));
    expect(picture.unparsed).toEqual([]);
    expect(picture.apache).toMatchObject({ found: true, modPhp: 'php7_module' });
    expect(picture.apache.settings?.map((x) => [x.name, x.value, x.source.kind])).toEqual([
      ['memory_limit', '256M', 'ini'],
      ['max_execution_time', '30', 'default'],
      ['default_socket_timeout', '60', 'default'],
      ['allow_url_fopen', 'On', 'ini'],
      ['allow_url_include', 'Off', 'default'],
    ]);
    expect(picture.processes.filter((p) => p.role === 'apache')).toHaveLength(3);
    expect(picture.phpTotal).toEqual({ count: 5, rssBytes: (21104 + 187320 + 201004 + 12240 + 30112) * 1024, pssBytes: (9120 + 160222 + 171180 + 4010 + 20011) * 1024 });
    expect(picture.fpmMasters[0]?.cgroup?.limitBytes).toBeNull();
    const www = picture.pools.find((p) => p.name === 'www');
    expect(www).toMatchObject({ pm: 'ondemand', maxChildren: 50, worstCaseBytes: 50 * 128 * 1024 * 1024 });
    expect(picture.cliDiffers).toEqual([{ name: 'max_execution_time', cli: '0', cliBinary: 'php', pool: 'www', poolValue: '30' }]);
    expect(picture.couldNotCheck).toEqual(
      expect.arrayContaining([
        'FPM (/etc/php-fpm.conf) logs to syslog: its children killed by a signal and "server reached pm.max_children" were not read.',
        'Pool www sends PHP\'s errors to syslog: its "Allowed memory size" errors were not read.',
      ]),
    );
    expect(picture.findings).toEqual(
      expect.arrayContaining([
        "PHP's 5 processes hold 441.2 MiB RSS (356.0 MiB PSS) of MemTotal 1.9 GiB; MemAvailable 305.5 MiB; swap 512.0 MiB used of 1024.0 MiB.",
        'All pools at their worst (6.3 GiB) exceed the memory they can have (1.9 GiB, MemTotal): the OOM killer, not memory_limit, decides what happens.',
      ]),
    );
    expect(picture.oomEvents).toEqual([expect.objectContaining({ pid: 929, process: 'httpd', cgroup: false, atIso: '2026-12-01T09:12:41.000Z' }) as unknown]);
    expect(picture.memoryExhausted).toEqual([expect.objectContaining({ file: '/var/www/html/lib/feed.php', line: 18, count: 1 }) as unknown]);
  });

  it("counts the workers of a pool with chroot = (another root) as this system's, when their master is", () => {
    const output = [
      '##bl:ps',
      '  PID  PPID USER                               RSS    VSZ ELAPSED COMMAND',
      '  100     1 root                              8000 200000     500 php-fpm: master process (/etc/php/8.2/fpm/php-fpm.conf)',
      '  101   100 www-data                         20000 210000     500 php-fpm: pool jail',
      '  200     1 root                              8000 200000     500 php-fpm: master process (/etc/php/8.2/fpm/php-fpm.conf)',
      '  201   200 www-data                         20000 210000     500 php-fpm: pool www',
      '##bl:pss',
      '100 Pss: 1000 kB',
      '100 ns=same',
      '101 Pss: 2000 kB',
      '101 ns=other',
      '200 Pss: 1000 kB',
      '200 ns=other',
      '201 Pss: 2000 kB',
      '201 ns=other',
      '##bl:end',
    ].join('\n');
    const picture = buildMemoryPicture(output, readAt);
    expect(picture.processes.map((p) => p.pid)).toEqual([100, 101]);
    expect(picture.findings[0]).toMatch(/^2 PHP processes \(1 php-fpm master\) run in another network namespace/);
  });

  it('keeps unknown sections and stray lines as unparsed', () => {
    const picture = buildMemoryPicture('before\n##bl:access\nuid=1000 user=ann root=sudo now=1 uptime=1 host=h\n##bl:mystery x\nwhat is this\n##bl:end\n', readAt);
    expect(picture.access).toEqual({ user: 'ann', root: false, sudo: true });
    expect(picture.unparsed).toEqual([
      { section: '(before the first section)', line: 'before' },
      { section: 'mystery', line: 'what is this' },
    ]);
  });
});
