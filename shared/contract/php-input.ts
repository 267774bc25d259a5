import { z } from 'zod';
import { bracketHost, parseHost, type Parsed } from '../domain/address.js';

/**
 * What the PHP tab sends, checked before any handler runs: URLs (http and https only, the host by the
 * one address parser), docroots (absolute paths a script gets as "$1", never shell text) and limits.
 * Pure: shared/ has neither Node's nor the DOM's URL parser, and a URL that reaches a server's curl
 * must be exactly what was checked here.
 */

export interface FeedUrl {
  scheme: 'http' | 'https';
  /** Lower-cased host name, or the canonical address (IPv6 without brackets). */
  host: string;
  hostKind: 'hostname' | 'address';
  /** The port the URL names, else the scheme's (80, 443). */
  port: number;
  explicitPort: boolean;
  /** Path and query, `/` at least; never a fragment (a client does not send it). */
  path: string;
  /** The URL as it is fetched: scheme, host (bracketed for IPv6), the port if given, the path. */
  text: string;
}

export const MAX_URL_LENGTH = 2048;
const DEFAULT_PORTS = { http: 80, https: 443 } as const;
/** RFC 3986's unreserved, reserved and percent characters: nothing a shell or curl's globbing could read differently goes through as-is. */
const PATH_CHARS = /^[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]*$/;

const refuse = (problem: string): Parsed<FeedUrl> => ({ ok: false, problem });
/** C0 controls and DEL: never part of a URL or a path typed in. */
const hasControl = (text: string) => [...text].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);

