import type { ProcessMemory, UnparsedLine } from '../../../../shared/domain/php-memory.js';
import { kibToBytes } from './sizes.js';

/**
 * `ps -eo pid,ppid,user:32,rss,vsz,etimes,args` (procps; `etime` where etimes is not known), filtered to
 * PHP's processes by the probe, and the PSS the probe read from each one's /proc/PID/smaps_rollup.
 */

/** ps's etime ([[dd-]hh:]mm:ss) or etimes (seconds) in seconds. */
export function parseElapsed(text: string): number | null {
  if (/^\d+$/.test(text)) return Number(text);
  const match = /^(?:(\d+)-)?(?:(\d+):)?(\d+):(\d+)$/.exec(text);
  if (!match) return null;
  const [, days = '0', hours = '0', minutes = '0', seconds = '0'] = match;
  return ((Number(days) * 24 + Number(hours)) * 60 + Number(minutes)) * 60 + Number(seconds);
}

/** What a PHP process is, from its command line (FPM rewrites its title: "php-fpm: pool www"). */
export function processRole(args: string): Pick<ProcessMemory, 'role' | 'pool'> {
  const fpm = /^php-fpm[\d.]*: (master process|pool (\S+))/.exec(args);
  if (fpm) return fpm[2] ? { role: 'fpm-worker', pool: fpm[2] } : { role: 'fpm-master', pool: null };
  const command = args.split(/\s+/)[0]?.split('/').at(-1) ?? '';
  if (/^(apache2|httpd)$/.test(command)) return { role: 'apache', pool: null };
  if (/^(php[\d.]*|php-cgi[\d.]*|lsphp\d*)$/.test(command)) return { role: 'cli', pool: null };
  return { role: 'other', pool: null };
}

/** ps sizes: procps prints KiB; BusyBox prints KiB up to 9999, then "15m", "1.2g". */
export function parsePsSize(text: string): number | null {
  const match = /^(\d+(?:\.\d+)?)([kmgt]?)$/i.exec(text);
  if (!match) return null;
  const unit = (match[2] ?? '').toLowerCase();
  const kib = Number(match[1]) * (unit === 'm' ? 1024 : unit === 'g' ? 1024 ** 2 : unit === 't' ? 1024 ** 3 : 1);
  return Math.round(kib * 1024);
}

type Column = 'pid' | 'ppid' | 'user' | 'rss' | 'vsz' | 'elapsed' | 'args';
const HEADERS: Record<string, Column> = { PID: 'pid', PPID: 'ppid', USER: 'user', RSS: 'rss', RSZ: 'rss', VSZ: 'vsz', VSIZE: 'vsz', ELAPSED: 'elapsed', COMMAND: 'args', CMD: 'args', ARGS: 'args' };

/** Rows of `ps -o` with the columns its header names (procps or BusyBox); the command is the rest of the line. */
export function parsePs(lines: readonly string[], section = 'ps'): { processes: ProcessMemory[]; unparsed: UnparsedLine[] } {
  const processes: ProcessMemory[] = [];
  const unparsed: UnparsedLine[] = [];
  let columns: Column[] | null = null;
  for (const line of lines) {
    const words = line.trim().split(/\s+/);
    if (words[0] === 'PID' && words.every((w) => w in HEADERS)) {
      columns = words.map((w) => HEADERS[w] as Column);
      continue;
    }
    const fixed = columns ? columns.length - 1 : 0;
    if (!columns || columns.at(-1) !== 'args' || words.length <= fixed) {
      unparsed.push({ section, line });
      continue;
    }
    const cells = columns;
    const value = (column: Column) => {
      const at = cells.indexOf(column);
      return at < 0 ? undefined : words[at];
    };
    // BusyBox puts "{comm}" before a command line the process rewrote (php-fpm's "pool www").
    const args = words.slice(fixed).join(' ').replace(/^\{[^}]*\} /, '');
    const pid = Number(value('pid'));
    const ppid = Number(value('ppid') ?? 0);
    const rss = parsePsSize(value('rss') ?? '');
    const vsz = parsePsSize(value('vsz') ?? '0');
    if (!Number.isInteger(pid) || pid <= 0 || !Number.isInteger(ppid) || rss === null || vsz === null) {
      unparsed.push({ section, line });
      continue;
    }
    const elapsed = value('elapsed');
    processes.push({
      pid,
      ppid,
      user: value('user') ?? '?',
      rssBytes: rss,
      vszBytes: vsz,
      pssBytes: null,
      elapsedS: elapsed === undefined ? null : parseElapsed(elapsed),
      args,
      ...processRole(args),
    });
  }
  return { processes, unparsed };
}

export type Namespace = 'same' | 'other' | 'unknown';

/**
 * `PID Pss:  1524 kB`, `PID unreadable` or `PID gone`, and `PID ns=same|other|unknown` (whether the process shares
 * the probe's mount namespace: PHP in a container shows in ps, but is not this system's PHP).
 */
export function parsePss(lines: readonly string[], section = 'pss'): { pss: Map<number, number | null>; namespaces: Map<number, Namespace>; gone: Set<number>; unparsed: UnparsedLine[] } {
  const pss = new Map<number, number | null>();
  const namespaces = new Map<number, Namespace>();
  /** Processes that ended between ps and this read (a php -r of a cron job, another probe). */
  const gone = new Set<number>();
  const unparsed: UnparsedLine[] = [];
  for (const line of lines) {
    const ended = /^(\d+) gone$/.exec(line.trim());
    if (ended) {
      gone.add(Number(ended[1]));
      continue;
    }
    const read = /^(\d+) Pss:\s+(\d+ kB)$/.exec(line.trim());
    const unreadable = /^(\d+) unreadable$/.exec(line.trim());
    const ns = /^(\d+) ns=(same|other|unknown)$/.exec(line.trim());
    if (read) pss.set(Number(read[1]), kibToBytes(read[2]));
    else if (unreadable) pss.set(Number(unreadable[1]), null);
    else if (ns) namespaces.set(Number(ns[1]), ns[2] as Namespace);
    else unparsed.push({ section, line });
  }
  return { pss, namespaces, gone, unparsed };
}
