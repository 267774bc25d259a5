import { z } from 'zod';
import type { EffectiveSetting, FpmPool, MemoryPicture, PhpMemorySettingName } from '../../../shared/domain/php-memory.js';
import { effectiveSettingSchema, phpMemorySettingNames } from '../../../shared/domain/php-memory.js';
import { roundSize } from '../../../shared/domain/php-findings.js';

/** One column of the effective settings: a CLI binary or an FPM pool. */
export interface SettingColumn {
  key: string;
  label: string;
  sapi: 'cli' | 'fpm' | 'apache';
}

const settingsList = z.array(effectiveSettingSchema);

/** mod_php's own settings, where the probe read them (newer probes do): a SAPI the site may run under too. */
export function modPhpSettings(picture: MemoryPicture): EffectiveSetting[] | null {
  if (!picture.apache.modPhp) return null;
  const parsed = settingsList.safeParse((picture.apache as Record<string, unknown>).settings);
  return parsed.success && parsed.data.length > 0 ? parsed.data : null;
}

export interface SettingRow {
  name: PhpMemorySettingName;
  /** Per column, as PHP reads it; null when it could not be read. */
  values: (string | null)[];
  /** Where each value came from ("ini /etc/php/8.2/fpm/php.ini", "php_admin_value in www.conf"). */
  sources: (string | null)[];
  /** The CLI and a pool disagree: the trap that misleads engineers reading `php -i`. */
  differs: boolean;
}

/** The effective settings side by side, CLI first, then each pool; rows where the SAPIs differ are flagged. */
export function settingsTable(picture: MemoryPicture): { columns: SettingColumn[]; rows: SettingRow[] } {
  const apache = modPhpSettings(picture);
  const columns: SettingColumn[] = [
    ...picture.clis.map((c) => ({ key: `cli:${c.path}`, label: `CLI ${c.binary}${c.version ? ` ${c.version}` : ''}`, sapi: 'cli' as const })),
    ...picture.pools.map((p) => ({ key: `fpm:${p.name}:${p.masterPid ?? ''}`, label: `FPM pool ${p.name}`, sapi: 'fpm' as const })),
    ...(apache ? [{ key: 'apache', label: `Apache ${picture.apache.modPhp ?? 'mod_php'}`, sapi: 'apache' as const }] : []),
  ];
  const settingsOf = [...picture.clis.map((c) => c.settings), ...picture.pools.map((p) => p.settings), ...(apache ? [apache] : [])];
  const rows = phpMemorySettingNames.map((name) => {
    const found = settingsOf.map((settings) => settings.find((s) => s.name === name) ?? null);
    const values = found.map((s) => s?.value ?? null);
    const sources = found.map((s) => (s ? [s.source.kind, s.source.file].filter(Boolean).join(' ') : null));
    const cli = values.filter((_, i) => columns[i]?.sapi === 'cli');
    // What the site runs under: FPM pools, or Apache's mod_php.
    const fpm = values.filter((_, i) => columns[i]?.sapi !== 'cli');
    const differs = picture.cliDiffers.some((d) => d.name === name) || (cli.length > 0 && fpm.length > 0 && cli.some((c) => fpm.some((f) => f !== c)));
    return { name, values, sources, differs };
  });
  return { columns, rows };
}

/** The loud line about the CLI-vs-FPM trap, or null when they agree. */
export function cliTrap(picture: MemoryPicture): string | null {
  if (picture.cliDiffers.length === 0) return null;
  const parts = picture.cliDiffers.map((d) => `${d.name} is ${d.cli ?? 'unset'} for ${d.cliBinary} but ${d.poolValue ?? 'unset'} in pool ${d.pool}`);
  return `The command line is not what the site runs with: ${parts.join('; ')}. php -i on the server shows the CLI's values; the site runs with the pool's.`;
}

const memoryLimitOf = (pool: FpmPool) => pool.settings.find((s) => s.name === 'memory_limit')?.value ?? null;

export interface WorstCase {
  pool: string;
  text: string;
  /** More than the machine's memory. */
  over: boolean;
}

/** memory_limit × pm.max_children per pool, against the machine's memory. */
export function worstCases(picture: MemoryPicture): WorstCase[] {
  const total = picture.memory?.totalBytes ?? null;
  return picture.pools.map((pool) => {
    const limit = memoryLimitOf(pool);
    if (pool.worstCaseBytes === null) {
      const why = limit === '-1' ? 'memory_limit is -1 (no limit): a worker can take the whole machine' : limit === null ? 'memory_limit could not be read' : 'pm.max_children could not be read';
      return { pool: pool.name, text: `Pool ${pool.name}: worst case unknown (${why}).`, over: limit === '-1' };
    }
    const over = total !== null && pool.worstCaseBytes > total;
    const against = total === null ? '' : ` ${over ? '>' : '≤'} ${roundSize(total)} RAM`;
    return { pool: pool.name, text: `Pool ${pool.name}: memory_limit ${limit ?? '?'} × ${pool.maxChildren ?? '?'} workers = ${roundSize(pool.worstCaseBytes)}${against}`, over };
  });
}

/** The PHP processes' memory against the machine: "11 processes, RSS 210 MiB (PSS 150 MiB) of 1 GiB; 300 MiB available; swap 0 of 0". */
export function memoryLine(picture: MemoryPicture): string {
  const t = picture.phpTotal;
  const php = `${t.count} PHP processes, RSS ${roundSize(t.rssBytes)}${t.pssBytes !== null ? ` (PSS ${roundSize(t.pssBytes)})` : ''}`;
  const m = picture.memory;
  if (!m) return `${php}; the machine's memory could not be read`;
  const swap = m.swapTotalBytes === 0 ? 'no swap' : `swap ${roundSize(m.swapTotalBytes - m.swapFreeBytes)} used of ${roundSize(m.swapTotalBytes)}`;
  return `${php} of ${roundSize(m.totalBytes)} RAM${m.availableBytes !== null ? `, ${roundSize(m.availableBytes)} available` : ''}; ${swap}`;
}
