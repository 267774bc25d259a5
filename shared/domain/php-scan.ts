import { z } from 'zod';
import { addressFamilySchema } from './address.js';

/**
 * Story 2's search for the remote include and the bad head (issue 12, items 2 to 4), as the core
 * returns it (electron/core/php/{docroots,include-scan,heads,watch}):
 * - the docroots the server's own web server configuration names (`nginx -T`, `apache2ctl -S`), each
 *   with where it came from;
 * - the PHP lines that read a literal remote URL (include, file_get_contents, curl...), and where a
 *   bounded scan stopped;
 * - one fetch of a URL per address its host resolves to on the customer's server, pinned to that
 *   address, and which heads answer unlike the others;
 * - the samples of a memory watch (the PHP workers' RSS over time).
 * What could not be read is said in `statements`; output lines that were not understood are kept in
 * `unparsed`, never dropped. Sizes are bytes, durations milliseconds unless the name says otherwise.
 */

const bytes = z.number().int().nonnegative();
const count = z.number().int().nonnegative();
const ms = z.number().nonnegative();

// --- docroots (item 2) ---------------------------------------------------------------------------

export const webServerKinds = ['nginx', 'apache', 'typed'] as const;
export const webServerKindSchema = z.enum(webServerKinds);
export type WebServerKind = z.output<typeof webServerKindSchema>;

/** Where a docroot was read: the configuration file and line, as the web server printed them. */
export const docrootOriginSchema = z.object({
  server: webServerKindSchema,
  /** The configuration file (nginx -T's `# configuration file X:` header, apache's vhost file); null when typed. */
  file: z.string().nullable(),
  /** The line in that file, when the output says it. */
  line: z.number().int().positive().nullable(),
  /** The directive as written (`root /var/www/shop/public;`, `DocumentRoot "/var/www/html"`). */
  directive: z.string().nullable(),
});
export type DocrootOrigin = z.output<typeof docrootOriginSchema>;

export const docrootSchema = z.object({
  /** The directory, absolute, as configured. */
  path: z.string(),
  /** server_name / ServerName and aliases of the block or vhost it belongs to. */
  serverNames: z.array(z.string()),
  /** listen directives / the vhost's address:port. */
  listen: z.array(z.string()),
  /** Where PHP goes from there: nginx's fastcgi_pass targets, or apache's handler when it says. */
  phpHandlers: z.array(z.string()),
  /** Every place this path was named (the same root in several server blocks is one docroot). */
  origins: z.array(docrootOriginSchema).min(1),
});
export type Docroot = z.output<typeof docrootSchema>;

/** Which web server configuration was read, and how it went. */
export const webServerReadSchema = z.object({
  server: z.enum(['nginx', 'apache']),
  /** The command that printed it (`nginx -T`, `apache2ctl -S`, `apache2ctl -D DUMP_VHOSTS`). */
  command: z.string(),
  /** found: read; absent: not installed; failed: installed but the command failed (`detail` says why). */
  state: z.enum(['found', 'absent', 'failed']),
  detail: z.string().nullable(),
});
export type WebServerRead = z.output<typeof webServerReadSchema>;

export const docrootsResultSchema = z.object({
  docroots: z.array(docrootSchema),
  webServers: z.array(webServerReadSchema),
  /** Whether the configuration was read with sudo (without it, nginx -T often cannot open its files). */
  sudo: z.boolean(),
  /** For people: what was not found or could not be read ("No nginx or apache found on web1: type the docroot."). */
  statements: z.array(z.string()),
  unparsed: z.array(z.string()),
});
export type DocrootsResult = z.output<typeof docrootsResultSchema>;

// --- remote-include scan (item 2) ----------------------------------------------------------------

/** The PHP calls the scan looks for in front of a literal remote URL. */
export const includeFunctions = [
  'include',
  'include_once',
  'require',
  'require_once',
  'file_get_contents',
  'fopen',
  'readfile',
  'file',
  'curl_init',
  'CURLOPT_URL',
  'simplexml_load_file',
  'get_headers',
  'copy',
  'fsockopen',
  'getimagesize',
  'parse_ini_file',
  'md5_file',
  'stream_get_contents',
] as const;
export const includeFunctionSchema = z.enum(includeFunctions);
export type IncludeFunction = z.output<typeof includeFunctionSchema>;

