import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { iniSettings, normalizeIniValue, parseCliIni, parseFpmInfo, sameIniValue } from './ini.js';
import { splitProbeSections } from './sections.js';
import { parsePhpSize } from './sizes.js';

const probe = splitProbeSections(readFileSync(join(import.meta.dirname, 'fixtures', 'probe.fpm-running.root.txt'), 'utf8')).sections;

describe('parseCliIni', () => {
  it("reads the CLI section (real): version, the five settings, the ini files, and which file set each", () => {
    const section = probe.find((s) => s.name === 'cli');
    const reading = parseCliIni(section?.lines ?? []);
    expect(reading.unparsed).toEqual([]);
    expect(reading.version).toMatch(/^8\.2\.\d+$/);
    expect(reading.loadedIni).toBe('/etc/php/8.2/cli/php.ini');
    expect(reading.scannedIni.length).toBeGreaterThan(0);
    expect(reading.values).toEqual({ memory_limit: '-1', max_execution_time: '0', default_socket_timeout: '60', allow_url_fopen: '1', allow_url_include: '' });
    expect(iniSettings(reading).map((s) => [s.name, s.value, s.bytes, s.source.kind, s.source.file])).toEqual([
      ['memory_limit', '-1', null, 'ini', '/etc/php/8.2/cli/php.ini'],
      // php.ini says 30; the CLI SAPI forces 0 whatever it says.
      ['max_execution_time', '0', null, 'runtime', null],
      ['default_socket_timeout', '60', null, 'ini', '/etc/php/8.2/cli/php.ini'],
      ['allow_url_fopen', 'On', null, 'ini', '/etc/php/8.2/cli/php.ini'],
      ['allow_url_include', 'Off', null, 'ini', '/etc/php/8.2/cli/php.ini'],
    ]);
  });

  it('keeps what php printed besides its answers (a startup warning) as unparsed', () => {
    const reading = parseCliIni(['PHP 8.1.2 (cli)', 'PHP Warning:  Module "curl" is already loaded in Unknown on line 0', 'ini memory_limit=256M']);
    expect(reading.values.memory_limit).toBe('256M');
    expect(reading.unparsed).toEqual([{ section: 'cli', line: 'PHP Warning:  Module "curl" is already loaded in Unknown on line 0' }]);
  });
});

describe('parseFpmInfo', () => {
  it("reads php-fpm -i (real): FPM's own php.ini, its conf.d list across lines, and the values", () => {
    const section = probe.find((s) => s.name === 'fpm-ini');
    const reading = parseFpmInfo(section?.lines ?? []);
    expect(reading.unparsed).toEqual([]);
    expect(reading.banner).toBe('FPM/FastCGI');
    expect(reading.loadedIni).toBe('/etc/php/8.2/fpm/php.ini');
    expect(reading.scannedIni).toContain('/etc/php/8.2/fpm/conf.d/10-opcache.ini');
    expect(reading.scannedIni.every((f) => f.endsWith('.ini'))).toBe(true);
    expect(reading.values).toEqual({ memory_limit: '128M', max_execution_time: '30', default_socket_timeout: '60', allow_url_fopen: 'On', allow_url_include: 'Off' });
    expect(reading.setBy.memory_limit).toEqual({ file: '/etc/php/8.2/fpm/php.ini', value: '128M' });
  });
});

describe('values', () => {
  it('sizes, booleans and sameness as PHP means them', () => {
    expect(parsePhpSize('128M')).toBe(128 * 1024 * 1024);
    expect(parsePhpSize('1G')).toBe(1024 ** 3);
    expect(parsePhpSize('512k')).toBe(512 * 1024);
    expect(parsePhpSize('-1')).toBeNull();
    expect(parsePhpSize('lots')).toBeNull();
    expect(normalizeIniValue('allow_url_fopen', '1')).toBe('On');
    expect(normalizeIniValue('allow_url_include', '')).toBe('Off');
    expect(sameIniValue('memory_limit', '128M', '134217728')).toBe(true);
    expect(sameIniValue('memory_limit', '-1', '128M')).toBe(false);
    expect(sameIniValue('allow_url_fopen', 'On', '1')).toBe(true);
    expect(sameIniValue('max_execution_time', '0', '30')).toBe(false);
  });
});
