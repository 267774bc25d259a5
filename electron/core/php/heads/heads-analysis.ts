import { formatSize } from '../../../../shared/domain/size.js';
import type { HeadFetch, HeadMark } from '../../../../shared/domain/php-scan.js';

/**
 * Which heads answer unlike the others, and why: an error status (or no answer) where the others
 * answer 2xx, a body far larger than the others' median, a fetch much slower. Each head is compared
 * with the median of the *other* heads, so one bad head of three cannot drag the median its way.
 */

/** Far larger: this many times the others' median, and at least SIZE_FLOOR more. */
export const SIZE_FACTOR = 10;
export const SIZE_FLOOR = 1024 * 1024;
/** Much slower: this many times the others' median total time, and at least SLOW_FLOOR_MS more. */
export const SLOW_FACTOR = 3;
export const SLOW_FLOOR_MS = 1000;

const median = (values: number[]): number | null => {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

const ok = (f: HeadFetch) => f.status !== null && f.status >= 200 && f.status < 300;

/** What the head would send in all: Content-Length when it says more than was read, else what was read. */
export function bodySize(f: HeadFetch): number {
  return f.contentLength !== null && f.contentLength > f.bytes ? f.contentLength : f.bytes;
}

function describeSize(f: HeadFetch): string {
  if (f.capped) return f.contentLength !== null ? `a ${formatSize(f.contentLength)} body (Content-Length; the probe stopped reading at ${formatSize(f.bytes)})` : `a body of more than ${formatSize(f.bytes)} (${f.chunked ? 'chunked, ' : ''}the probe stopped reading there)`;
  return `a ${formatSize(f.bytes)} body`;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;

/** The marks of each fetch, in the same order. */
export function markHeads(fetches: HeadFetch[]): HeadMark[][] {
  return fetches.map((f, i) => {
    const others = fetches.filter((_, j) => j !== i);
    if (others.length === 0) return [];
    const marks: HeadMark[] = [];
    const othersOk = others.filter(ok);
    if (f.status === null) {
      if (others.some((o) => o.status !== null)) marks.push({ kind: 'error', reason: `no answer (${f.error ?? 'nothing received'}) while ${othersOk.length > 0 ? 'the others answer' : 'others answer'} ${[...new Set(others.filter((o) => o.status !== null).map((o) => o.status))].join(', ')}` });
    } else if (!ok(f) && othersOk.length > 0) {
      marks.push({ kind: 'status', reason: `answers ${f.statusLine?.replace(/^HTTP\/\S+ /, '') ?? f.status} while ${othersOk.length === others.length ? 'the others answer' : `${othersOk.length} of the others answer`} ${[...new Set(othersOk.map((o) => o.status))].join(', ')}` });
    }
    const answered = others.filter((o) => o.status !== null);
    const sizes = median(answered.map(bodySize));
    if (f.status !== null && sizes !== null) {
      const size = bodySize(f);
      if (size >= sizes * SIZE_FACTOR && size >= sizes + SIZE_FLOOR) {
        marks.push({ kind: 'size', reason: `${describeSize(f)}, where the others' median is ${formatSize(sizes)}` });
      }
    }
    const times = median(answered.map((o) => o.totalMs).filter((t): t is number => t !== null));
    if (f.totalMs !== null && times !== null && f.totalMs >= times * SLOW_FACTOR && f.totalMs >= times + SLOW_FLOOR_MS) {
      marks.push({ kind: 'slow', reason: `took ${seconds(f.totalMs)}${f.timedOut ? ' (the time limit)' : ''}, where the others' median is ${seconds(times)}` });
    }
    return marks;
  });
}

/** One line for the top of the result. */
export function summarizeHeads(host: string, heads: { address: string; fetch: HeadFetch; marks: HeadMark[] }[]): string {
  if (heads.length === 0) return `No address of ${host} was fetched.`;
  const differing = heads.filter((h) => h.marks.length > 0);
  if (differing.length === 0) {
    const statuses = [...new Set(heads.map((h) => h.fetch.status ?? 'no answer'))].join(', ');
    return `All ${heads.length} addresses of ${host} answer alike (${statuses}).`;
  }
  return `${differing.length} of ${heads.length} addresses of ${host} differ: ${differing.map((h) => `${h.address} ${h.marks.map((m) => m.reason).join('; ')}`).join(' · ')}.`;
}
