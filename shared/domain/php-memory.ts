import { z } from 'zod';
import { timestampSchema } from './ticket.js';

/**
 * The PHP memory picture of one server (issue 12, item 1): what PHP runs there, with which effective
 * limits per SAPI and pool, how much memory its workers hold against the machine and its cgroup, and what
 * the kernel and PHP's own logs say about running out. Read by one read-only probe
 * (electron/core/php/memory); everything the probe could not read is said in `couldNotCheck`, and every
 * line it could not parse is kept in `unparsed`. Sizes are bytes; times are as the log printed them
 * (`at`) and, where the format says enough, as ISO (`atIso`).
 */

const bytes = z.number().int().nonnegative();

/** The settings issue 12 cares about, by their php.ini names. */
export const phpMemorySettingNames = ['memory_limit', 'max_execution_time', 'default_socket_timeout', 'allow_url_fopen', 'allow_url_include'] as const;
export const phpMemorySettingNameSchema = z.enum(phpMemorySettingNames);
export type PhpMemorySettingName = z.output<typeof phpMemorySettingNameSchema>;

/** Where an effective value comes from: PHP's built-in default, an ini file, or a pool's php_value / php_admin_value. */
export const settingSourceSchema = z.object({
  kind: z.enum(['default', 'ini', 'php_value', 'php_admin_value', 'runtime']),
  /** The file that set it, when known. */
  file: z.string().nullable(),
});

export const effectiveSettingSchema = z.object({
  name: phpMemorySettingNameSchema,
  /** As PHP reads it ("128M", "-1", "On", "1", ""); null when it could not be read. */
  value: z.string().nullable(),
  /** memory_limit in bytes; null for -1 (no limit) or another setting. */
  bytes: bytes.nullable(),
  source: settingSourceSchema,
});
export type EffectiveSetting = z.output<typeof effectiveSettingSchema>;

/** One php CLI binary found on PATH (php, php8.2, ...) and what `php -r` says of its ini. */
export const phpCliSchema = z.object({
  binary: z.string(),
  path: z.string(),
  /** "8.2.36" */
  version: z.string().nullable(),
  /** The first line of `php -v`. */
  banner: z.string().nullable(),
  loadedIni: z.string().nullable(),
  scannedIni: z.array(z.string()),
  settings: z.array(effectiveSettingSchema),
});
export type PhpCli = z.output<typeof phpCliSchema>;

export const poolIniValueSchema = z.object({
  name: z.string(),
  value: z.string(),
  /** php_admin_value / php_admin_flag cannot be changed by the script with ini_set. */
  admin: z.boolean(),
  file: z.string().nullable(),
});
export type PoolIniValue = z.output<typeof poolIniValueSchema>;

export const processMemorySchema = z.object({
  pid: z.number().int().positive(),
  ppid: z.number().int().nonnegative(),
  user: z.string(),
  rssBytes: bytes,
  vszBytes: bytes,
  /** From /proc/<pid>/smaps_rollup; null where it could not be read (another user's process without sudo). */
  pssBytes: bytes.nullable(),
  /** Seconds since the process started (ps etime). */
  elapsedS: z.number().int().nonnegative().nullable(),
  args: z.string(),
  role: z.enum(['fpm-master', 'fpm-worker', 'cli', 'apache', 'other']),
  /** The FPM pool of a worker ("pool www" in its title), else null. */
  pool: z.string().nullable(),
});
export type ProcessMemory = z.output<typeof processMemorySchema>;

export const memorySumSchema = z.object({
  count: z.number().int().nonnegative(),
  rssBytes: bytes,
  /** Null when PSS was not readable for every process counted. */
  pssBytes: bytes.nullable(),
});
export type MemorySum = z.output<typeof memorySumSchema>;

export const fpmPoolSchema = z.object({
  name: z.string(),
  /** The pool file that declares it ([www] in /etc/php/8.2/fpm/pool.d/www.conf). */
  file: z.string().nullable(),
  /** The FPM master this pool belongs to (its pid), when one runs. */
  masterPid: z.number().int().positive().nullable(),
  fpmVersion: z.string().nullable(),
  listen: z.string().nullable(),
  user: z.string().nullable(),
  pm: z.string().nullable(),
  maxChildren: z.number().int().nonnegative().nullable(),
  startServers: z.number().int().nonnegative().nullable(),
  minSpareServers: z.number().int().nonnegative().nullable(),
  maxSpareServers: z.number().int().nonnegative().nullable(),
  maxRequests: z.number().int().nonnegative().nullable(),
  statusPath: z.string().nullable(),
  slowlog: z.string().nullable(),
  requestSlowlogTimeout: z.string().nullable(),
  requestTerminateTimeout: z.string().nullable(),
  iniValues: z.array(poolIniValueSchema),
  /** The FPM SAPI's php.ini, then this pool's php_value / php_admin_value. */
  settings: z.array(effectiveSettingSchema),
  workers: memorySumSchema,
  /** memory_limit × pm.max_children; null when either is unknown or memory_limit is -1. */
  worstCaseBytes: bytes.nullable(),
});
export type FpmPool = z.output<typeof fpmPoolSchema>;

