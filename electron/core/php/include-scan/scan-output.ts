import { parseHost } from '../../../../shared/domain/address.js';
import { formatSize } from '../../../../shared/domain/size.js';
import type { IncludeFunction, IncludeHit, ScanLimits, ScannedDocroot, ScanStopReason } from '../../../../shared/domain/php-scan.js';

/**
 * Reads the scan script's output (scan-script.ts lists its lines) into hits, each docroot's state and
 * where the walk stopped. Pure; the I/O is include-scan.ts.
 */

export interface ScanReading {
  docroots: ScannedDocroot[];
  hits: IncludeHit[];
  hitsLeftOut: number;
  stopped: { reason: ScanStopReason; filesSeen: number; bytesSeen: number; message: string };
  unreadable: string[];
  statements: string[];
  unparsed: string[];
}

/** Code kept of a hit's line around its URL. */
export const CODE_CHARS = 400;

const DEFAULT_PORTS = { http: 80, https: 443, ftp: 21, ftps: 990 } as const;
type Scheme = keyof typeof DEFAULT_PORTS;

/** How each call must follow its name for the line to count as that call (a word in a comment does not). */
const CALLS: { name: IncludeFunction; after: RegExp }[] = [
  ...(['include_once', 'include', 'require_once', 'require'] as const).map((name) => ({ name, after: /^\s*[("'\s]/ })),
  { name: 'CURLOPT_URL', after: /^\s*,/ },
  ...(['file_get_contents', 'fopen', 'readfile', 'file', 'curl_init', 'simplexml_load_file', 'get_headers', 'copy', 'getimagesize', 'parse_ini_file', 'md5_file'] as const).map((name) => ({ name, after: /^\s*\(/ })),
];
const CALL_WORD = /(?:^|[^a-z0-9_$>:])(include_once|include|require_once|require|curlopt_url|file_get_contents|fopen|readfile|file|curl_init|simplexml_load_file|get_headers|copy|getimagesize|parse_ini_file|md5_file)(?![a-z0-9_])/gi;

/** The call closest before `at` on the line that reads what follows it. */
export function callBefore(code: string, at: number): IncludeFunction | null {
  const before = code.slice(0, at);
  let found: IncludeFunction | null = null;
  for (const m of before.matchAll(CALL_WORD)) {
    const word = m[1]!;
    const call = CALLS.find((c) => c.name.toLowerCase() === word.toLowerCase());
    const rest = before.slice(m.index + m[0].length);
    if (call && call.after.test(rest)) found = call.name;
  }
  return found;
}

/** The URLs written in quotes on a line: `'http://feeds.lab.test/x'`, `"https://$host/feed"`. */
export function urlsIn(code: string): { url: string; at: number }[] {
  return [...code.matchAll(/(['"])((?:https?|ftps?):\/\/[^'"\s]*)/gi)].map((m) => ({ url: m[2]!, at: m.index }));
}

/** The host and port a URL names, or why its host cannot be known before PHP runs. */
export function hostOfUrl(url: string): { scheme: Scheme; host: string | null; hostProblem: string | null; port: number } {
  const scheme = url.slice(0, url.indexOf(':')).toLowerCase() as Scheme;
  let authority = url.slice(url.indexOf('://') + 3).split(/[/?#]/, 1)[0] ?? '';
  authority = authority.slice(authority.lastIndexOf('@') + 1);
  let host = authority;
  let portText = '';
  if (authority.startsWith('[')) {
    const close = authority.indexOf(']');
    host = close < 0 ? authority : authority.slice(0, close + 1);
    portText = close < 0 ? '' : authority.slice(close + 1).replace(/^:/, '');
  } else if (authority.includes(':')) {
    [host = '', portText = ''] = authority.split(':', 2);
  }
  const port = /^\d{1,5}$/.test(portText) && Number(portText) >= 1 && Number(portText) <= 65535 ? Number(portText) : DEFAULT_PORTS[scheme];
  if (/[${]/.test(host) || host === '') {
    return { scheme, host: null, hostProblem: host === '' ? 'The URL names no host.' : `The host "${host}" is built by PHP at run time: look at the code for its value.`, port };
  }
  const parsed = parseHost(host);
  if (!parsed.ok) return { scheme, host: null, hostProblem: parsed.problem, port };
  return { scheme, host: parsed.value.kind === 'hostname' ? parsed.value.name : parsed.value.text, hostProblem: null, port };
}

/** A long line, cut to CODE_CHARS around the URL. */
function boundCode(code: string, at: number): { code: string; cut: boolean } {
  const trimmed = code.trim();
  if (trimmed.length <= CODE_CHARS) return { code: trimmed, cut: false };
  const offset = code.length - code.trimStart().length;
  const start = Math.max(0, Math.min(at - offset - CODE_CHARS / 4, trimmed.length - CODE_CHARS));
  return { code: `${start > 0 ? '…' : ''}${trimmed.slice(start, start + CODE_CHARS)}${start + CODE_CHARS < trimmed.length ? '…' : ''}`, cut: true };
}

const STATES = { ok: 'scanned', missing: 'missing', 'not-a-directory': 'not-a-directory', unreadable: 'unreadable' } as const;

/** The grep line `path:line:code`: the first `:digits:` ends the path (a path with `:12:` in it is rare enough). */
function splitHitLine(text: string): { file: string; line: number; code: string } | null {
  const m = /^(.+?):(\d+):(.*)$/s.exec(text);
  return m ? { file: m[1]!, line: Number(m[2]), code: m[3]! } : null;
}

function docrootOf(file: string, docroots: string[]): string | null {
  let best: string | null = null;
  for (const d of docroots) {
    const prefix = d.endsWith('/') ? d : `${d}/`;
    if ((file.startsWith(prefix) || file === d) && (!best || d.length > best.length)) best = d;
  }
  return best;
}

export interface ScanRun {
  stdout: string;
  stderr: string;
  limits: ScanLimits;
  maxHits: number;
  /** The runner's error code when the command did not complete (CANCELLED, COMMAND_TIMEOUT...). */
  errorCode: string | null;
  errorMessage?: string;
  label: string;
}

export function readScan(run: ScanRun): ScanReading {
  const docroots: ScannedDocroot[] = [];
  const hits: IncludeHit[] = [];
  const unparsed: string[] = [];
  const notes: string[] = [];
  const counts = new Map<string, number>();
  let hitLines = 0;
  let reportedHits: number | null = null;
  let exit: number | null = null;
  let progress = { files: 0, bytes: 0 };
  let stop: { reason: 'files' | 'bytes'; next: string } | null = null;
  let ended = false;
  for (const raw of run.stdout.split('\n')) {
    if (raw === '') continue;
    const kind = raw.slice(0, 2);
    const rest = raw.slice(2);
    let m: RegExpExecArray | null;
    if (kind === 'D ' && (m = /^(ok|missing|not-a-directory|unreadable) (.*)$/s.exec(rest))) {
      docroots.push({ path: m[2]!, state: STATES[m[1] as keyof typeof STATES], files: 0 });
    } else if (kind === 'M ' || kind === 'm ') {
      hitLines++;
      const hit = splitHitLine(rest);
      if (!hit) {
        unparsed.push(raw);
        continue;
      }
      const urls = urlsIn(hit.code);
      if (urls.length === 0) {
        // grep matched (a URL past the cut, or an unquoted one): kept as a line, never dropped.
        unparsed.push(`${hit.file}:${hit.line}: ${hit.code.trim().slice(0, CODE_CHARS)}`);
        continue;
      }
      for (const { url, at } of urls) {
        const { code, cut } = boundCode(hit.code, at);
        const host = hostOfUrl(url);
        hits.push({
          file: hit.file,
          line: hit.line,
          code,
          codeTruncated: cut || kind === 'm ',
          url,
          scheme: host.scheme,
          host: host.host,
          hostProblem: host.hostProblem,
          port: host.port,
          function: callBefore(hit.code, at),
          docroot: docrootOf(hit.file, docroots.map((d) => d.path)),
        });
      }
    } else if (kind === 'H ' && /^\d+$/.test(rest)) {
      reportedHits = Number(rest);
    } else if (kind === 'X ' && /^\d+$/.test(rest)) {
      exit = Number(rest);
    } else if (kind === 'C ' && (m = /^(\d+) (.*)$/s.exec(rest))) {
      counts.set(m[2]!, (counts.get(m[2]!) ?? 0) + Number(m[1]));
    } else if (kind === 'P ' && (m = /^(\d+) (\d+)$/.exec(rest))) {
      progress = { files: Number(m[1]), bytes: Number(m[2]) };
    } else if (kind === 'S ' && (m = /^(files|bytes) (.*)$/s.exec(rest))) {
      stop = { reason: m[1] as 'files' | 'bytes', next: m[2]! };
    } else if (kind === 'N ') {
      notes.push(rest);
    } else if (raw === 'E') {
      ended = true;
    } else {
      unparsed.push(raw);
    }
  }
  for (const d of docroots) d.files = counts.get(d.path) ?? 0;

  const unreadable: string[] = [];
  for (const line of run.stderr.split('\n')) {
    if (line.trim() === '') continue;
    const denied = /^(?:find|grep): (?:'(.+)'|(.+)): Permission denied$/.exec(line);
    if (denied) unreadable.push(denied[1] ?? denied[2]!);
    else unparsed.push(`stderr: ${line}`);
  }

  const seen = `${progress.files.toLocaleString('en')} files (${formatSize(progress.bytes)})`;
  let stopped: ScanReading['stopped'];
  if (run.errorCode === 'CANCELLED') {
    stopped = { reason: 'cancelled', filesSeen: progress.files, bytesSeen: progress.bytes, message: `Cancelled; the hits found before are shown.` };
  } else if (exit === 124 || run.errorCode === 'COMMAND_TIMEOUT') {
    stopped = {
      reason: 'time',
      filesSeen: progress.files,
      bytesSeen: progress.bytes,
      message: `Stopped by the ${run.limits.timeS} s time limit after listing about ${seen}: files listed after the last hit may not have been read. Scan a narrower docroot, or allow more time.`,
    };
  } else if (stop) {
    const limit = stop.reason === 'files' ? `${run.limits.maxFiles.toLocaleString('en')}-file` : `${formatSize(run.limits.maxBytes)}`;
    stopped = { reason: stop.reason, filesSeen: progress.files, bytesSeen: progress.bytes, message: `Stopped at the ${limit} limit after ${seen}; the next file was ${stop.next}. Scan a narrower docroot, or raise the limit.` };
  } else if (run.errorCode || (exit !== null && exit > 1) || (!ended && docroots.some((d) => d.state === 'scanned'))) {
    stopped = { reason: 'error', filesSeen: progress.files, bytesSeen: progress.bytes, message: `The scan did not finish on ${run.label}${run.errorMessage ? `: ${run.errorMessage}` : exit !== null ? ` (exit ${exit})` : ''}; the hits found before are shown.` };
  } else {
    stopped = { reason: 'done', filesSeen: progress.files, bytesSeen: progress.bytes, message: `Read all ${seen} under ${docroots.filter((d) => d.state === 'scanned').length} docroot(s).` };
  }
  const total = reportedHits ?? hitLines;
  const statements = [...notes.map((n) => `${run.label}: ${n}.`)];
  for (const d of docroots) {
    if (d.state === 'missing') statements.push(`The docroot ${d.path} does not exist on ${run.label}.`);
    if (d.state === 'not-a-directory') statements.push(`${d.path} on ${run.label} is not a directory.`);
    if (d.state === 'unreadable') statements.push(`The docroot ${d.path} cannot be read on ${run.label} by the user the scan ran as: allow sudo, or scan as a user that can read it.`);
  }
  if (unreadable.length > 0) statements.push(`${unreadable.length} file(s) or folder(s) could not be read on ${run.label} (permission denied); they were not scanned.`);
  if (total > hitLines) statements.push(`${total - hitLines} more matching line(s) were found than the ${run.maxHits} kept.`);
  return { docroots, hits, hitsLeftOut: Math.max(0, total - hitLines), stopped, unreadable, statements, unparsed };
}
