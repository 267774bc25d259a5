import { parseHost } from '../../../../shared/domain/address.js';
import type { HeadProbeResult } from '../../../../shared/domain/php-scan.js';
import type { StoredServer } from '../../store/servers-repo.js';
import type { RemoteRunner } from '../../ssh/remote.js';
import { markHeads, summarizeHeads } from './heads-analysis.js';
import { readHeads } from './heads-output.js';
import { HEADS_SCRIPT, PHP_FETCH } from './heads-script.js';

export interface ProbeHeadsOptions {
  /** http:// or https:// with a host name (or address); the path is fetched as is. */
  url: string;
  timeS?: number;
  maxBytes?: number;
  /** Also fetch through PHP's http:// stream wrapper (when the site's code uses it). */
  viaPhp?: boolean;
  /** PHP's memory_limit for its fetch: the bound that keeps it from hurting the server. */
  phpMemoryLimit?: string;
  signal?: AbortSignal;
  runId?: string;
}

export const HEADS_DEFAULTS = { timeS: 20, maxBytes: 4 * 1024 * 1024, phpMemoryLimit: '128M' } as const;
/** The most addresses the runner's own time limit allows for. */
const MAX_ADDRESSES = 16;

/** The parts of the URL the probe needs, or a RangeError saying what is wrong with it. */
export function headTarget(url: string): { url: string; host: string; port: number; scheme: 'http' | 'https'; hostHeader: string; path: string } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new RangeError(`"${url}" is not a URL: give one such as http://feeds.example.com/feed.xml.`);
  }
  const scheme = parsed.protocol.replace(/:$/, '');
  if (scheme !== 'http' && scheme !== 'https') throw new RangeError(`Only http:// and https:// URLs can be probed, not ${parsed.protocol}//.`);
  const bare = parsed.hostname.replace(/^\[|\]$/g, '');
  const host = parseHost(bare);
  if (!host.ok) throw new RangeError(`The URL's host: ${host.problem}`);
  const port = parsed.port ? Number(parsed.port) : scheme === 'https' ? 443 : 80;
  return { url: parsed.href, host: host.value.kind === 'hostname' ? host.value.name : host.value.text, port, scheme, hostHeader: parsed.host, path: `${parsed.pathname || '/'}${parsed.search}` };
}

/**
 * Fetches the URL from the customer's server once per address its host resolves to there, pinned to
 * that address (heads-script.ts), and marks the heads that answer unlike the others. Read-only, as the
 * login user (no sudo); bounded in time and bytes per fetch. Never throws for what the server says.
 */
export async function probeHeads(remote: RemoteRunner, server: StoredServer, options: ProbeHeadsOptions): Promise<HeadProbeResult> {
  const target = headTarget(options.url);
  const timeS = options.timeS ?? HEADS_DEFAULTS.timeS;
  const maxBytes = options.maxBytes ?? HEADS_DEFAULTS.maxBytes;
  const phpMemoryLimit = options.phpMemoryLimit ?? HEADS_DEFAULTS.phpMemoryLimit;
  if (!(timeS > 0 && timeS <= 600)) throw new RangeError(`probeHeads: timeS must be from 1 to 600 seconds, not ${timeS}`);
  if (!(Number.isInteger(maxBytes) && maxBytes > 0)) throw new RangeError(`probeHeads: maxBytes must be a positive whole number, not ${maxBytes}`);
  if (!/^\d+[KMG]?$/i.test(phpMemoryLimit)) throw new RangeError(`probeHeads: phpMemoryLimit is written as PHP writes it (128M), not "${phpMemoryLimit}"`);
  const seconds = Math.ceil(timeS);
  const result = await remote.run({
    server,
    argv: ['/bin/sh', '-c', HEADS_SCRIPT, 'backline-heads', target.url, target.host, String(target.port), target.scheme, target.hostHeader, target.path, String(seconds), String(maxBytes), options.viaPhp ? '1' : '0', phpMemoryLimit, PHP_FETCH],
    sudo: false,
    viaStdin: true,
    purpose: `Fetching ${target.url} from every address of ${target.host}`,
    timeoutMs: ((seconds + 6) * (options.viaPhp ? 2 : 1) * MAX_ADDRESSES + 15) * 1000,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.runId ? { runId: options.runId } : {}),
  });
  const reading = readHeads(result.stdout.text, { host: target.host, maxBytes, timeS: seconds, phpMemoryLimit, label: server.label });
  const marks = markHeads(reading.heads.map((h) => h.fetch));
  const heads = reading.heads.map((h, i) => ({ ...h, marks: marks[i] ?? [] }));
  const statements = [...reading.statements];
  if (result.error) statements.unshift(`The head probe was stopped on ${server.label}: ${result.error.message}`);
  const stderr = result.stderr.text.split('\n').filter((l) => l.trim() !== '');
  return {
    url: target.url,
    host: target.host,
    port: target.port,
    scheme: target.scheme,
    addresses: reading.addresses,
    heads,
    fetcher: reading.fetcher,
    limits: { timeS: seconds, maxBytes },
    summary: summarizeHeads(target.host, heads),
    statements,
    unparsed: [...reading.unparsed, ...stderr.map((l) => `stderr: ${l}`)],
  };
}
