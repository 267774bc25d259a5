/**
 * The lab's PHP server php1 (e2e/lab/php/README.md) against itself: the shop answers; a request whose
 * feed comes from head3 (400 with 64 MiB) ends in PHP's "Allowed memory size ... exhausted"; with
 * the pool's memory_limit raised, workers hitting head3 together make the kernel kill one in php1's
 * memory cgroup. php1 is reset after each test. Needs the lab up (`sudo bash e2e/lab/up.sh`), as root.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { labHead, readLab, type Lab } from '../../../e2e/lab/lab.js';
import { phpSite, type PhpSite } from './testing/php-site.js';

const run = promisify(execFile);

let lab: Lab;
let site: PhpSite;
beforeAll(() => {
  lab = readLab();
  site = phpSite();
});
afterEach(async () => {
  await site.reset();
});

/** A command on php1 over ssh, as an engineer (or a probe) sees the server. */
const onPhp1 = async (command: string) => (await run('ssh', ['-F', lab.sshConfig, site.lab.host, command], { timeout: 30_000 })).stdout;

const bytesOf = (size: string) => Number(size.slice(0, -1)) * 1024 ** ' KMG'.indexOf(size.slice(-1).toUpperCase());

describe('php1, the customer PHP server of the lab', () => {
  it('serves the shop through nginx and php-fpm, and shows its own configuration over ssh', async () => {
    const home = await site.request('/');
    expect(home.status).toBe(200);
    expect(home.body).toContain('<h1>Lab shop</h1>');
    expect(home.body).toMatch(/<li>include ok from head[12]<\/li>/);
    const news = await site.request('/news.php');
    expect(news.status).toBe(200);
    expect(news.body).toMatch(/include ok from head[12]/);

    const seen = await onPhp1(
      `hostname; nginx -T 2>/dev/null | grep -E '^\\s*root '; php -r 'echo ini_get("memory_limit"), PHP_EOL;'; ` +
        `grep -h '^php_admin_value\\[memory_limit\\]' /etc/php/*/fpm/pool.d/${site.lab.pool}.conf; ` +
        `grep -h '^memory_limit' /etc/php/*/fpm/php.ini; ls ${site.lab.docroot}/lib; curl -s 'http://127.0.0.1${site.lab.statusPath}?json'`,
    );
    const lines = seen.split('\n');
    expect(lines[0]).toBe('php1');
    expect(lines[1]).toMatch(new RegExp(`^\\s*root ${site.lab.docroot};$`));
    expect(lines.slice(2, 6)).toEqual([site.lab.iniMemoryLimitCli, `php_admin_value[memory_limit] = ${site.lab.fpmMemoryLimit}`, `memory_limit = ${site.lab.iniMemoryLimitFpm}`, 'feed.php']);
    expect(site.lab.iniMemoryLimitCli).not.toBe(site.lab.fpmMemoryLimit);
    const status = JSON.parse(lines[6]!) as { pool: string; 'process manager': string };
    expect(status).toMatchObject({ pool: site.lab.pool, 'process manager': 'dynamic' });
    // The trap of the story: every worker at its limit is more than the server has.
    expect(bytesOf(site.lab.fpmMemoryLimit) * site.lab.maxChildren).toBeGreaterThan(site.lab.cgroup.memoryMax);
  });

  it('writes a slow request to the pool\'s slowlog with its stack', async () => {
    // Past request_slowlog_timeout (5s) by more than FPM's heartbeat (a third of it), which is when the master looks.
    const file = site.putFile('tools/export.php', '<?php\n// A slow export.\nsleep(8);\necho "exported\\n";\n');
    const mark = site.logMark();
    const answer = await site.request('/tools/export.php');
    expect(answer).toMatchObject({ status: 200, body: 'exported\n' });
    const slow = site.logSince(mark, 'slow');
    expect(slow).toMatch(new RegExp(`\\[pool ${site.lab.pool}\\] pid \\d+\\nscript_filename = ${file}\\n\\[0x[0-9a-f]+\\] sleep\\(\\) ${file}:3`));
  });

  it('logs "server reached pm.max_children" when more requests come at once than the pool has workers', async () => {
    // FPM's dynamic manager spawns over a few seconds (its maintenance runs once a second): the requests last long enough for it to get there.
    site.putFile('tools/wait.php', '<?php\nsleep(5);\necho "waited\\n";\n');
    const mark = site.logMark();
    const answers = await site.requestMany('/tools/wait.php', site.lab.maxChildren + 4);
    expect(answers.map((a) => a.status)).toEqual(Array<number>(site.lab.maxChildren + 4).fill(200));
    expect(site.logSince(mark, 'fpm')).toMatch(new RegExp(`WARNING: \\[pool ${site.lab.pool}\\] server reached pm\\.max_children setting \\(${site.lab.maxChildren}\\), consider raising it`));
  });

  it('logs "Allowed memory size ... exhausted" when the feed comes from head3', async () => {
    const head3 = labHead(lab, 'head3');
    const headLogBefore = readFileSync(head3.log, 'utf8').length;
    await site.routeFeedsTo('head3');
    const mark = site.logMark();

    const home = await site.request('/');
    const news = await site.request('/news.php');
    expect([home.status, news.status]).toEqual([500, 500]);

    const limit = bytesOf(site.lab.fpmMemoryLimit);
    const errors = site.logSince(mark, 'error');
    expect(errors).toMatch(new RegExp(`PHP Fatal error: {2}Allowed memory size of ${limit} bytes exhausted \\(tried to allocate \\d+ bytes\\) in ${site.lab.docroot}/lib/feed\\.php on line \\d+`));
    expect(errors).toMatch(new RegExp(`Allowed memory size of ${limit} bytes exhausted \\(tried to allocate \\d+ bytes\\) in ${site.lab.docroot}/news\\.php on line \\d+`));
    // Both fetches went to head3, from php1; a worker that dies at its limit hangs up before the 64 MiB end.
    // (At least two: another engineer's tests may be fetching from head3 too, the lab is shared.)
    const headLog = readFileSync(head3.log, 'utf8').slice(headLogBefore);
    const fetches = headLog.split('\n').filter((l) => l.includes(' GET /feed.xml 400 '));
    expect(fetches.length).toBeGreaterThanOrEqual(2);
    for (const line of fetches) {
      expect(line).toMatch(/ (10\.77\.0\.14|\[fd77::14\]):\d+ GET \/feed\.xml 400 (67108864|\d+ \(client went away\))$/);
    }
  });

  it('with memory_limit 512M, workers hitting head3 together get one killed by the cgroup OOM killer, and php1 recovers', async () => {
    await site.setFpmMemoryLimit('512M');
    await site.routeFeedsTo('head3');
    const before = site.oomKills();
    const mark = site.logMark();

    let answers: number[] = [];
    for (let round = 0; round < 3 && site.oomKills() === before; round++) {
      answers = answers.concat((await site.requestMany('/', 4)).map((r) => r.status));
    }
    expect(site.oomKills()).toBeGreaterThan(before);
    // The killed worker's request gets nginx's 502; the machine's memory was never at stake.
    expect(answers).toContain(502);
    const memory = site.cgroupMemory();
    expect(memory.limit).toBe(site.lab.cgroup.memoryMax);
    expect(memory.usage).toBeLessThanOrEqual(memory.limit);

    const fpmLog = site.logSince(mark, 'fpm');
    const killed = /WARNING: \[pool shop\] child (\d+) exited on signal 9 \(SIGKILL\)/.exec(fpmLog);
    expect(killed, fpmLog).not.toBeNull();
    const kernel = await site.kernelLog();
    expect(kernel).toMatch(new RegExp(`Memory cgroup out of memory: Killed process ${killed![1]} \\(php-fpm[0-9.]*\\)`));
    expect(kernel).toMatch(new RegExp(`oom-kill:constraint=CONSTRAINT_MEMCG,.*oom_memcg=/${site.lab.cgroup.path.split('/').pop()!},.*pid=${killed![1]},`));

    await site.reset();
    const home = await site.request('/');
    expect(home.status).toBe(200);
    expect(home.body).toMatch(/include ok from head[12]/);
  });
});
