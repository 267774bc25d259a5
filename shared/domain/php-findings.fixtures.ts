import { memoryPictureSchema, type FpmPool, type MemoryPicture, type OomEvent } from './php-memory.js';
import { headProbeResultSchema, type HeadProbeResult, type HeadResult, type IncludeScanResult, type WatchSample } from './php-scan.js';
import type { Measured } from './php-findings.js';

/** Measurements as story 2 gives them (php1 behind three heads, head3 the bad one), for the tests of what is drafted and shown. */

export const MiB = 1024 * 1024;

export function head(address: string, status: number | null, bytes: number, extra: Partial<HeadResult> = {}): HeadResult {
  return {
    address,
    family: 'ipv4',
    fetch: { via: 'curl', status, statusLine: null, contentLength: bytes, chunked: false, bytes, capped: false, ttfbMs: 3, totalMs: 12, timedOut: false, error: status === null ? 'connection refused' : null },
    php: null,
    marks: [],
    ...extra,
  };
}

export const probe: HeadProbeResult = headProbeResultSchema.parse({
  url: 'http://feeds.lab.test/feed.php',
  host: 'feeds.lab.test',
  port: 80,
  scheme: 'http',
  addresses: [
    { address: '10.77.0.41', family: 'ipv4' },
    { address: '10.77.0.42', family: 'ipv4' },
    { address: '10.77.0.43', family: 'ipv4' },
  ],
  heads: [
    head('10.77.0.41', 200, 24),
    head('10.77.0.42', 200, 24),
    head('10.77.0.43', 400, 8 * MiB, {
      fetch: { via: 'curl', status: 400, statusLine: 'HTTP/1.1 400 Bad Request', contentLength: 64 * MiB, chunked: false, bytes: 8 * MiB, capped: true, ttfbMs: 2, totalMs: 900, timedOut: false, error: null },
      php: { status: 400, statusLine: null, bytes: null, peakMemoryBytes: 180 * MiB, memoryLimit: '256M', memoryExhausted: false, timedOut: false, totalMs: 1500, error: null },
      marks: [
        { kind: 'status', reason: 'answers 400 while the others answer 200' },
        { kind: 'size', reason: 'a body over 8 MiB, the others 24 bytes' },
      ],
    }),
  ],
  fetcher: 'curl',
  limits: { timeS: 15, maxBytes: 8 * MiB },
  summary: '10.77.0.43 differs',
  statements: [],
  unparsed: [],
});

export const pool = (over: Partial<FpmPool> = {}): FpmPool => ({
  name: 'www',
  file: '/etc/php/8.2/fpm/pool.d/www.conf',
  masterPid: 100,
  fpmVersion: '8.2',
  listen: '/run/php/php8.2-fpm.sock',
  user: 'www-data',
  pm: 'static',
  maxChildren: 10,
  startServers: null,
  minSpareServers: null,
  maxSpareServers: null,
  maxRequests: null,
  statusPath: null,
  slowlog: null,
  requestSlowlogTimeout: null,
  requestTerminateTimeout: null,
  iniValues: [],
  settings: [{ name: 'memory_limit', value: '128M', bytes: 128 * MiB, source: { kind: 'ini', file: '/etc/php/8.2/fpm/php.ini' } }],
  workers: { count: 10, rssBytes: 200 * MiB, pssBytes: null },
  worstCaseBytes: 1280 * MiB,
  ...over,
});

export const oom = (atIso: string, cgroup: boolean): OomEvent => ({
  at: atIso,
  atIso,
  source: 'kern.log',
  pid: 4242,
  process: 'php-fpm8.2',
  uid: 33,
  totalVmBytes: null,
  anonRssBytes: null,
  fileRssBytes: null,
  shmemRssBytes: null,
  rssBytes: 300 * MiB,
  cgroup,
  constraint: cgroup ? 'CONSTRAINT_MEMCG' : 'CONSTRAINT_NONE',
  memcg: null,
  lines: [`Memory cgroup out of memory: Killed process 4242 (php-fpm8.2) at ${atIso}`],
});

export function picture(over: Partial<MemoryPicture> = {}): MemoryPicture {
  return memoryPictureSchema.parse({
    readAt: '2026-12-02T09:30:00.000Z',
    access: { user: 'root', root: true, sudo: false },
    phpFound: true,
    clis: [],
    fpmMasters: [],
    pools: [pool()],
    apache: { found: false, modPhp: null },
    cliDiffers: [{ name: 'memory_limit', cli: '-1', cliBinary: 'php8.2', pool: 'www', poolValue: '128M' }],
    processes: [],
    phpTotal: { count: 11, rssBytes: 210 * MiB, pssBytes: null },
    memory: { totalBytes: 1024 * MiB, availableBytes: 300 * MiB, swapTotalBytes: 0, swapFreeBytes: 0 },
    worstCaseBytes: 1280 * MiB,
    oomEvents: [oom('2026-12-02T09:12:03.000Z', true), oom('2026-12-02T09:20:00.000Z', true), oom('2026-12-02T09:25:00.000Z', true)],
    memoryExhausted: [{ file: '/var/www/site/index.php', line: 5, limitBytes: 128 * MiB, triedBytes: 64 * MiB, count: 12, first: null, last: null, logs: [] }],
    childSignals: [],
    maxChildrenReached: [],
    slowlog: [],
    logs: [],
    fpmStatus: [],
    couldNotCheck: [],
    findings: [],
    unparsed: [],
    ...over,
  });
}

export const scan: IncludeScanResult = {
  docroots: [{ path: '/var/www/site', state: 'scanned', files: 3 }],
  hits: [
    {
      file: '/var/www/site/index.php',
      line: 5,
      code: "$feed = file_get_contents('http://feeds.lab.test/feed.php');",
      codeTruncated: false,
      url: 'http://feeds.lab.test/feed.php',
      scheme: 'http',
      host: 'feeds.lab.test',
      hostProblem: null,
      port: 80,
      function: 'file_get_contents',
      docroot: '/var/www/site',
    },
  ],
  hitsLeftOut: 0,
  limits: { maxFiles: 50_000, maxBytes: 1024 * MiB, timeS: 120 },
  stopped: { reason: 'done', filesSeen: 3, bytesSeen: 2000, message: 'Scanned every file.' },
  unreadable: [],
  sudo: false,
  durationMs: 40,
  statements: [],
  unparsed: [],
};

export const all: Measured = { serverLabel: 'php1', memory: picture(), scan, heads: [probe] };

export const sample = (i: number, rss: number): WatchSample => ({
  at: `2026-12-02T09:12:${String(i).padStart(2, '0')}Z`,
  uptimeS: 1000 + i,
  groups: [{ name: 'php-fpm8.2 pool www', count: 3, rssBytes: rss, maxRssBytes: rss / 3 }],
  workerCount: 3,
  rssBytes: rss,
  memTotalBytes: 1024 * MiB,
  memAvailableBytes: 1024 * MiB - rss,
  swapTotalBytes: 0,
  swapFreeBytes: 0,
  cgroups: [{ path: '/backline-php', currentBytes: rss, maxBytes: 512 * MiB }],
});
