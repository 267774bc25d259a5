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

const PS_ROW = /^\s*(\d+)\s+(\d+)\s+(\S+)\s+(\d+)\s+(\d+)\s+(\S+)\s+(.*)$/;

export function parsePs(lines: readonly string[], section = 'ps'): { processes: ProcessMemory[]; unparsed: UnparsedLine[] } {
  const processes: ProcessMemory[] = [];
  const unparsed: UnparsedLine[] = [];
  for (const line of lines) {
    if (/^\s*PID\s+PPID\s+USER\b/.test(line)) continue;
    const row = PS_ROW.exec(line);
    if (!row) {
      unparsed.push({ section, line });
      continue;
    }
    const [, pid = '', ppid = '', user = '', rss = '', vsz = '', elapsed = '', args = ''] = row;
    processes.push({
      pid: Number(pid),
      ppid: Number(ppid),
      user,
      rssBytes: Number(rss) * 1024,
      vszBytes: Number(vsz) * 1024,
      pssBytes: null,
      elapsedS: parseElapsed(elapsed),
      args: args.trim(),
      ...processRole(args.trim()),
    });
  }
  return { processes, unparsed };
}

export type Namespace = 'same' | 'other' | 'unknown';

/**
 * `PID Pss:  1524 kB` or `PID unreadable`, and `PID ns=same|other|unknown` (whether the process shares
 * the probe's mount namespace: PHP in a container shows in ps, but is not this system's PHP).
 */
export function parsePss(lines: readonly string[], section = 'pss'): { pss: Map<number, number | null>; namespaces: Map<number, Namespace>; unparsed: UnparsedLine[] } {
  const pss = new Map<number, number | null>();
  const namespaces = new Map<number, Namespace>();
  const unparsed: UnparsedLine[] = [];
  for (const line of lines) {
    const read = /^(\d+) Pss:\s+(\d+ kB)$/.exec(line.trim());
    const unreadable = /^(\d+) unreadable$/.exec(line.trim());
    const ns = /^(\d+) ns=(same|other|unknown)$/.exec(line.trim());
    if (read) pss.set(Number(read[1]), kibToBytes(read[2]));
    else if (unreadable) pss.set(Number(unreadable[1]), null);
    else if (ns) namespaces.set(Number(ns[1]), ns[2] as Namespace);
    else unparsed.push({ section, line });
  }
  return { pss, namespaces, unparsed };
}