/** A URL as the customer's code names it: http(s)://host[:port][/path][?query]. */
export function parseFeedUrl(raw: string): Parsed<FeedUrl> {
  const text = raw.trim();
  if (text === '') return refuse('Give the URL the site fetches, such as http://feeds.example.net/feed.xml.');
  if (text.length > MAX_URL_LENGTH) return refuse(`A URL is at most ${MAX_URL_LENGTH} characters here; this one has ${text.length}.`);
  if (/\s/.test(text) || hasControl(text)) return refuse('A URL cannot contain spaces, tabs, newlines or control characters.');
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(text);
  if (!scheme) return refuse(`"${text.slice(0, 80)}" is not a URL: it starts with http:// or https://.`);
  const name = scheme[1]!.toLowerCase();
  if (name !== 'http' && name !== 'https') return refuse(`Only http and https URLs can be probed, not ${name}.`);
  const rest = text.slice(scheme[0].length);
  const authorityEnd = rest.search(/[/?#]/);
  const authority = authorityEnd < 0 ? rest : rest.slice(0, authorityEnd);
  let path = authorityEnd < 0 ? '' : rest.slice(authorityEnd);
  if (authority.includes('@')) return refuse('A URL with a user name or password in it is not probed: give it without the "user@" part.');
  if (authority === '') return refuse(`"${text.slice(0, 80)}" names no host after ${name}://.`);
  // [v6]:port, host:port, or a host alone.
  const match = /^(\[[^\]]*\]|[^:[\]]*)(?::(\d*))?$/.exec(authority);
  if (!match) return refuse(`"${authority}" is not a host with an optional :port.`);
  const hostText = match[1]!;
  const portText = match[2];
  const host = parseHost(hostText);
  if (!host.ok) return refuse(`The URL's host: ${host.problem}`);
  let port: number = DEFAULT_PORTS[name];
  if (portText !== undefined) {
    if (!/^\d{1,5}$/.test(portText) || Number(portText) < 1 || Number(portText) > 65535) return refuse(`The URL's port must be a number from 1 to 65535${portText === '' ? '' : `, not "${portText}"`}.`);
    port = Number(portText);
  }
  const hash = path.indexOf('#');
  if (hash >= 0) path = path.slice(0, hash);
  if (!PATH_CHARS.test(path)) return refuse("The URL's path has characters a URL cannot hold unencoded (quotes, backslashes, braces...): percent-encode them.");
  if (/%(?![0-9A-Fa-f]{2})/.test(path)) return refuse("The URL's path has a % that is not followed by two hex digits.");
  if (path === '' || path.startsWith('?')) path = `/${path}`;
  const hostOut = host.value.kind === 'hostname' ? host.value.name : host.value.text;
  const explicitPort = portText !== undefined;
  return {
    ok: true,
    value: {
      scheme: name,
      host: hostOut,
      hostKind: host.value.kind,
      port,
      explicitPort,
      path,
      text: `${name}://${bracketHost(hostOut)}${explicitPort ? `:${port}` : ''}${path}`,
    },
  };
}

/** A URL checked and canonicalised; the handler gets its parts. */
export const feedUrlSchema = z
  .string()
  .max(MAX_URL_LENGTH + 64, `A URL is at most ${MAX_URL_LENGTH} characters here.`)
  .transform((text, ctx) => {
    const parsed = parseFeedUrl(text);
    if (parsed.ok) return parsed.value;
    ctx.addIssue({ code: 'custom', message: parsed.problem });
    return z.NEVER;
  });

export const MAX_DOCROOT_LENGTH = 1024;

/** Why a typed docroot cannot be used, or null: an absolute path, one line, no NUL. */
export function docrootProblem(raw: string): string | null {
  const text = raw.trim();
  if (text === '') return 'Give the docroot as an absolute path, such as /var/www/html.';
  if (text.length > MAX_DOCROOT_LENGTH) return `A docroot is at most ${MAX_DOCROOT_LENGTH} characters; this one has ${text.length}.`;
  if (text.includes('\0')) return 'A docroot cannot contain a NUL character.';
  if (/[\r\n]/.test(text)) return 'A docroot is one path on one line: it cannot contain a newline.';
  if (hasControl(text)) return 'A docroot cannot contain control characters.';
  if (!text.startsWith('/')) return `"${text.slice(0, 80)}" is not an absolute path: a docroot starts with /.`;
  if (text.split('/').includes('..')) return `"${text.slice(0, 80)}" goes up with "..": give the docroot's own path.`;
  return null;
}

/** An absolute path, trimmed, with repeated and trailing slashes removed (the root stays `/`). */
export const docrootPathSchema = z
  .string()
  .max(MAX_DOCROOT_LENGTH + 64, `A docroot is at most ${MAX_DOCROOT_LENGTH} characters.`)
  .transform((text, ctx) => {
    const problem = docrootProblem(text);
    if (problem === null) return text.trim().replace(/\/{2,}/g, '/').replace(/(.)\/$/, '$1');
    ctx.addIssue({ code: 'custom', message: problem });
    return z.NEVER;
  });

export const MAX_DOCROOTS = 32;

/** The bounds of one include scan: it stops at the first reached and says which. */
export const scanLimitsInputSchema = z.object({
  maxFiles: z.number().int().min(1, 'Scan at least one file.').max(500_000, 'A scan reads at most 500,000 files.').default(50_000),
  maxBytes: z
    .number()
    .int()
    .min(1024 * 1024, 'A scan may read at least 1 MiB.')
    .max(4 * 1024 * 1024 * 1024, 'A scan reads at most 4 GiB.')
    .default(1024 * 1024 * 1024),
  timeS: z.number().int().min(5, 'Give a scan at least 5 s.').max(600, 'A scan runs at most 600 s (10 minutes).').default(120),
});
export type ScanLimitsInput = z.output<typeof scanLimitsInputSchema>;

/** The caps of one head probe: the probe can never hurt the server. */
export const headLimitsInputSchema = z.object({
  maxBytes: z
    .number()
    .int()
    .min(1024, 'Read at least 1 KiB of each answer.')
    .max(256 * 1024 * 1024, 'A head probe reads at most 256 MiB of an answer.')
    .default(8 * 1024 * 1024),
  timeS: z.number().int().min(1, 'Give each fetch at least 1 s.').max(120, 'Each fetch runs at most 120 s.').default(15),
});
export type HeadLimitsInput = z.output<typeof headLimitsInputSchema>;

export const WATCH_INTERVALS_S = [1, 2, 5, 10, 30, 60] as const;
export const watchIntervalSchema = z
  .number()
  .int('The interval is a whole number of seconds.')
  .min(1, 'Sample at most once a second.')
  .max(60, 'Sample at least once a minute.');
/** How long a watch may run before it stops by itself: a forgotten watch never samples for days. */
export const watchDurationSchema = z.number().int().min(1, 'Watch for at least a minute.').max(24 * 60, 'A watch runs at most 24 hours.');
