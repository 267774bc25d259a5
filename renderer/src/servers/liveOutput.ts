/**
 * Live output of a running command on one host, as it streams in. Only the end is kept (the final
 * result carries the bounded head and tail); a long-running command must not grow the window's memory.
 */
export type Stream = 'stdout' | 'stderr';

export interface Segment {
  stream: Stream;
  text: string;
}

export interface LiveOutput {
  /** Consecutive chunks of the same stream are merged, so this stays short. */
  segments: readonly Segment[];
  /** Characters held in `segments`. */
  chars: number;
  /** Characters dropped from the start to stay within the limit. */
  droppedChars: number;
}

/** About 200 KB of text per host: enough to follow along, small enough to render. */
export const LIVE_CHAR_LIMIT = 200_000;
/** Alternating stdout/stderr can make many tiny segments; past this the oldest go. */
export const LIVE_SEGMENT_LIMIT = 2_000;

export const emptyLiveOutput: LiveOutput = { segments: [], chars: 0, droppedChars: 0 };

/** Appends a chunk, then trims the start to at most `limit` characters (and LIVE_SEGMENT_LIMIT segments). */
export function appendOutput(live: LiveOutput, stream: Stream, data: string, limit = LIVE_CHAR_LIMIT): LiveOutput {
  if (data === '') return live;
  const segments = [...live.segments];
  const last = segments.at(-1);
  if (last?.stream === stream) segments[segments.length - 1] = { stream, text: last.text + data };
  else segments.push({ stream, text: data });

  let chars = live.chars + data.length;
  let dropped = live.droppedChars;
  let start = 0;
  while (start < segments.length - 1 && (chars - segments[start]!.text.length >= limit || segments.length - start > LIVE_SEGMENT_LIMIT)) {
    chars -= segments[start]!.text.length;
    dropped += segments[start]!.text.length;
    start += 1;
  }
  const kept = segments.slice(start);
  if (chars > limit) {
    const first = kept[0]!;
    const cut = chars - limit;
    kept[0] = { stream: first.stream, text: first.text.slice(cut) };
    chars -= cut;
    dropped += cut;
  }
  return { segments: kept, chars, droppedChars: dropped };
}

/** Per-host live output for one run, keyed by server id. */
export type LiveByServer = Readonly<Record<number, LiveOutput>>;

export function appendForServer(live: LiveByServer, serverId: number, stream: Stream, data: string, limit = LIVE_CHAR_LIMIT): LiveByServer {
  return { ...live, [serverId]: appendOutput(live[serverId] ?? emptyLiveOutput, stream, data, limit) };
}
