import type { SlowlogEntry, UnparsedLine } from '../../../../shared/domain/php-memory.js';

/**
 * PHP's and FPM's logs, and the PHP lines of the web servers' error logs, as the probe tailed them:
 * - PHP's error_log: "[02-Dec-2026 01:12:45 UTC] PHP Fatal error:  Allowed memory size of 67108864 bytes
 *   exhausted (tried to allocate 104861696 bytes) in /srv/site/feed.php on line 2"
 * - FPM's error_log: "[02-Dec-2026 01:12:50] WARNING: [pool www] child 31410 exited on signal 9 (SIGKILL)
 *   after 5.655113 seconds from start", "[pool api] server reached pm.max_children setting (2), consider
 *   raising it", and PHP's own messages when the pool catches workers' output ("child N said into stderr")
 * - nginx: `2026/12/02 01:12:45 [error] 812#812: *5 FastCGI sent in stderr: "PHP message: PHP Fatal
 *   error: ..."`; Apache: "[Wed Dec 02 01:12:45.123456 2026] [php:error] [pid 123] ... PHP Fatal error: ..."
 * - a pool's slowlog: blocks of "[02-Dec-2026 01:12:46]  [pool www] pid 31410", "script_filename = ...",
 *   then the stack, one "[0x00007f...] function() file:line" per line.
 * Other lines of a known shape are counted, not kept; lines of no known shape are unparsed.
 */

export type PhpLogKind = 'fpm-error' | 'php-error' | 'slowlog' | 'web-error';

export interface ExhaustedAt {
  file: string;
  line: number;
  limitBytes: number;
  triedBytes: number;
  at: string | null;
  log: string;
}

export interface ChildSignalAt {
  pool: string | null;
  pid: number;
  signal: string;
  at: string | null;
}

export interface PhpLogReading {
  exhausted: ExhaustedAt[];
  childSignals: ChildSignalAt[];
  maxChildren: { pool: string; at: string | null }[];
  slowlog: SlowlogEntry[];
  /** Lines of a known shape that are not one of the events above. */
  otherLines: number;
  unparsed: UnparsedLine[];
}

const EXHAUSTED = /Allowed memory size of (\d+) bytes exhausted(?: at \S+)?(?: \(tried to allocate (\d+) bytes?\))? in (.+?) on line (\d+)/g;
const CHILD_SIGNAL = /(?:\[pool ([^\]]+)\] )?child (\d+) exited on signal (\d+) \((SIG[A-Z0-9]+)[^)]*\)/;
const MAX_CHILDREN = /\[pool ([^\]]+)\] server reached (?:pm\.)?max_children setting/;

/** The time a log line starts with, and whether it has a shape this parser knows. */
function stampOf(line: string): { at: string | null; known: boolean } {
  const bracket = /^\[([^\]]+)\]/.exec(line);
  if (bracket) return { at: bracket[1] ?? null, known: true };
  const nginx = /^(\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}:\d{2}) \[\w+\]/.exec(line);
  if (nginx) return { at: nginx[1] ?? null, known: true };
  // PHP's error_log = syslog-style targets or stderr without a time: "PHP Fatal error: ...".
  if (/^PHP [A-Z]/.test(line)) return { at: null, known: true };
  return { at: null, known: false };
}

function emptyReading(): PhpLogReading {
  return { exhausted: [], childSignals: [], maxChildren: [], slowlog: [], otherLines: 0, unparsed: [] };
}

export function parsePhpLog(lines: readonly string[], kind: PhpLogKind, path: string): PhpLogReading {
  if (kind === 'slowlog') return parseSlowlog(lines, path);
  const reading = emptyReading();
  const section = `log ${path}`;
  for (const line of lines) {
    if (line.trim() === '') continue;
    const { at, known } = stampOf(line);
    let matched = false;
    for (const match of line.matchAll(EXHAUSTED)) {
      matched = true;
      reading.exhausted.push({ file: match[3] ?? '', line: Number(match[4]), limitBytes: Number(match[1]), triedBytes: Number(match[2] ?? 0), at, log: path });
    }
    const signal = CHILD_SIGNAL.exec(line);
    if (signal) {
      matched = true;
      reading.childSignals.push({ pool: signal[1] ?? null, pid: Number(signal[2]), signal: signal[4] ?? `signal ${signal[3]}`, at });
    }
    const maxChildren = MAX_CHILDREN.exec(line);
    if (maxChildren) {
      matched = true;
      reading.maxChildren.push({ pool: maxChildren[1] ?? '', at });
    }
    if (matched) continue;
    if (known) reading.otherLines++;
    else reading.unparsed.push({ section, line });
  }
  return reading;
}

function parseSlowlog(lines: readonly string[], path: string): PhpLogReading {
  const reading = emptyReading();
  const section = `log ${path}`;
  let entry: SlowlogEntry | null = null;
  for (const line of lines) {
    // Entries are separated by a blank line.
    if (line.trim() === '') continue;
    const head = /^\[([^\]]+)\]\s+\[pool ([^\]]+)\] pid (\d+)\s*$/.exec(line);
    const script = /^script_filename = (.*)$/.exec(line);
    const frame = /^\[0x[0-9a-f]+\] (.*)$/.exec(line);
    if (head) {
      entry = { at: head[1] ?? null, pool: head[2] ?? null, pid: Number(head[3]), scriptFilename: null, stack: [], log: path };
      reading.slowlog.push(entry);
    } else if (script && entry) {
      entry.scriptFilename = script[1]?.trim() ?? null;
    } else if (frame && entry) {
      entry.stack.push(frame[1] ?? '');
    } else {
      reading.unparsed.push({ section, line });
    }
  }
  return reading;
}
