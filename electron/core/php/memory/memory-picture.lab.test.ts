/**
 * The PHP memory picture against the lab (e2e/lab: `sudo bash e2e/lab/up.sh`, as root), through the
 * contract as the PHP tab reads it, logged in as bl-tcsh (login shell tcsh, sudo -n): web1 has PHP
 * installed and no FPM running; php1 (e2e/lab/php/README.md) runs nginx and php-fpm in a memory
 * cgroup of its own, with a pool whose memory_limit differs from the CLI's, and a site that fetches
 * feeds.lab.test whole.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { LAB_JSON } from '../../../../e2e/lab/lab.js';
import type { MemoryPicture } from '../../../../shared/domain/php-memory.js';
import { connectTrusting, labSuite } from '../../testing/lab-core.js';
import { phpSite, readLabPhp, type PhpSite } from '../testing/php-site.js';
import { MEMORY_PROBE_PURPOSE } from './read-memory-picture.js';

const suite = labSuite('backline-phpmem-home-');

/** php1 is the php-lab's host: its lab.json entry exists only once up.sh has set it up. */
const php1Up = (() => {
  try {
    return existsSync(LAB_JSON) && readLabPhp().host === 'php1';
  } catch {
    return false;
  }
})();

/** A ticket with `label` on it, logged in as bl-tcsh with its key. */
async function setup(ticketId: string, label: string) {
  const app = suite.open({ connectTimeoutMs: 8000 });
  await app.call('tickets.create', { id: ticketId, title: 'The server keeps dying' });
  const user = suite.lab.users.find((u) => u.name === 'bl-tcsh')!;
  const host = suite.lab.hosts.find((h) => h.name === label)!;
  const keyFile = suite.lab.keys.find((k) => k.name === user.keys[0])!.privateKey;
  const server = await app.call('servers.add', { ticketId, label, host: host.address, user: user.name, auth: 'key', keyFile });
  await connectTrusting(app, server.id);
  return { ...app, server, ticketId };
}

async function picture(app: Awaited<ReturnType<typeof setup>>): Promise<MemoryPicture> {
  return app.call('php.memory', { serverId: app.server.id });
}

/** PHP-FPM's processes as this machine sees them (the lab's hosts share its PID namespace). */
function fpmProcesses(): { pid: number; ppid: number; args: string }[] {
  return execFileSync('ps', ['-eo', 'pid=,ppid=,args='])
    .toString()
    .split('\n')
    .map((line) => /^\s*(\d+)\s+(\d+)\s+(php-fpm.*)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ pid: Number(m[1]), ppid: Number(m[2]), args: m[3]!.trim() }));
}

describe('the PHP memory picture on web1 (PHP installed, no FPM running)', () => {
  it('says plainly that no FPM runs there, shows the CLI and the configured pool, and is on the record', async () => {
    const app = await setup('TKT-61001', 'web1');
    const seen = await picture(app);
    expect(seen.access).toEqual({ user: 'bl-tcsh', root: false, sudo: true });
    expect(seen.phpFound).toBe(true);
    expect(seen.fpmMasters).toEqual([]);
    expect(seen.couldNotCheck).toContain('no php-fpm master process is running on this system');
    expect(seen.findings).toContain('php-fpm is configured (pool www) but no php-fpm master process is running.');
    expect(seen.pools.every((p) => p.masterPid === null && p.workers.count === 0)).toBe(true);
    expect(seen.clis.find((c) => c.binary === 'php')?.settings.find((s) => s.name === 'memory_limit')?.value).toBe('-1');
    // php1's FPM shows in web1's ps (one PID namespace in the lab), and is not counted as web1's.
    if (php1Up) expect(seen.processes.some((p) => p.role.startsWith('fpm'))).toBe(false);
    expect(seen.unparsed).toEqual([]);
    expect(seen.memory?.totalBytes).toBeGreaterThan(0);

    const audit = await app.call('audit.list', { ticketId: app.ticketId, limit: 50 });
    const entry = audit.find((e) => e.action === 'ssh.exec' && (e.detail as { purpose?: string }).purpose === MEMORY_PROBE_PURPOSE);
    expect(entry?.summary).toContain('web1');
    expect((entry?.detail as { stdout: string }).stdout).toContain('##bl:access');
  });
});