export const includeHitSchema = z.object({
  file: z.string(),
  line: z.number().int().positive(),
  /** The code line, trimmed and bounded (`codeTruncated` when cut). */
  code: z.string(),
  codeTruncated: z.boolean(),
  /** The URL as written in the code (it may hold a PHP variable: `http://$host/feed`). */
  url: z.string(),
  scheme: z.enum(['http', 'https', 'ftp', 'ftps']),
  /** The host, lower case, when the URL names it literally; null when it is built at run time (`hostProblem` says why). */
  host: z.string().nullable(),
  hostProblem: z.string().nullable(),
  /** The URL's port, or the scheme's default. */
  port: z.number().int().min(1).max(65535),
  /** The call that reads it; null when the line matched without one the scan knows (kept rather than dropped). */
  function: includeFunctionSchema.nullable(),
  /** The docroot the file is under. */
  docroot: z.string().nullable(),
});
export type IncludeHit = z.output<typeof includeHitSchema>;

export const scanStopReasons = ['done', 'files', 'bytes', 'time', 'hits', 'cancelled', 'error'] as const;
export const scanStopReasonSchema = z.enum(scanStopReasons);
export type ScanStopReason = z.output<typeof scanStopReasonSchema>;

export const scannedDocrootSchema = z.object({
  path: z.string(),
  state: z.enum(['scanned', 'missing', 'not-a-directory', 'unreadable', 'not-reached']),
  /** PHP files listed under it (.php, .inc, .phtml). */
  files: count,
});
export type ScannedDocroot = z.output<typeof scannedDocrootSchema>;

export const scanLimitsSchema = z.object({
  maxFiles: z.number().int().positive(),
  maxBytes: z.number().int().positive(),
  timeS: z.number().positive(),
});
export type ScanLimits = z.output<typeof scanLimitsSchema>;

export const includeScanResultSchema = z.object({
  docroots: z.array(scannedDocrootSchema),
  hits: z.array(includeHitSchema),
  /** Hit lines the server found beyond the ones kept. */
  hitsLeftOut: count,
  limits: scanLimitsSchema,
  /** Why the scan ended, and how far it got. */
  stopped: z.object({
    reason: scanStopReasonSchema,
    filesSeen: count,
    bytesSeen: bytes,
    /** For people: "Stopped at the 50,000-file limit after /var/www/shop/vendor/x.php." */
    message: z.string(),
  }),
  /** Files or directories the scan was refused (permission denied), as the server named them. */
  unreadable: z.array(z.string()),
  sudo: z.boolean(),
  durationMs: ms,
  statements: z.array(z.string()),
  unparsed: z.array(z.string()),
});
export type IncludeScanResult = z.output<typeof includeScanResultSchema>;

// --- per-head probe (item 3) ---------------------------------------------------------------------

export const headFetchers = ['curl', 'wget', 'php'] as const;
export const headFetcherSchema = z.enum(headFetchers);
export type HeadFetcher = z.output<typeof headFetcherSchema>;

/** One fetch of the URL from the customer's server, pinned to one address. */
export const headFetchSchema = z.object({
  via: headFetcherSchema,
  /** The HTTP status; null when no answer came (see `error`). */
  status: z.number().int().nullable(),
  /** The status line as received (`HTTP/1.1 400 Bad Request`), when the fetcher shows it. */
  statusLine: z.string().nullable(),
  /** The Content-Length header; null when absent (chunked or not said). */
  contentLength: bytes.nullable(),
  chunked: z.boolean(),
  /** Body bytes received, up to the cap. */
  bytes,
  /** The byte cap cut the body: the head sent more than `maxBytes`. */
  capped: z.boolean(),
  /** Time to first byte and total, when the fetcher measures them. */
  ttfbMs: ms.nullable(),
  totalMs: ms.nullable(),
  /** The time cap ended the fetch. */
  timedOut: z.boolean(),
  /** What went wrong, for people (connection refused, TLS, timeout); null when an answer came. */
  error: z.string().nullable(),
});
export type HeadFetch = z.output<typeof headFetchSchema>;

