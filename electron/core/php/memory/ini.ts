import { phpMemorySettingNames, type EffectiveSetting, type PhpMemorySettingName } from '../../../../shared/domain/php-memory.js';
import type { UnparsedLine } from '../../../../shared/domain/php-memory.js';
import { parsePhpSize } from './sizes.js';

/**
 * What PHP itself says of its ini, per SAPI: the CLI's `php -r` lines (`ini NAME=VALUE`, `loaded=`,
 * `scanned=`) and the FPM binary's `php-fpm -i` lines (`NAME => local => master`), each followed by the
 * probe's `set FILE:NAME = VALUE` lines naming the ini files that set a value, in PHP's load order.
 */

export interface IniReading {
  /** "8.2.36" */
  version: string | null;
  banner: string | null;
  loadedIni: string | null;
  scannedIni: string[];
  /** The values PHP reports, as it prints them. */
  values: Partial<Record<PhpMemorySettingName, string>>;
  /** The last ini file (in load order) that sets each setting, and the value it gives. */
  setBy: Partial<Record<PhpMemorySettingName, { file: string; value: string }>>;
  errorLog: string | null;
  unparsed: UnparsedLine[];
}

const isSetting = (name: string): name is PhpMemorySettingName => (phpMemorySettingNames as readonly string[]).includes(name);
const SET_LINE = /^set (.+?):\s*([a-z_]+)\s*=\s*(.*)$/;

function emptyReading(): IniReading {
  return { version: null, banner: null, loadedIni: null, scannedIni: [], values: {}, setBy: {}, errorLog: null, unparsed: [] };
}

function readSetLine(line: string, reading: IniReading): boolean {
  const set = SET_LINE.exec(line);
  if (!set) return false;
  const [, file = '', name = '', value = ''] = set;
  if (isSetting(name)) reading.setBy[name] = { file, value: value.trim() };
  return true;
}

/** The `cli NAME PATH` section: `php -v`'s first line, then what `php -r` printed. */
export function parseCliIni(lines: readonly string[], section = 'cli'): IniReading {
  const reading = emptyReading();
  for (const line of lines) {
    const ini = /^ini ([a-z_]+)=(.*)$/.exec(line);
    if (/^PHP \d+\.\d+/.test(line) && reading.banner === null) {
      reading.banner = line.trim();
      reading.version = /^PHP (\d+\.\d+\.\d+\S*)/.exec(line)?.[1] ?? null;
    } else if (ini) {
      const [, name = '', value = ''] = ini;
      if (isSetting(name)) reading.values[name] = value;
      else if (name === 'error_log') reading.errorLog = value === '' ? null : value;
      else if (name !== 'log_errors') reading.unparsed.push({ section, line });
    } else if (line.startsWith('loaded=')) {
      reading.loadedIni = line.slice('loaded='.length) || null;
    } else if (line.startsWith('scanned=')) {
      reading.scannedIni.push(line.slice('scanned='.length));
    } else if (!readSetLine(line, reading)) {
      reading.unparsed.push({ section, line });
    }
  }
  return reading;
}

/** A `php-fpm -i` excerpt: what the FPM SAPI loads from its own php.ini and conf.d. */
export function parseFpmInfo(lines: readonly string[], section = 'fpm-ini'): IniReading {
  const reading = emptyReading();
  let inScanned = false;
  for (const line of lines) {
    const pair = /^(.+?) => (.*?)(?: => (.*))?$/.exec(line);
    if (inScanned && /^\/.*\.ini,?$/.test(line.trim())) {
      reading.scannedIni.push(line.trim().replace(/,$/, ''));
      continue;
    }
    inScanned = false;
    if (pair) {
      const [, key = '', local = ''] = pair;
      if (key === 'PHP Version') reading.version ??= local;
      else if (key === 'Server API') reading.banner ??= local;
      else if (key === 'Loaded Configuration File') reading.loadedIni = local === '(none)' ? null : local;
      else if (key === 'Additional .ini files parsed') {
        if (local !== '(none)') reading.scannedIni.push(...local.split(',').map((f) => f.trim()).filter(Boolean));
        inScanned = true;
      } else if (isSetting(key)) reading.values[key] = local === 'no value' ? '' : local;
      else if (key === 'error_log') reading.errorLog = local === 'no value' ? null : local;
      else if (key !== 'Scan this dir for additional .ini files' && key !== 'log_errors') reading.unparsed.push({ section, line });
    } else if (!readSetLine(line, reading)) {
      reading.unparsed.push({ section, line });
    }
  }
  return reading;
}

const ON = new Set(['1', 'on', 'yes', 'true']);
const OFF = new Set(['', '0', 'off', 'no', 'false', 'none']);

/** A value as people compare it: booleans as On/Off (ini_get says "1"/"", php -i says "On"/"Off"). */
export function normalizeIniValue(name: PhpMemorySettingName, value: string | null): string | null {
  if (value === null) return null;
  const trimmed = value.trim().replace(/^"(.*)"$/, '$1');
  if (name === 'allow_url_fopen' || name === 'allow_url_include') {
    if (ON.has(trimmed.toLowerCase())) return 'On';
    if (OFF.has(trimmed.toLowerCase())) return 'Off';
  }
  return trimmed;
}

/** Whether two values mean the same (128M and 134217728 do). */
export function sameIniValue(name: PhpMemorySettingName, a: string | null, b: string | null): boolean {
  if (a === null || b === null) return a === b;
  if (name === 'memory_limit') {
    const [x, y] = [parsePhpSize(a), parsePhpSize(b)];
    if (x !== null || y !== null) return x === y;
  }
  return normalizeIniValue(name, a) === normalizeIniValue(name, b);
}

/**
 * The effective settings of a SAPI as its ini reading gives them, each with the file that set it. A value
 * that is not what the last ini file says was set at run time: the CLI forces max_execution_time to 0
 * whatever php.ini says, and `-d` on a command line overrides too.
 */
export function iniSettings(reading: IniReading): EffectiveSetting[] {
  return phpMemorySettingNames.map((name) => {
    const raw = reading.values[name];
    const value = raw === undefined ? null : normalizeIniValue(name, raw);
    const set = reading.setBy[name];
    const kind = set ? (sameIniValue(name, set.value, value) ? 'ini' : 'runtime') : 'default';
    return {
      name,
      value,
      bytes: name === 'memory_limit' ? parsePhpSize(value) : null,
      source: { kind, file: kind === 'ini' ? (set?.file ?? null) : null },
    };
  });
}

/** PHP's built-in defaults (php.ini-development's comments), for a SAPI whose ini files set nothing. */
export const PHP_DEFAULTS: Record<PhpMemorySettingName, string> = {
  memory_limit: '128M',
  max_execution_time: '30',
  default_socket_timeout: '60',
  allow_url_fopen: 'On',
  allow_url_include: 'Off',
};

/** A SAPI read only from its ini files (mod_php: PHP cannot be asked as Apache's SAPI from a shell). */
export function iniFileSettings(reading: IniReading): EffectiveSetting[] {
  return phpMemorySettingNames.map((name) => {
    const set = reading.setBy[name];
    const value = normalizeIniValue(name, set?.value ?? PHP_DEFAULTS[name]);
    return { name, value, bytes: name === 'memory_limit' ? parsePhpSize(value) : null, source: set ? { kind: 'ini', file: set.file } : { kind: 'default', file: null } };
  });
}
