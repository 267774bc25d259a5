import type { MemoryPicture } from '../../../shared/domain/php-memory.js';
import { roundSize } from '../../../shared/domain/php-findings.js';
import type { WatchSample } from '../../../shared/domain/php-scan.js';

const MiB = 1024 * 1024;
const mib = (bytes: number) => Math.round((bytes / MiB) * 10) / 10;

export interface WatchPoint {
  /** The server's clock, HH:MM:SS. */
  time: string;
  /** Every PHP process's RSS, summed, in MiB. */
  php: number;
  /** The largest single PHP process, in MiB. */
  largest: number;
}

export function watchPoints(samples: readonly WatchSample[]): WatchPoint[] {
  return samples.map((s) => ({
    time: s.at.slice(11, 19),
    php: mib(s.rssBytes),
    largest: mib(Math.max(0, ...s.groups.map((g) => g.maxRssBytes))),
  }));
}

export interface ReferenceLine {
  /** In MiB, as the points. */
  y: number;
  label: string;
  color: string;
}

/**
 * The lines the workers' memory is read against: each pool's memory_limit (a worker's own bound), the PHP
 * cgroup's limit where there is one, and the machine's memory. A line far above everything else (the RAM
 * of a big machine) would squash the workers to the floor: it is left off the chart and said in `offScale`.
 */
export function referenceLines(samples: readonly WatchSample[], picture: MemoryPicture | null): { lines: ReferenceLine[]; offScale: string[] } {
  const lines: ReferenceLine[] = [];
  const byLimit = new Map<number, { value: string | null; pools: string[] }>();
  for (const pool of picture?.pools ?? []) {
    const limit = pool.settings.find((s) => s.name === 'memory_limit' && s.bytes !== null);
    if (!limit?.bytes) continue;
    const entry = byLimit.get(limit.bytes) ?? { value: limit.value, pools: [] };
    entry.pools.push(pool.name);
    byLimit.set(limit.bytes, entry);
  }
  for (const [bytes, { value, pools }] of [...byLimit].sort((a, b) => a[0] - b[0])) {
    lines.push({ y: mib(bytes), label: `memory_limit ${value ?? roundSize(bytes)} (${pools.join(', ')})`, color: 'orange.6' });
  }
  const last = samples.at(-1);
  const total = last?.memTotalBytes ?? picture?.memory?.totalBytes ?? null;
  const cgroup = last?.cgroups.find((c) => c.maxBytes !== null);
  if (cgroup?.maxBytes != null && cgroup.maxBytes !== total) lines.push({ y: mib(cgroup.maxBytes), label: `cgroup limit ${roundSize(cgroup.maxBytes)}`, color: 'grape.6' });
  const offScale: string[] = [];
  if (total !== null) {
    const scale = Math.max(0, ...samples.map((s) => mib(s.rssBytes)), ...lines.map((l) => l.y));
    if (scale === 0 || mib(total) <= 4 * scale) lines.push({ y: mib(total), label: `RAM ${roundSize(total)}`, color: 'red.6' });
    else offScale.push(`RAM ${roundSize(total)}`);
  }
  return { lines, offScale };
}
