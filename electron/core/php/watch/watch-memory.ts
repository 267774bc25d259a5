import type { WatchResult, WatchSample } from '../../../../shared/domain/php-scan.js';
import type { StoredServer } from '../../store/servers-repo.js';
import type { RemoteRunner } from '../../ssh/remote.js';
import { initialWatchState, readWatchLine, splitLines } from './watch-lines.js';
import { WATCH_AWK, WATCH_SCRIPT } from './watch-script.js';

export interface WatchMemoryOptions {
  /** Seconds between samples (0.2 to 3600). */
  intervalS: number;
  /** Stops the watch: the runner kills the remote loop's process group. */
  signal: AbortSignal;
  onSample?: (sample: WatchSample) => void;
  /** The longest the command may run; a day unless said. */
  maxS?: number;
  runId?: string;
}

/** Unparsed lines kept; a stream that goes wrong should not fill memory with them. */
const MAX_UNPARSED = 200;

/**
 * Streams the PHP workers' memory from the server (watch-script.ts): one long-running read-only
 * command, each sample handed to `onSample` as it arrives and all of them returned when the watch
 * ends. The engineer's stop (the signal) is the normal end. No sudo: /proc's stat and the cgroup files
 * are readable by every user; only cmdline of another user's process may be hidden (hidepid), which
 * shows as PHP workers without a pool name.
 */
export async function watchMemory(remote: RemoteRunner, server: StoredServer, options: WatchMemoryOptions): Promise<WatchResult> {
  const { intervalS } = options;
  if (!(intervalS >= 0.2 && intervalS <= 3600)) throw new RangeError(`watchMemory: intervalS must be from 0.2 to 3600 seconds, not ${intervalS}`);
  const samples: WatchSample[] = [];
  const unparsed: string[] = [];
  let state = initialWatchState();
  let carry = '';
  const take = (line: string) => {
    const read = readWatchLine(state, line);
    state = read.state;
    if (read.unparsed !== null && unparsed.length < MAX_UNPARSED) unparsed.push(read.unparsed);
    if (read.sample) {
      samples.push(read.sample);
      options.onSample?.(read.sample);
    }
  };
  const decoder = new TextDecoder();
  const result = await remote.run({
    server,
    argv: ['/bin/sh', '-c', WATCH_SCRIPT, 'backline-watch', String(intervalS), WATCH_AWK],
    sudo: false,
    viaStdin: true,
    purpose: `Watching PHP memory every ${intervalS} s`,
    timeoutMs: (options.maxS ?? 24 * 3600) * 1000,
    signal: options.signal,
    // The audit keeps the start and the end of a long watch; the samples themselves are returned.
    output: { headBytes: 256 * 1024, tailBytes: 64 * 1024 },
    onData: (stream, chunk) => {
      if (stream !== 'stdout') return;
      const split = splitLines(carry, decoder.decode(chunk, { stream: true }));
      carry = split.carry;
      for (const line of split.lines) take(line);
    },
    ...(options.runId ? { runId: options.runId } : {}),
  });
  if (carry !== '') take(carry);
  const statements: string[] = [];
  let stopped: WatchResult['stopped'];
  if (result.error?.code === 'CANCELLED') {
    stopped = 'cancelled';
  } else if (result.error) {
    stopped = 'error';
    statements.push(`The memory watch on ${server.label} stopped: ${result.error.message}${result.error.hint ? ` ${result.error.hint}` : ''}`);
  } else {
    stopped = 'ended';
    statements.push(`The memory watch's command on ${server.label} ended by itself (exit ${result.exitCode ?? result.signal ?? '?'})${result.stderr.text.trim() ? `: ${result.stderr.text.trim().split('\n').at(-1)}` : ''}.`);
  }
  if (samples.length > 0 && samples.every((s) => s.workerCount === 0)) statements.push(`No PHP process (php-fpm, php, php-cgi, lsphp, apache2 or httpd) ran on ${server.label} during the watch.`);
  return { samples, intervalS, stopped, statements, unparsed };
}
