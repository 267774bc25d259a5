import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseElapsed, parsePs, parsePsSize, parsePss, processRole } from './processes.js';

const fixture = (name: string) => readFileSync(join(import.meta.dirname, 'fixtures', name), 'utf8').trimEnd().split('\n');

describe('parsePs', () => {
  it('reads procps rows (real): FPM masters and workers by their title, RSS/VSZ in bytes, elapsed seconds', () => {
    const lines = fixture('ps.fpm-running.txt');
    const { processes, unparsed } = parsePs(lines);
    expect(unparsed).toEqual([]);
    expect(processes).toHaveLength(lines.length - 1);
    const master = processes.find((p) => p.role === 'fpm-master' && p.args.includes('/tmp/blm-fix/'));
    expect(master).toMatchObject({ user: 'root', pool: null });
    const workers = processes.filter((p) => p.role === 'fpm-worker' && p.ppid === master?.pid);
    expect(workers.map((w) => w.pool).sort()).toEqual(['api', 'www', 'www', 'www']);
    const row = lines.find((l) => l.includes(`${master?.pid ?? 0}     1 root`)) ?? '';
    const [, , , rss = '', vsz = '', etimes = ''] = row.trim().split(/\s+/);
    expect(master?.rssBytes).toBe(Number(rss) * 1024);
    expect(master?.vszBytes).toBe(Number(vsz) * 1024);
    expect(master?.elapsedS).toBe(Number(etimes));
  });

  it("reads BusyBox's ps (Alpine): sizes with suffixes, no elapsed, {comm} before a rewritten title", () => {
    const { processes, unparsed } = parsePs(['PID   PPID  USER     RSS  VSZ  COMMAND', ' 7621     1 root     7652 207m {php-fpm8.2} php-fpm: master process (/etc/php/8.2/fpm/php-fpm.conf)', ' 7622  7621 33        15m 279m {php-fpm8.2} php-fpm: pool shop']);
    expect(unparsed).toEqual([]);
    expect(processes.map((p) => [p.pid, p.user, p.rssBytes, p.vszBytes, p.elapsedS, p.role, p.pool])).toEqual([
      [7621, 'root', 7652 * 1024, 207 * 1024 * 1024, null, 'fpm-master', null],
      [7622, '33', 15 * 1024 * 1024, 279 * 1024 * 1024, null, 'fpm-worker', 'shop'],
    ]);
  });

  it('keeps a row it cannot read, and rows before any header, as unparsed', () => {
    expect(parsePs(['12 1 root 5 6 7 php']).unparsed).toHaveLength(1);
    expect(parsePs(['  PID  PPID USER RSS VSZ ELAPSED COMMAND', 'ps: something went wrong']).unparsed).toEqual([{ section: 'ps', line: 'ps: something went wrong' }]);
  });
});

describe('ps fields', () => {
  it('elapsed: etimes and etime forms', () => {
    expect(parseElapsed('25')).toBe(25);
    expect(parseElapsed('01:05')).toBe(65);
    expect(parseElapsed('02:01:05')).toBe(7265);
    expect(parseElapsed('3-02:01:05')).toBe(3 * 86400 + 7265);
    expect(parseElapsed('soon')).toBeNull();
  });

  it('sizes and roles', () => {
    expect(parsePsSize('1.5g')).toBe(1.5 * 1024 ** 3);
    expect(parsePsSize('x')).toBeNull();
    expect(processRole('/usr/bin/php8.2 artisan queue:work')).toEqual({ role: 'cli', pool: null });
    expect(processRole('/usr/sbin/apache2 -k start')).toEqual({ role: 'apache', pool: null });
    expect(processRole('php-fpm7.4: pool shop')).toEqual({ role: 'fpm-worker', pool: 'shop' });
  });
});

describe('parsePss', () => {
  it('reads PSS in bytes, unreadable ones, and the namespace of each process', () => {
    const { pss, namespaces, gone, unparsed } = parsePss(['3770 Pss:                1476 kB', '3770 ns=other', '3771 unreadable', '3771 ns=unknown', '3772 gone', 'what']);
    expect([...gone]).toEqual([3772]);
    expect([...pss]).toEqual([
      [3770, 1476 * 1024],
      [3771, null],
    ]);
    expect([...namespaces]).toEqual([
      [3770, 'other'],
      [3771, 'unknown'],
    ]);
    expect(unparsed).toEqual([{ section: 'pss', line: 'what' }]);
  });
});