export const cgroupMemorySchema = z.object({
  version: z.union([z.literal(1), z.literal(2)]),
  /** As /proc/<pid>/cgroup names it ("/system.slice/php8.2-fpm.service"). */
  path: z.string(),
  /** memory.max (v2) / memory.limit_in_bytes (v1); null for no limit ("max", or v1's huge number). */
  limitBytes: bytes.nullable(),
  currentBytes: bytes.nullable(),
  /** oom_kill from memory.events (v2) / memory.oom_control (v1); null when not readable. */
  oomKills: z.number().int().nonnegative().nullable(),
});
export type CgroupMemory = z.output<typeof cgroupMemorySchema>;

export const fpmMasterSchema = z.object({
  pid: z.number().int().positive(),
  binary: z.string().nullable(),
  version: z.string().nullable(),
  configPath: z.string().nullable(),
  /** The FPM SAPI's php.ini and conf.d files read for the pools' base values. */
  phpIni: z.string().nullable(),
  cgroup: cgroupMemorySchema.nullable(),
});
export type FpmMaster = z.output<typeof fpmMasterSchema>;

export const machineMemorySchema = z.object({
  totalBytes: bytes,
  availableBytes: bytes.nullable(),
  swapTotalBytes: bytes,
  swapFreeBytes: bytes,
});
export type MachineMemory = z.output<typeof machineMemorySchema>;

export const oomEventSchema = z.object({
  /** The timestamp as the log printed it ("[ 1234.5678]", "2026-12-02T01:12:09+0000", "Dec  2 01:12:09"). */
  at: z.string().nullable(),
  atIso: timestampSchema.nullable(),
  source: z.enum(['journal', 'dmesg', 'kern.log']),
  pid: z.number().int().nonnegative().nullable(),
  process: z.string().nullable(),
  uid: z.number().int().nonnegative().nullable(),
  totalVmBytes: bytes.nullable(),
  anonRssBytes: bytes.nullable(),
  fileRssBytes: bytes.nullable(),
  shmemRssBytes: bytes.nullable(),
  /** anon + file + shmem RSS, where the line gave them. */
  rssBytes: bytes.nullable(),
  /** A memory cgroup's limit was hit, not the whole machine's memory. */
  cgroup: z.boolean(),
  /** CONSTRAINT_NONE, CONSTRAINT_MEMCG... from the oom-kill: summary line. */
  constraint: z.string().nullable(),
  memcg: z.string().nullable(),
  /** The kernel lines this event was read from. */
  lines: z.array(z.string()),
});
export type OomEvent = z.output<typeof oomEventSchema>;

export const memoryExhaustedSchema = z.object({
  file: z.string(),
  line: z.number().int().nonnegative(),
  /** The "Allowed memory size of N bytes" of the last occurrence. */
  limitBytes: bytes,
  /** The largest "tried to allocate M bytes". */
  triedBytes: bytes,
  count: z.number().int().positive(),
  first: z.string().nullable(),
  last: z.string().nullable(),
  logs: z.array(z.string()),
});
export type MemoryExhausted = z.output<typeof memoryExhaustedSchema>;

export const childSignalSchema = z.object({
  pool: z.string().nullable(),
  signal: z.string(),
  count: z.number().int().positive(),
  first: z.string().nullable(),
  last: z.string().nullable(),
  pids: z.array(z.number().int().positive()),
});
export type ChildSignal = z.output<typeof childSignalSchema>;

export const maxChildrenReachedSchema = z.object({
  pool: z.string(),
  count: z.number().int().positive(),
  first: z.string().nullable(),
  last: z.string().nullable(),
});

export const slowlogEntrySchema = z.object({
  at: z.string().nullable(),
  pool: z.string().nullable(),
  pid: z.number().int().positive().nullable(),
  scriptFilename: z.string().nullable(),
  /** "0x7f... file_get_contents() /var/www/site/index.php:12", innermost first. */
  stack: z.array(z.string()),
  log: z.string(),
});
export type SlowlogEntry = z.output<typeof slowlogEntrySchema>;

