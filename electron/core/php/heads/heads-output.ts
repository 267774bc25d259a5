import type { AddressFamily } from '../../../../shared/domain/address.js';
import type { HeadFetch, HeadFetcher, PhpStreamFetch } from '../../../../shared/domain/php-scan.js';
import { parseGetentAhosts } from '../../firewall/resolve.js';

/** Reads HEADS_SCRIPT's output (its lines are listed there). Pure. */

export interface HeadReading {
  address: string;
  family: AddressFamily;
  fetch: HeadFetch;
  php: PhpStreamFetch | null;
}

export interface HeadsReading {
  addresses: { address: string; family: AddressFamily }[];
  fetcher: HeadFetcher | null;
  heads: HeadReading[];
  statements: string[];
  unparsed: string[];
}

export interface HeadsContext {
  host: string;
  maxBytes: number;
  timeS: number;
  phpMemoryLimit: string;
  label: string;
}

const MARK = '@@backline ';

/** curl's exit codes a person needs in words (the rest are quoted from curl's own message). */
const CURL_EXITS: Record<number, string> = {
  6: 'the host could not be resolved',
  7: 'the connection was refused or the address is unreachable',
  28: 'no complete answer within the time limit',
  35: 'the TLS handshake failed',
  52: 'the server closed the connection without answering',
  56: 'the connection broke while receiving',
  60: "the server's certificate is not trusted for this name",
};

interface Block {
  address: string;
  lines: { what: string; rest: string }[];
}

function headerValue(headers: string[], name: string): string | null {
  const prefix = `${name.toLowerCase()}:`;
  const found = headers.filter((h) => h.toLowerCase().startsWith(prefix)).at(-1);
  return found === undefined ? null : found.slice(prefix.length).trim();
}

/** The last response's header lines (a 100 Continue may come first). */
function lastResponse(headers: string[]): string[] {
  const starts = headers.map((h, i) => (/^HTTP\/\S+ \d{3}/.test(h) ? i : -1)).filter((i) => i >= 0);
  return starts.length === 0 ? headers : headers.slice(starts.at(-1));
}

function statusOf(line: string | null): number | null {
  const m = line ? /^HTTP\/\S+ (\d{3})/.exec(line) : null;
  return m ? Number(m[1]) : null;
}

function lengthOf(headers: string[]): number | null {
  const value = headerValue(headers, 'content-length');
  return value !== null && /^\d+$/.test(value) ? Number(value) : null;
}

const isChunked = (headers: string[]) => /\bchunked\b/i.test(headerValue(headers, 'transfer-encoding') ?? '');

