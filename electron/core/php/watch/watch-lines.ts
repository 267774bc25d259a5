import type { WatchCgroup, WatchSample, WorkerGroup } from '../../../../shared/domain/php-scan.js';

/**
 * Reads the watch's output line by line as it streams (watch-script.ts lists the lines): a pure
 * reducer, the state is the sample being read. A sample is complete at its `E` line; a line that fits
 * nowhere goes to `unparsed`, and a sample cut short by a new `S` is dropped with a note there.
 */

export interface WatchLineState {
  partial: {
    epoch: number;
    uptimeS: number;
    mem: [number, number, number, number] | null;
    groups: WorkerGroup[];
    cgroups: WatchCgroup[];
  } | null;
}

export const initialWatchState = (): WatchLineState => ({ partial: null });

export interface WatchLineResult {
  state: WatchLineState;
  sample: WatchSample | null;
  unparsed: string | null;
}

/** memory.limit_in_bytes of an unlimited v1 cgroup is a page-rounded 2^63: no limit. */
const NO_LIMIT = 2 ** 60;

export function readWatchLine(state: WatchLineState, raw: string): WatchLineResult {
  const line = raw.replace(/\r$/, '');
  const keep = (next: WatchLineState): WatchLineResult => ({ state: next, sample: null, unparsed: null });
  const odd = (why = line): WatchLineResult => ({ state, sample: null, unparsed: why });
  if (line === '') return keep(state);
  let m: RegExpExecArray | null;
  if ((m = /^S (\d+) (\d+(?:\.\d+)?)$/.exec(line))) {
    const next: WatchLineState = { partial: { epoch: Number(m[1]), uptimeS: Number(m[2]), mem: null, groups: [], cgroups: [] } };
    return state.partial ? { state: next, sample: null, unparsed: `a sample from ${new Date(state.partial.epoch * 1000).toISOString()} was cut short` } : keep(next);
  }
  const partial = state.partial;
  if (!partial) return odd();
  if ((m = /^M (\d+) (\d+) (\d+) (\d+)$/.exec(line))) {
    return keep({ partial: { ...partial, mem: [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4])] } });
  }
  if ((m = /^G (\d+) (\d+) (\d+) (.+)$/.exec(line)) && Number(m[1]) > 0) {
    return keep({ partial: { ...partial, groups: [...partial.groups, { name: m[4]!, count: Number(m[1]), rssBytes: Number(m[2]), maxRssBytes: Number(m[3]) }] } });
  }
  if ((m = /^C (\d+) (\d+|max) (.+)$/.exec(line))) {
    const max = m[2] === 'max' || Number(m[2]) >= NO_LIMIT ? null : Number(m[2]);
    return keep({ partial: { ...partial, cgroups: [...partial.cgroups, { path: m[3]!, currentBytes: Number(m[1]), maxBytes: max }] } });
  }
  if (line === 'E') {
    const kb = (i: number) => (partial.mem ? partial.mem[i]! * 1024 : null);
    // MemAvailable is 0 on kernels before 3.14, which do not have it: unknown, not zero.
    const available = partial.mem && partial.mem[1] > 0 ? kb(1) : null;
    const sample: WatchSample = {
      at: new Date(partial.epoch * 1000).toISOString(),
      uptimeS: partial.uptimeS,
      groups: partial.groups,
      workerCount: partial.groups.reduce((n, g) => n + g.count, 0),
      rssBytes: partial.groups.reduce((n, g) => n + g.rssBytes, 0),
      memTotalBytes: kb(0),
      memAvailableBytes: available,
      swapTotalBytes: kb(2),
      swapFreeBytes: kb(3),
      cgroups: partial.cgroups,
    };
    return { state: { partial: null }, sample, unparsed: null };
  }
  return odd();
}

/** Cuts a stream into lines across chunks; the last, unfinished line is carried. */
export function splitLines(carry: string, chunk: string): { lines: string[]; carry: string } {
  const text = carry + chunk;
  const parts = text.split('\n');
  return { lines: parts.slice(0, -1), carry: parts.at(-1) ?? '' };
}