describe.skipIf(!php1Up)('the PHP memory picture on php1 (nginx + php-fpm in a memory cgroup)', () => {
  let site: PhpSite | null = null;
  // ctl.sh waits for the lab's lock, which an up.sh of another test run may hold for a while.
  afterEach(async () => {
    await site?.reset();
    site = null;
  }, 180_000);

  it('reports the CLI and the FPM memory_limit, the pools and their workers, the cgroup limit and the worst case', async () => {
    const lab = readLabPhp();
    const app = await setup('TKT-61002', 'php1');
    const before = fpmProcesses();
    const seen = await picture(app);
    const after = fpmProcesses();
    expect(seen.unparsed).toEqual([]);
    expect(seen.access).toEqual({ user: 'bl-tcsh', root: false, sudo: true });

    const cli = seen.clis.find((c) => c.binary === 'php');
    expect(cli?.settings.find((s) => s.name === 'memory_limit')?.value).toBe(lab.iniMemoryLimitCli);
    const shop = seen.pools.find((p) => p.name === lab.pool);
    expect(shop?.settings.find((s) => s.name === 'memory_limit')).toMatchObject({ value: lab.fpmMemoryLimit, source: { kind: 'php_admin_value' } });
    expect(seen.pools.find((p) => p.name === 'www')?.settings.find((s) => s.name === 'memory_limit')?.value).toBe(lab.iniMemoryLimitFpm);
    expect(seen.cliDiffers).toContainEqual({ name: 'memory_limit', cli: lab.iniMemoryLimitCli, cliBinary: 'php', pool: lab.pool, poolValue: lab.fpmMemoryLimit });

    // The right workers: the shop pool's, children of php1's master, as this machine's ps sees them.
    const master = seen.fpmMasters[0];
    expect(seen.fpmMasters).toHaveLength(1);
    expect(master?.cgroup).toMatchObject({ version: lab.cgroup.version === 'v1' ? 1 : 2, limitBytes: lab.cgroup.memoryMax });
    const shopWorkers = (list: typeof before) => list.filter((p) => p.ppid === master?.pid && p.args === `php-fpm: pool ${lab.pool}`).map((p) => p.pid).sort();
    if (JSON.stringify(shopWorkers(before)) === JSON.stringify(shopWorkers(after))) {
      expect(seen.processes.filter((p) => p.role === 'fpm-worker' && p.pool === lab.pool).map((p) => p.pid).sort()).toEqual(shopWorkers(before));
      expect(shop?.workers.count).toBe(shopWorkers(before).length);
    }
    expect(shop?.workers.pssBytes).not.toBeNull();
    expect(shop).toMatchObject({ masterPid: master?.pid, maxChildren: lab.maxChildren, statusPath: lab.statusPath });
    expect(shop?.worstCaseBytes).toBe(lab.maxChildren * 96 * 1024 * 1024);
    expect(seen.findings.some((f) => f.includes(`exceed the memory they can have (384.0 MiB, the FPM cgroup limit)`))).toBe(true);

    // The pool's status page, read on php1 itself.
    expect(seen.fpmStatus.find((s) => s.pool === lab.pool)).toMatchObject({ problem: null, processManager: 'dynamic' });
  });

  it('after requests whose feed came from head3, reports the memory-exhausted errors grouped by file:line', async () => {
    const lab = readLabPhp();
    site = phpSite(lab);
    const app = await setup('TKT-61003', 'php1');
    const countAt = (p: MemoryPicture, file: string) => p.memoryExhausted.filter((e) => e.file === file).reduce((n, e) => n + e.count, 0);
    const feedFile = `${lab.docroot}/lib/feed.php`;
    const newsFile = `${lab.docroot}/news.php`;
    const first = await picture(app);

    await site.routeFeedsTo('head3');
    const answers = [await site.request('/'), await site.request('/news.php')];
    expect(answers.map((a) => a.status)).toEqual([500, 500]);

    const seen = await picture(app);
    expect(countAt(seen, feedFile)).toBeGreaterThan(countAt(first, feedFile));
    expect(countAt(seen, newsFile)).toBeGreaterThan(countAt(first, newsFile));
    const feed = seen.memoryExhausted.find((e) => e.file === feedFile && e.last !== null);
    expect(feed).toMatchObject({ limitBytes: 96 * 1024 * 1024, logs: [lab.logs.error.server] });
    expect(feed?.triedBytes).toBeGreaterThan(0);
    expect(seen.findings.some((f) => f.includes(`"Allowed memory size of ${96 * 1024 * 1024} bytes exhausted" at ${feedFile}:`))).toBe(true);
  }, 180_000);

  it('with a memory_limit above what the cgroup allows, reports the cgroup OOM kill: the kernel line, the FPM child killed, the counter', async () => {
    const lab = readLabPhp();
    site = phpSite(lab);
    await site.setFpmMemoryLimit('512M');
    await site.routeFeedsTo('head3');
    const app = await setup('TKT-61004', 'php1');
    const first = await picture(app);
    const killsBefore = first.fpmMasters[0]?.cgroup?.oomKills ?? 0;
    const before = site.oomKills();
    for (let round = 0; round < 3 && site.oomKills() === before; round++) await site.requestMany('/', 4);
    expect(site.oomKills()).toBeGreaterThan(before);

    const seen = await picture(app);
    const master = seen.fpmMasters[0];
    expect(master?.cgroup?.oomKills).toBeGreaterThan(killsBefore);
    expect(seen.pools.find((p) => p.name === lab.pool)?.settings.find((x) => x.name === 'memory_limit')?.value).toBe('512M');
    // The child FPM saw die on SIGKILL is the process the kernel killed in php1's cgroup.
    const signal = seen.childSignals.find((c) => c.pool === lab.pool && c.signal === 'SIGKILL');
    const cgroupPath = master?.cgroup?.path ?? '?';
    const kills = seen.oomEvents.filter((e) => e.memcg === cgroupPath && e.cgroup);
    expect(kills.some((e) => signal?.pids.includes(e.pid ?? -1) === true)).toBe(true);
    const kill = kills.find((e) => signal?.pids.includes(e.pid ?? -1) === true);
    expect(kill).toMatchObject({ constraint: 'CONSTRAINT_MEMCG', process: expect.stringMatching(/^php-fpm/) as unknown });
    expect(kill?.rssBytes).toBeGreaterThan(0);
    expect(seen.findings.some((f) => f.startsWith(`${kills.length} of them in the memory cgroup of php-fpm master ${master?.pid ?? '?'} (${cgroupPath})`))).toBe(true);
  }, 180_000);
});
