import { describe, expect, it } from 'vitest';
import { MiB, picture, pool, probe, sample } from '../../../shared/domain/php-findings.fixtures.js';
import { blockPrefillOf, headRows, markedHeads } from './headRows.js';
import { cliTrap, memoryLine, settingsTable, worstCases } from './memoryView.js';
import { typedDocroots } from './scanView.js';
import { referenceLines, watchPoints } from './watchChart.js';

describe('blockPrefillOf on a dual-stack head', () => {
  it("also picks the head's IPv6 address that answered the same bad way, not the good heads'", () => {
    const bad = probe.heads[2]!;
    const good = probe.heads[0]!;
    const dual = {
      ...probe,
      addresses: [...probe.addresses, { address: 'fd77::41', family: 'ipv6' as const }, { address: 'fd77::43', family: 'ipv6' as const }],
      heads: [...probe.heads, { ...good, address: 'fd77::41', family: 'ipv6' as const }, { ...bad, address: 'fd77::43', family: 'ipv6' as const }],
    };
    expect(blockPrefillOf('TKT-1', 7, dual, bad).alsoMarked).toEqual(['fd77::43']);
    expect(blockPrefillOf('TKT-1', 7, dual, dual.heads[4]!).alsoMarked).toEqual(['10.77.0.43']);
  });
});

describe('headRows', () => {
  it('shows each head as the table does, the cap cut and the bad one marked', () => {
    const rows = headRows(probe);
    expect(rows.map((r) => [r.address, r.status, r.size, r.capCut, r.contentLength, r.total, r.phpPeak, r.marked])).toEqual([
      ['10.77.0.41', '200', '24 bytes', false, '24 bytes', '12 ms', '—', false],
      ['10.77.0.42', '200', '24 bytes', false, '24 bytes', '12 ms', '—', false],
      ['10.77.0.43', '400', 'over 8 MiB', true, '64 MiB', '900 ms', '180 MiB', true],
    ]);
    expect(rows[2]!.reasons).toBe('answers 400 while the others answer 200; a body over 8 MiB, the others 24 bytes');
    expect(markedHeads(probe).map((h) => h.address)).toEqual(['10.77.0.43']);
  });

  it('hands the Firewall tab the host, that address, the port and why', () => {
    expect(blockPrefillOf('TKT-1', 7, probe, probe.heads[2]!)).toEqual({
      ticketId: 'TKT-1',
      serverId: 7,
      host: 'feeds.lab.test',
      address: '10.77.0.43',
      addresses: [
        { address: '10.77.0.41', family: 'ipv4' },
        { address: '10.77.0.42', family: 'ipv4' },
        { address: '10.77.0.43', family: 'ipv4' },
      ],
      alsoMarked: [],
      port: 80,
      reason: '400, over 8 MiB (the cap cut it; Content-Length 64 MiB), 900 ms; answers 400 while the others answer 200; a body over 8 MiB, the others 24 bytes',
    });
  });
});