function readPhp(lines: Block['lines'], context: HeadsContext): PhpStreamFetch | null {
  const php = lines.filter((l) => l.what.startsWith('php-'));
  if (php.length === 0) return null;
  const one = (what: string) => php.find((l) => l.what === what)?.rest ?? null;
  const headers = lastResponse(php.filter((l) => l.what === 'php-header').map((l) => l.rest));
  const statusLine = headers.find((h) => /^HTTP\//.test(h)) ?? null;
  const error = one('php-error');
  const openFailed = one('php-open-failed');
  const bytes = one('php-bytes');
  const peak = one('php-peak');
  const exit = one('php-exit');
  const said = php.filter((l) => l.what === 'php-said').map((l) => l.rest.trim()).filter((l) => l && !/^PHP (Fatal error|Warning):/.test(l));
  const exhausted = error !== null && /Allowed memory size of \d+ bytes exhausted/.test(error);
  const timedOut = one('php-timed-out') !== null || exit === '124' || /timed out/i.test(openFailed ?? '');
  const problem = openFailed ?? (exhausted ? null : error) ?? (exit === '124' ? 'PHP did not finish within the time limit' : said[0] ?? null);
  return {
    status: statusOf(statusLine),
    statusLine,
    bytes: bytes !== null && /^\d+$/.test(bytes) ? Number(bytes) : null,
    peakMemoryBytes: peak !== null && /^\d+$/.test(peak) ? Number(peak) : null,
    memoryLimit: context.phpMemoryLimit,
    memoryExhausted: exhausted,
    timedOut,
    totalMs: one('php-time') !== null ? Number(one('php-time')) : null,
    error: exhausted ? error : problem,
  };
}

function readCurl(lines: Block['lines'], context: HeadsContext): HeadFetch {
  const one = (what: string) => lines.find((l) => l.what === what)?.rest ?? null;
  const headers = lastResponse(lines.filter((l) => l.what === 'header').map((l) => l.rest).filter((h) => h !== ''));
  const statusLine = headers.find((h) => /^HTTP\//.test(h)) ?? null;
  const w = (one('curl') ?? '').split(' ');
  const exit = Number(one('curl-exit') ?? NaN);
  const received = Number(one('bytes') ?? 0);
  const capped = received > context.maxBytes;
  const code = /^\d{3}$/.test(w[0] ?? '') && w[0] !== '000' ? Number(w[0]) : statusOf(statusLine);
  const seconds = (text: string | undefined) => (text !== undefined && /^\d+(\.\d+)?$/.test(text) ? Math.round(Number(text) * 1000 * 10) / 10 : null);
  const said = lines.filter((l) => l.what === 'said').map((l) => l.rest.replace(/^curl: \(\d+\) /, '').trim()).filter(Boolean);
  const timedOut = exit === 28;
  // 23: curl could not write on once head -c had its bytes: the cap, not a failure.
  const failed = !(exit === 0 || (exit === 23 && capped));
  return {
    via: 'curl',
    status: code,
    statusLine,
    contentLength: lengthOf(headers),
    chunked: isChunked(headers),
    bytes: Math.min(received, context.maxBytes),
    capped,
    ttfbMs: code === null ? null : seconds(w[2]),
    totalMs: seconds(w[3]),
    timedOut,
    error: failed && !(timedOut && code !== null) ? `${CURL_EXITS[exit] ?? `curl failed (exit ${Number.isNaN(exit) ? '?' : exit})`}${said[0] ? `: ${said[0]}` : ''}` : timedOut ? `the ${context.timeS} s limit ended the fetch` : null,
  };
}

function readWget(lines: Block['lines'], context: HeadsContext): HeadFetch {
  const one = (what: string) => lines.find((l) => l.what === what)?.rest ?? null;
  const said = lines.filter((l) => l.what === 'said').map((l) => l.rest);
  // wget -S indents the server's header lines by two spaces.
  const headers = lastResponse(said.filter((l) => /^ {2}\S/.test(l)).map((l) => l.trim()));
  const statusLine = headers.find((h) => /^HTTP\//.test(h)) ?? null;
  const exit = Number(one('wget-exit') ?? NaN);
  const received = Number(one('bytes') ?? 0);
  const capped = received > context.maxBytes;
  const [start, end] = (one('elapsed-ns') ?? '').split(' ').map(Number);
  const totalMs = start && end && end > start ? Math.round((end - start) / 1e5) / 10 : null;
  const status = statusOf(statusLine);
  const complaint = said.filter((l) => !/^ {2}/.test(l) && l.trim() !== '').at(-1) ?? null;
  // 8: the server answered with an error status, which is an answer here; 124: timeout(1) ended it.
  const failed = !(exit === 0 || exit === 8 || (capped && exit !== 124));
  return {
    via: 'wget',
    status,
    statusLine,
    contentLength: lengthOf(headers),
    chunked: isChunked(headers),
    bytes: Math.min(received, context.maxBytes),
    capped,
    ttfbMs: null,
    totalMs,
    timedOut: exit === 124 || (exit === 4 && /timed out/i.test(complaint ?? '')),
    error: failed ? `wget failed (exit ${Number.isNaN(exit) ? '?' : exit})${complaint ? `: ${complaint}` : ''}` : null,
  };
}

/** PHP as the fetcher: its answer is the head's answer. */
function fetchFromPhp(php: PhpStreamFetch, context: HeadsContext): HeadFetch {
  const bytes = php.bytes ?? 0;
  return {
    via: 'php',
    status: php.status,
    statusLine: php.statusLine,
    contentLength: null,
    chunked: false,
    bytes: Math.min(bytes, context.maxBytes),
    capped: bytes > context.maxBytes,
    ttfbMs: null,
    totalMs: php.totalMs,
    timedOut: php.timedOut,
    error: php.memoryExhausted ? null : php.error,
  };
}

function noFetch(via: HeadFetcher, why: string): HeadFetch {
  return { via, status: null, statusLine: null, contentLength: null, chunked: false, bytes: 0, capped: false, ttfbMs: null, totalMs: null, timedOut: false, error: why };
}

export function readHeads(stdout: string, context: HeadsContext): HeadsReading {
  const unparsed: string[] = [];
  const statements: string[] = [];
  const resolveLines: string[] = [];
  let section: 'resolve' | 'head' | null = null;
  let resolveExit: number | null = null;
  let fetcher: HeadFetcher | null = null;
  let fetcherSaid: string | null = null;
  const blocks: Block[] = [];
  let ended = false;
  for (const raw of stdout.split('\n')) {
    if (!raw.startsWith(MARK)) {
      if (section === 'resolve') resolveLines.push(raw);
      else if (raw.trim() !== '') unparsed.push(raw);
      continue;
    }
    const body = raw.slice(MARK.length);
    const space = body.indexOf(' ');
    const what = space < 0 ? body : body.slice(0, space);
    const rest = space < 0 ? '' : body.slice(space + 1);
    if (what === 'resolve') section = 'resolve';
    else if (what === 'resolve-exit') {
      resolveExit = Number(rest);
      section = null;
    } else if (what === 'fetcher') {
      fetcherSaid = rest;
      fetcher = rest === 'curl' || rest === 'wget' || rest === 'php' ? rest : null;
    } else if (what === 'head') {
      blocks.push({ address: rest, lines: [] });
      section = 'head';
    } else if (what === 'head-end') section = null;
    else if (what === 'note') statements.push(`${context.label}: ${rest}.`);
    else if (what === 'end') ended = true;
    else if (section === 'head' && blocks.length > 0) blocks.at(-1)!.lines.push({ what, rest });
    else unparsed.push(raw);
  }
  const addresses = parseGetentAhosts(resolveLines.join('\n'));
  for (const line of resolveLines) {
    if (line.trim() !== '' && parseGetentAhosts(line).length === 0) unparsed.push(`getent: ${line}`);
  }
  if (addresses.length === 0) {
    statements.push(
      resolveExit === 2
        ? `${context.host} does not resolve on ${context.label} (getent ahosts found nothing): the server cannot reach it by that name either.`
        : `${context.host} could not be resolved on ${context.label}${resolveExit !== null ? ` (getent ahosts exit ${resolveExit})` : ''}.`,
    );
  }
  if (fetcherSaid === 'none') statements.push(`Neither curl, wget nor php is on ${context.label}: no head could be fetched from there.`);
  else if (fetcher === 'wget') statements.push(`curl is not on ${context.label}: wget fetched instead (no time to first byte; https cannot be pinned to an address with wget).`);
  else if (fetcher === 'php') statements.push(`Neither curl nor wget is on ${context.label}: PHP fetched instead.`);

  const heads: HeadReading[] = [];
  for (const block of blocks) {
    const family = addresses.find((a) => a.address === block.address)?.family ?? (block.address.includes(':') ? 'ipv6' : 'ipv4');
    const php = readPhp(block.lines, context);
    const skip = block.lines.find((l) => l.what === 'skip');
    let fetch: HeadFetch;
    if (fetcher === 'curl') fetch = readCurl(block.lines, context);
    else if (fetcher === 'wget') fetch = skip ? noFetch('wget', skip.rest) : readWget(block.lines, context);
    else if (fetcher === 'php' && php) fetch = fetchFromPhp(php, context);
    else fetch = noFetch(fetcher ?? 'curl', 'no tool on the server could fetch it');
    const known = new Set(['curl', 'curl-exit', 'bytes', 'header', 'said', 'wget-exit', 'elapsed-ns', 'skip']);
    for (const l of block.lines) if (!known.has(l.what) && !l.what.startsWith('php-')) unparsed.push(`${MARK}${l.what} ${l.rest}`);
    heads.push({ address: block.address, family, fetch, php });
  }
  if (!ended) statements.push(`The head probe did not finish on ${context.label}: the heads fetched before it stopped are shown.`);
  return { addresses, fetcher, heads, statements, unparsed };
}
