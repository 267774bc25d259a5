import { CAPTURE_MAGIC, decodeCapture, type CaptureRecord } from '../captures/format.js';

/**
 * What the remote receiver's scripts print (scripts.ts), as facts. Pure. The files come back as base64
 * chunks read from an offset; only whole records are taken, and the next read starts where the last
 * whole record ended, so a record being written while read is read again in full next time.
 */

export type RemoteTool = 'python3' | 'socat' | 'rsyslog';

export interface RemoteProbe {
  tools: Record<string, string | null>;
  home: string | null;
  /** The tool Backline uses, or null when there is none it can run. */
  tool: 'python3' | 'socat' | null;
  /** Why not, or what else was found, for people. */
  notes: string[];
}

const sectionsOf = (output: string): Map<string, string[]> => {
  const sections = new Map<string, string[]>();
  let current: string[] | null = null;
  for (const line of output.replace(/\r/g, '').split('\n')) {
    const header = /^##bl:(.+)$/.exec(line);
    if (header?.[1]) {
      current = [];
      sections.set(header[1], current);
    } else if (current && line.trim() !== '') current.push(line);
  }
  return sections;
};

export function parseRemoteProbe(output: string): RemoteProbe {
  const sections = sectionsOf(output);
  const tools = Object.fromEntries((sections.get('which') ?? []).map((l) => [l.split(' ')[0] ?? '', (l.split(' ')[1] ?? '-') === '-' ? null : (l.split(' ')[1] ?? null)]));
  const notes: string[] = [];
  const detach = tools.setsid !== null && tools.setsid !== undefined;
  let tool: RemoteProbe['tool'] = null;
  if (!detach) notes.push('setsid is missing: the receiver could not outlive the SSH channel.');
  else if (tools.python3) tool = 'python3';
  else if (tools.socat && tools.timeout) tool = 'socat';
  else if (tools.socat) notes.push('socat is there but timeout is not: the receiver could not stop by itself at its time limit.');
  if (!tools.base64) {
    tool = null;
    notes.push('base64 is missing: the captures could not be streamed back intact.');
  }
  if (tools.rsyslogd) notes.push("rsyslog is installed; Backline does not use it (it would mean changing the server's syslog configuration).");
  if (tool === null && !tools.python3 && !tools.socat) notes.push('Neither python3 nor socat is installed: install one of them (apt-get install python3-minimal, or socat), or choose another server.');
  return { tools, home: sectionsOf(output).get('home')?.[0] ?? null, tool, notes };
}

export interface StartOutcome {
  directory: string | null;
  pid: number | null;
  running: boolean;
  /** The receiver's last words (its log): `listening …`, `bind-failed …`, socat's error. */
  log: string[];
  failure: string | null;
}

export function parseStart(output: string): StartOutcome {
  const sections = sectionsOf(output);
  const started = sections.get('started') ?? [];
  const dir = started.find((l) => l.startsWith('dir '))?.slice(4) ?? null;
  const pid = Number(started.find((l) => l.startsWith('pid '))?.slice(4));
  const log = sections.get('log') ?? [];
  const running = (sections.get('state') ?? [])[0] === 'running' && !log.some((l) => l.startsWith('bind-failed'));
  const bindFailed = log.find((l) => l.startsWith('bind-failed'))?.slice('bind-failed '.length);
  const failure = sections.get('failed')?.join(' ') ?? (running ? null : bindFailed ? `it could not listen: ${bindFailed}` : `it stopped at once${log.length > 0 ? `: ${log.join(' ')}` : ''}`);
  return { directory: dir, pid: Number.isInteger(pid) && pid > 0 ? pid : null, running, log, failure };
}

export interface ListedReceiver {
  id: string;
  directory: string | null;
  tool: string | null;
  address: string | null;
  port: number | null;
  startedAt: number | null;
  seconds: number | null;
  ticketId: string | null;
  pid: number | null;
  running: boolean;
  stoppedByBackline: boolean;
  files: { name: string; size: number }[];
  lastLog: string | null;
}

export function parseList(output: string): { receivers: ListedReceiver[]; complete: boolean } {
  const sections = sectionsOf(output);
  const receivers: ListedReceiver[] = [];
  for (const [key, lines] of sections) {
    if (!key.startsWith('receiver ')) continue;
    const value = (name: string) => lines.find((l) => l.startsWith(`${name} `))?.slice(name.length + 1) ?? null;
    const num = (text: string | null) => (text !== null && /^\d+$/.test(text) ? Number(text) : null);
    receivers.push({
      id: key.slice('receiver '.length),
      directory: value('dir'),
      tool: value('tool'),
      address: value('address'),
      port: num(value('port')),
      startedAt: num(value('started')),
      seconds: num(value('seconds')),
      ticketId: value('ticket'),
      pid: num(value('pid')),
      running: value('state') === 'running',
      stoppedByBackline: value('stopped-by-backline') !== null,
      files: lines.filter((l) => l.startsWith('file ')).map((l) => ({ name: l.split(' ')[1] ?? '', size: Number(l.split(' ')[2] ?? 0) })),
      lastLog: value('log'),
    });
  }
  return { receivers, complete: sections.has('end') };
}

export interface FetchedFile {
  /** The file name: the sender's address with anything but [0-9A-Za-z.] as `_`, then `.ncap`. */
  name: string;
  size: number;
  /** Where this read started. */
  from: number;
  /** Whole records read. */
  records: CaptureRecord[];
  /** Where the next read starts: after the last whole record. */
  next: number;
  /** Bytes that are not records (not at the end, where a record may still be being written). */
  unparsed: { offset: number; length: number }[];
}

const recordLength = (r: CaptureRecord) => Buffer.byteLength(`${CAPTURE_MAGIC} ${r.receivedAtMs} ${r.port} ${r.bytes.length}\n`, 'latin1') + r.bytes.length + 1;

export function parseFetch(output: string): { files: FetchedFile[]; missing: boolean; complete: boolean } {
  const sections = sectionsOf(output);
  const files: FetchedFile[] = [];
  for (const [key, lines] of sections) {
    const header = /^file (\S+) (\d+) (\d+)$/.exec(key);
    if (!header?.[1]) continue;
    const from = Number(header[3]);
    const bytes = Buffer.from(lines.join(''), 'base64');
    const decoded = decodeCapture(bytes, from);
    const last = decoded.records.at(-1);
    const next = last ? last.offset + recordLength(last) : from;
    files.push({ name: header[1], size: Number(header[2]), from, records: decoded.records, next, unparsed: decoded.unparsed.filter((u) => u.offset + u.length < from + bytes.length || u.offset < next) });
  }
  return { files, missing: sections.has('missing'), complete: sections.has('end') };
}

/** The sender's address back from its file name, where it reads as one (IPv6 colons were written as `_`). */
export function senderOfFile(name: string): string {
  const base = name.replace(/\.ncap$/, '');
  return base.includes('_') ? base.replace(/_/g, ':') : base;
}