describe('memoryView', () => {
  it('puts the CLI and each pool side by side and flags where they differ', () => {
    const p = picture({
      clis: [{ binary: 'php8.2', path: '/usr/bin/php8.2', version: '8.2.29', banner: null, loadedIni: '/etc/php/8.2/cli/php.ini', scannedIni: [], settings: [{ name: 'memory_limit', value: '-1', bytes: null, source: { kind: 'ini', file: '/etc/php/8.2/cli/php.ini' } }] }],
    });
    const { columns, rows } = settingsTable(p);
    expect(columns.map((c) => c.label)).toEqual(['CLI php8.2 8.2.29', 'FPM pool www']);
    const limit = rows.find((r) => r.name === 'memory_limit')!;
    expect(limit).toMatchObject({ values: ['-1', '128M'], differs: true, sources: ['ini /etc/php/8.2/cli/php.ini', 'ini /etc/php/8.2/fpm/php.ini'] });
    expect(rows.find((r) => r.name === 'allow_url_fopen')).toMatchObject({ values: [null, null], differs: false });
    expect(cliTrap(p)).toContain('memory_limit is -1 for php8.2 but 128M in pool www');
    expect(cliTrap(picture({ cliDiffers: [] }))).toBeNull();
  });

  it("adds Apache's mod_php as a column where the probe read its settings", () => {
    const p = picture({ pools: [], cliDiffers: [] });
    const withApache = { ...p, apache: { found: true, modPhp: 'php_module', settings: [{ name: 'memory_limit' as const, value: '256M', bytes: 256 * MiB, source: { kind: 'ini' as const, file: '/etc/php/8.2/apache2/php.ini' } }] } };
    const clis = [{ binary: 'php', path: '/usr/bin/php', version: null, banner: null, loadedIni: null, scannedIni: [], settings: [{ name: 'memory_limit' as const, value: '-1', bytes: null, source: { kind: 'ini' as const, file: null } }] }];
    const { columns, rows } = settingsTable({ ...withApache, clis });
    expect(columns.map((c) => c.label)).toEqual(['CLI php', 'Apache php_module']);
    expect(rows.find((r) => r.name === 'memory_limit')).toMatchObject({ values: ['-1', '256M'], differs: true });
    expect(settingsTable({ ...p, clis }).columns.map((c) => c.label)).toEqual(['CLI php']);
  });

  it('says the worst case per pool against the machine, and when it cannot', () => {
    expect(worstCases(picture())).toEqual([{ pool: 'www', text: 'Pool www: memory_limit 128M × 10 workers = 1.3 GiB > 1 GiB RAM', over: true }]);
    const unlimited = pool({ worstCaseBytes: null, settings: [{ name: 'memory_limit', value: '-1', bytes: null, source: { kind: 'ini', file: null } }] });
    expect(worstCases(picture({ pools: [unlimited] }))[0]).toMatchObject({ over: true, text: expect.stringContaining('no limit') as unknown });
    expect(memoryLine(picture())).toBe('11 PHP processes, RSS 210 MiB of 1 GiB RAM, 300 MiB available; no swap');
    expect(memoryLine(picture({ memory: null }))).toContain("the machine's memory could not be read");
  });
});

describe('watchChart', () => {
  it('draws MiB over the server clock, against memory_limit, RAM and the cgroup limit', () => {
    const samples = [sample(0, 30 * MiB), sample(1, 300 * MiB)];
    expect(watchPoints(samples)).toEqual([
      { time: '09:12:00', php: 30, largest: 10 },
      { time: '09:12:01', php: 300, largest: 100 },
    ]);
    expect(referenceLines(samples, picture())).toEqual({
      lines: [
        { y: 128, label: 'memory_limit 128M (www)', color: 'orange.6' },
        { y: 512, label: 'cgroup limit 512 MiB', color: 'grape.6' },
        { y: 1024, label: 'RAM 1 GiB', color: 'red.6' },
      ],
      offScale: [],
    });
    expect(referenceLines([], null)).toEqual({ lines: [], offScale: [] });
  });

  it('draws one memory_limit line per value, naming its pools, and leaves a far larger RAM off the scale', () => {
    const shop = pool({ name: 'shop', settings: [{ name: 'memory_limit', value: '96M', bytes: 96 * MiB, source: { kind: 'php_admin_value', file: null } }] });
    const big = { ...sample(0, 60 * MiB), memTotalBytes: 24 * 1024 * MiB, cgroups: [] };
    expect(referenceLines([big], picture({ pools: [shop, pool(), pool({ name: 'admin' })] }))).toEqual({
      lines: [
        { y: 96, label: 'memory_limit 96M (shop)', color: 'orange.6' },
        { y: 128, label: 'memory_limit 128M (www, admin)', color: 'orange.6' },
      ],
      offScale: ['RAM 24 GiB'],
    });
  });
});

describe('typedDocroots', () => {
  it('takes one path a line and names the first bad one', () => {
    expect(typedDocroots('\n /srv/www/shop \n/srv/www/shop\n')).toEqual({ paths: ['/srv/www/shop'], problems: [] });
    expect(typedDocroots('/srv/www\nsrv/x').problems[0]).toContain('not an absolute path');
    expect(typedDocroots('')).toEqual({ paths: [], problems: [] });
  });
});