export const logReadSchema = z.object({
  path: z.string(),
  kind: z.enum(['fpm-error', 'php-error', 'slowlog', 'kernel']),
  /** Lines read from the end of the log (bounded). */
  lines: z.number().int().nonnegative(),
  /** Why it could not be read, else null. */
  problem: z.string().nullable(),
});

export const fpmStatusProcessSchema = z.object({
  pid: z.number().int().positive(),
  state: z.string(),
  requests: z.number().int().nonnegative().nullable(),
  requestDurationUs: z.number().int().nonnegative().nullable(),
  requestMethod: z.string().nullable(),
  requestUri: z.string().nullable(),
  script: z.string().nullable(),
  lastRequestCpu: z.number().nullable(),
  lastRequestMemoryBytes: bytes.nullable(),
});
export type FpmStatusProcess = z.output<typeof fpmStatusProcessSchema>;

export const fpmStatusSchema = z.object({
  pool: z.string(),
  /** How it was fetched: the pool's socket (the probe's FastCGI client in PHP, or cgi-fcgi), or the web server on 127.0.0.1. */
  via: z.enum(['cgi-fcgi', 'curl', 'php-fcgi']).nullable(),
  /** Null when it was read; else why not, in plain words. */
  problem: z.string().nullable(),
  processManager: z.string().nullable(),
  startSince: z.number().int().nonnegative().nullable(),
  acceptedConn: z.number().int().nonnegative().nullable(),
  listenQueue: z.number().int().nonnegative().nullable(),
  maxListenQueue: z.number().int().nonnegative().nullable(),
  idleProcesses: z.number().int().nonnegative().nullable(),
  activeProcesses: z.number().int().nonnegative().nullable(),
  totalProcesses: z.number().int().nonnegative().nullable(),
  maxChildrenReached: z.number().int().nonnegative().nullable(),
  slowRequests: z.number().int().nonnegative().nullable(),
  processes: z.array(fpmStatusProcessSchema),
});
export type FpmStatus = z.output<typeof fpmStatusSchema>;

/** A CLI value that is not what a pool runs with: the trap that misleads engineers reading `php -i`. */
export const cliDifferenceSchema = z.object({
  name: phpMemorySettingNameSchema,
  cli: z.string().nullable(),
  cliBinary: z.string(),
  pool: z.string(),
  poolValue: z.string().nullable(),
});
export type CliDifference = z.output<typeof cliDifferenceSchema>;

export const unparsedLineSchema = z.object({ section: z.string(), line: z.string() });
export type UnparsedLine = z.output<typeof unparsedLineSchema>;

export const memoryPictureSchema = z.object({
  readAt: timestampSchema,
  /** Who the probe ran as, and whether `sudo -n` worked for what needs root. */
  access: z.object({
    user: z.string().nullable(),
    root: z.boolean(),
    sudo: z.boolean(),
  }),
  /** False when no php binary, FPM master or mod_php was found at all. */
  phpFound: z.boolean(),
  clis: z.array(phpCliSchema),
  fpmMasters: z.array(fpmMasterSchema),
  pools: z.array(fpmPoolSchema),
  apache: z.object({
    found: z.boolean(),
    /** The mod_php module loaded ("php_module", "php7_module"), else null. */
    modPhp: z.string().nullable(),
    /**
     * With mod_php: its settings as its own ini files set them (PHP's defaults where none does). Apache's
     * php_value lines in a vhost can still override them per site; those are not read.
     */
    settings: z.array(effectiveSettingSchema).optional(),
  }),
  cliDiffers: z.array(cliDifferenceSchema),
  processes: z.array(processMemorySchema),
  /** Sums over every PHP process (FPM, CLI, Apache), against the machine below. */
  phpTotal: memorySumSchema,
  memory: machineMemorySchema.nullable(),
  /** Sum of every pool's worst case; null when no pool's is known. */
  worstCaseBytes: bytes.nullable(),
  oomEvents: z.array(oomEventSchema),
  memoryExhausted: z.array(memoryExhaustedSchema),
  childSignals: z.array(childSignalSchema),
  maxChildrenReached: z.array(maxChildrenReachedSchema),
  slowlog: z.array(slowlogEntrySchema),
  logs: z.array(logReadSchema),
  fpmStatus: z.array(fpmStatusSchema),
  /** Plain statements of what could not be checked, and why. */
  couldNotCheck: z.array(z.string()),
  /** Plain statements of what stands out (worst case over memory, OOM kills, CLI/FPM differences...). */
  findings: z.array(z.string()),
  unparsed: z.array(unparsedLineSchema),
});
export type MemoryPicture = z.output<typeof memoryPictureSchema>;
