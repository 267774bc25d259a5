import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseFpmConfig, poolOverride } from './fpm-config.js';
import { splitProbeSections } from './sections.js';

const fixture = (name: string) => readFileSync(join(import.meta.dirname, 'fixtures', name), 'utf8');

describe('parseFpmConfig', () => {
  it("reads Debian's php-fpm.conf and www.conf as shipped (real, comments and all)", () => {
    const config = parseFpmConfig([
      { path: '/etc/php/8.2/fpm/php-fpm.conf', lines: fixture('php-fpm.debian.conf').split('\n') },
      { path: '/etc/php/8.2/fpm/pool.d/www.conf', lines: fixture('pool.debian-www.conf').split('\n') },
    ]);
    expect(config.unparsed).toEqual([]);
    expect(config.global.get('error_log')).toBe('/var/log/php8.2-fpm.log');
    expect(config.global.get('include')).toBe('/etc/php/8.2/fpm/pool.d/*.conf');
    expect(config.pools).toHaveLength(1);
    const [www] = config.pools;
    expect(www?.name).toBe('www');
    expect(Object.fromEntries(www?.directives ?? [])).toEqual({
      user: 'www-data',
      group: 'www-data',
      listen: '/run/php/php8.2-fpm.sock',
      'listen.owner': 'www-data',
      'listen.group': 'www-data',
      pm: 'dynamic',
      'pm.max_children': '5',
      'pm.start_servers': '2',
      'pm.min_spare_servers': '1',
      'pm.max_spare_servers': '3',
    });
    expect(www?.iniValues).toEqual([]);
  });

  it('reads the pool files the probe printed (real): php_value and php_admin_value, the admin one winning', () => {
    const sections = splitProbeSections(fixture('probe.fpm-running.root.txt')).sections.filter((s) => s.args[0]?.startsWith('/tmp/blm-fix/'));
    const config = parseFpmConfig(sections.map((s) => ({ path: s.args[0] ?? '', lines: s.lines })));
    expect(config.unparsed).toEqual([]);
    expect(config.pools.map((p) => p.name).sort()).toEqual(['api', 'www']);
    const www = config.pools.find((p) => p.name === 'www');
    expect(www?.directives.get('pm.status_path')).toBe('/fpm-status');
    expect(poolOverride(www!, 'memory_limit')).toEqual({ name: 'memory_limit', value: '64M', admin: true, file: '/tmp/blm-fix/pool.d/www.conf' });
    expect(poolOverride(www!, 'max_execution_time')?.admin).toBe(false);
    expect(poolOverride(config.pools.find((p) => p.name === 'api')!, 'memory_limit')?.value).toBe('256M');
  });

  it('expands $pool, takes quoted values, and keeps a line of no known shape', () => {
    const config = parseFpmConfig([{ path: '/etc/php-fpm.d/shop.conf', lines: ['[shop]', 'listen = /run/php/$pool.sock', 'slowlog = "/var/log/php/$pool-slow.log"', 'php_value[memory_limit] = 64M', 'php_admin_value[memory_limit] = 96M', 'this is not a directive'] }]);
    const [shop] = config.pools;
    expect(shop?.directives.get('listen')).toBe('/run/php/shop.sock');
    expect(shop?.directives.get('slowlog')).toBe('/var/log/php/shop-slow.log');
    expect(poolOverride(shop!, 'memory_limit')?.value).toBe('96M');
    expect(config.unparsed).toEqual([{ section: 'fpm-config /etc/php-fpm.d/shop.conf', line: 'this is not a directive' }]);
  });
});