/** The same URL through PHP's own HTTP stream wrapper (file_get_contents) on the server. */
export const phpStreamFetchSchema = z.object({
  status: z.number().int().nullable(),
  statusLine: z.string().nullable(),
  /** Body bytes PHP returned (the whole answer, up to memory_limit). */
  bytes: bytes.nullable(),
  /** memory_get_peak_usage(true) after the fetch: what the answer costs a worker. */
  peakMemoryBytes: bytes.nullable(),
  /** The memory_limit the fetch ran under (bounded so it cannot hurt the server). */
  memoryLimit: z.string(),
  /** PHP ran out of memory_limit reading it (what the site's workers do). */
  memoryExhausted: z.boolean(),
  timedOut: z.boolean(),
  totalMs: ms.nullable(),
  error: z.string().nullable(),
});
export type PhpStreamFetch = z.output<typeof phpStreamFetchSchema>;

export const headMarkKinds = ['status', 'size', 'slow', 'error'] as const;
export const headMarkSchema = z.object({
  kind: z.enum(headMarkKinds),
  /** For people: "answers 400 while the others answer 200", "64.0 MiB body, 2,900× the median". */
  reason: z.string(),
});
export type HeadMark = z.output<typeof headMarkSchema>;

export const headResultSchema = z.object({
  address: z.string(),
  family: addressFamilySchema,
  fetch: headFetchSchema,
  /** Through PHP's stream wrapper, when asked for and php is on the server; null otherwise. */
  php: phpStreamFetchSchema.nullable(),
  /** Why this head differs from the others; empty when it does not. */
  marks: z.array(headMarkSchema),
});
export type HeadResult = z.output<typeof headResultSchema>;

export const headProbeResultSchema = z.object({
  url: z.string(),
  host: z.string(),
  port: z.number().int().min(1).max(65535),
  scheme: z.enum(['http', 'https']),
  /** The addresses the server resolved the host to (getent ahosts), in its order. */
  addresses: z.array(z.object({ address: z.string(), family: addressFamilySchema })),
  heads: z.array(headResultSchema),
  /** The tool that fetched (curl, else wget or php; the statements say why). */
  fetcher: headFetcherSchema.nullable(),
  limits: z.object({ timeS: z.number().positive(), maxBytes: z.number().int().positive() }),
  /** For people: a one-line summary ("head 10.77.0.43 differs: answers 400 while the others answer 200"). */
  summary: z.string(),
  statements: z.array(z.string()),
  unparsed: z.array(z.string()),
});
export type HeadProbeResult = z.output<typeof headProbeResultSchema>;

// --- memory watch (item 4) -----------------------------------------------------------------------

/** PHP processes of one name at one sample: `php-fpm8.2 pool www`, `php-fpm8.2 master`, `apache2`, `php`. */
export const workerGroupSchema = z.object({
  name: z.string(),
  count: z.number().int().positive(),
  rssBytes: bytes,
  /** The largest single process in the group. */
  maxRssBytes: bytes,
});
export type WorkerGroup = z.output<typeof workerGroupSchema>;

/** A memory cgroup the PHP processes run in (cgroup v2), as read at the sample. */
export const watchCgroupSchema = z.object({
  path: z.string(),
  currentBytes: bytes,
  /** memory.max; null for "max" (no limit). */
  maxBytes: bytes.nullable(),
});
export type WatchCgroup = z.output<typeof watchCgroupSchema>;

export const watchSampleSchema = z.object({
  /** The server's clock, ISO, at second resolution. */
  at: z.string(),
  /** The server's uptime in seconds (centiseconds): exact intervals between samples. */
  uptimeS: z.number().nonnegative(),
  groups: z.array(workerGroupSchema),
  workerCount: count,
  rssBytes: bytes,
  memTotalBytes: bytes.nullable(),
  memAvailableBytes: bytes.nullable(),
  swapTotalBytes: bytes.nullable(),
  swapFreeBytes: bytes.nullable(),
  cgroups: z.array(watchCgroupSchema),
});
export type WatchSample = z.output<typeof watchSampleSchema>;

export const watchResultSchema = z.object({
  samples: z.array(watchSampleSchema),
  intervalS: z.number().positive(),
  /** cancelled: the engineer stopped it (the normal end); ended: the remote loop ended by itself; error: see `statements`. */
  stopped: z.enum(['cancelled', 'ended', 'error']),
  statements: z.array(z.string()),
  unparsed: z.array(z.string()),
});
export type WatchResult = z.output<typeof watchResultSchema>;
