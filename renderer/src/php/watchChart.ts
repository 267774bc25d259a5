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
 * The lines the workers' memory is read against: a worker's memory_limit (from the memory picture, the
 * pools' largest), the machine's memory, and the PHP cgroup's limit where there is one.
 */
export function referenceLines(samples: readonly WatchSample[], picture: MemoryPicture | null): ReferenceLine[] {
  const lines: ReferenceLine[] = [];
  const limits = (picture?.pools ?? []).flatMap((p) => p.settings.filter((s) => s.name === 'memory_limit' && s.bytes !== null).map((s) => ({ bytes: s.bytes!, value: s.value })));
  const limit = limits.sort((a, b) => b.bytes - a.bytes)[0];
  if (limit) lines.push({ y: mib(limit.bytes), label: `memory_limit ${limit.value ?? roundSize(limit.bytes)}`, color: 'orange.6' });
  const last = samples.at(-1);
  const total = last?.memTotalBytes ?? picture?.memory?.totalBytes ?? null;
  if (total !== null) lines.push({ y: mib(total), label: `RAM ${roundSize(total)}`, color: 'red.6' });
  const cgroup = last?.cgroups.find((c) => c.maxBytes !== null);
  if (cgroup?.maxBytes != null && cgroup.maxBytes !== total) lines.push({ y: mib(cgroup.maxBytes), label: `cgroup limit ${roundSize(cgroup.maxBytes)}`, color: 'grape.6' });
  return lines;
}
