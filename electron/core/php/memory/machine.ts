import type { CgroupMemory, MachineMemory, UnparsedLine } from '../../../../shared/domain/php-memory.js';
import { kibToBytes } from './sizes.js';

/** /proc/meminfo's MemTotal, MemAvailable (3.14 and later), SwapTotal and SwapFree. */
export function parseMeminfo(lines: readonly string[], section = 'meminfo'): { memory: MachineMemory | null; unparsed: UnparsedLine[] } {
  const values = new Map<string, number>();
  const unparsed: UnparsedLine[] = [];
  for (const line of lines) {
    const match = /^(\w+):\s+(\d+ kB)$/.exec(line.trim());
    const bytes = kibToBytes(match?.[2]);
    if (match?.[1] && bytes !== null) values.set(match[1], bytes);
    else unparsed.push({ section, line });
  }
  const total = values.get('MemTotal');
  if (total === undefined) return { memory: null, unparsed };
  return {
    memory: { totalBytes: total, availableBytes: values.get('MemAvailable') ?? null, swapTotalBytes: values.get('SwapTotal') ?? 0, swapFreeBytes: values.get('SwapFree') ?? 0 },
    unparsed,
  };
}

/** v1's "no limit" is the largest page-aligned 63-bit number; anything near it means unlimited. */
const V1_UNLIMITED = 2 ** 62;

/**
 * The FPM master's memory cgroup: /proc/PID/cgroup lines (`4:memory:/blm-fix`, `0::/system.slice/...`)
 * and the probe's summary `v2|v1 DIR max=... current=... oom_kill=N` of the directory it found.
 */
export function parseCgroup(lines: readonly string[], section = 'fpm-cgroup'): { cgroup: CgroupMemory | null; unparsed: UnparsedLine[] } {
  const unparsed: UnparsedLine[] = [];
  const paths: { v1: string | null; v2: string | null } = { v1: null, v2: null };
  let cgroup: CgroupMemory | null = null;
  for (const line of lines) {
    const membership = /^(\d+):([^:]*):(.*)$/.exec(line.trim());
    const summary = /^(v1|v2) (\S+) max=(\S*) current=(\S*)(?: oom_kill=(\d+))?$/.exec(line.trim());
    if (membership) {
      const [, hierarchy = '', controllers = '', path = ''] = membership;
      if (hierarchy === '0' && controllers === '') paths.v2 = path;
      else if (controllers.split(',').includes('memory')) paths.v1 = path;
    } else if (summary) {
      const [, version = 'v2', , max = '', current = '', oomKill] = summary;
      const limit = max === 'max' || max === '' ? null : Number(max);
      const v = version === 'v1' ? 1 : 2;
      cgroup = {
        version: v,
        path: (v === 1 ? paths.v1 : paths.v2) ?? '/',
        limitBytes: limit === null || !Number.isFinite(limit) || limit >= V1_UNLIMITED ? null : limit,
        currentBytes: /^\d+$/.test(current) ? Number(current) : null,
        oomKills: oomKill === undefined ? null : Number(oomKill),
      };
    } else {
      unparsed.push({ section, line });
    }
  }
  return { cgroup, unparsed };
}
