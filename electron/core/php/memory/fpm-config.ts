import type { PoolIniValue, UnparsedLine } from '../../../../shared/domain/php-memory.js';

/**
 * php-fpm.conf and its pool files as the probe printed them (comments and blank lines dropped): `[name]`
 * opens a section, `key = value` sets a directive, `php_value[x]` / `php_admin_value[x]` (and the
 * `_flag` forms) override php.ini for that pool. FPM expands `$pool` in values to the pool's name.
 */

export interface FpmConfigFile {
  path: string;
  lines: readonly string[];
}

export interface PoolConfig {
  name: string;
  file: string;
  directives: Map<string, string>;
  iniValues: PoolIniValue[];
}

export interface FpmConfig {
  /** [global] directives (error_log, include, pid...). */
  global: Map<string, string>;
  pools: PoolConfig[];
  unparsed: UnparsedLine[];
}

const unquote = (value: string) => value.trim().replace(/^"(.*)"$/, '$1').replace(/^'(.*)'$/, '$1');

export function parseFpmConfig(files: readonly FpmConfigFile[]): FpmConfig {
  const global = new Map<string, string>();
  const pools = new Map<string, PoolConfig>();
  const unparsed: UnparsedLine[] = [];
  for (const { path, lines } of files) {
    // A file without a section header continues [global] (php-fpm.conf starts with it).
    let pool: PoolConfig | null = null;
    let inGlobal = true;
    for (const line of lines) {
      const trimmed = line.trim();
      if (trimmed === '' || trimmed.startsWith(';') || trimmed.startsWith('#')) continue;
      const header = /^\[([^\]]+)\]$/.exec(trimmed);
      if (header?.[1]) {
        const name = header[1].trim();
        inGlobal = name === 'global';
        if (inGlobal) pool = null;
        else {
          pool = pools.get(name) ?? { name, file: path, directives: new Map(), iniValues: [] };
          pools.set(name, pool);
        }
        continue;
      }
      const pair = /^([A-Za-z0-9_.[\]-]+)\s*=\s*(.*)$/.exec(trimmed);
      if (!pair) {
        unparsed.push({ section: `fpm-config ${path}`, line });
        continue;
      }
      const key = pair[1] ?? '';
      const value = unquote(pair[2] ?? '');
      if (inGlobal || !pool) {
        global.set(key, value);
        continue;
      }
      const expanded = value.replace(/\$pool\b/g, pool.name);
      const ini = /^php_(admin_)?(value|flag)\[([^\]]+)\]$/.exec(key);
      if (ini) pool.iniValues.push({ name: ini[3] ?? '', value: expanded, admin: Boolean(ini[1]), file: path });
      else pool.directives.set(key, expanded);
    }
  }
  return { global, pools: [...pools.values()], unparsed };
}

/** The value a pool's php_value / php_admin_value gives a setting: an admin value wins, else the last one. */
export function poolOverride(pool: PoolConfig, name: string): PoolIniValue | null {
  const matching = pool.iniValues.filter((v) => v.name === name);
  return matching.filter((v) => v.admin).at(-1) ?? matching.at(-1) ?? null;
}
