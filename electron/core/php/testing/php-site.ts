/**
 * The lab's PHP server php1 (e2e/lab/php/README.md), for lab tests: its shop over HTTP from the
 * workstation, its logs and its memory cgroup as this machine sees them, and e2e/lab/php/ctl.sh to
 * change it (which head feeds.lab.test answers from first, the shop pool's memory_limit) and to reset
 * it. Needs the lab up (`sudo bash e2e/lab/up.sh`) and root, like every lab test.
 */
import { execFile } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, rmdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { z } from 'zod';
import { LAB_JSON, LAB_NOT_UP } from '../../../../e2e/lab/lab.js';

const logSchema = z.object({
  /** The path on php1 (what a probe over ssh reads). */
  server: z.string(),
  /** The same file as this machine sees it (under e2e/lab/state/php1/log). */
  local: z.string(),
});

const phpSchema = z.object({
  host: z.string(),
  address: z.string(),
  port: z.number().int(),
  /** The docroot on php1 (`nginx -T` shows it). */
  docroot: z.string(),
  docrootLocal: z.string(),
  pool: z.string(),
  phpVersion: z.string(),
  /** The shop pool's php_admin_value[memory_limit] as lab.env sets it (96M). */
  fpmMemoryLimit: z.string(),
  /** memory_limit in php1's fpm/php.ini (Debian's 128M) and cli/php.ini (-1). */
  iniMemoryLimitFpm: z.string(),
  iniMemoryLimitCli: z.string(),
  maxChildren: z.number().int(),
  statusPath: z.string(),
  cgroup: z.object({ version: z.enum(['v1', 'v2']), path: z.string(), memoryMax: z.number().int() }),
  logs: z.object({ fpm: logSchema, error: logSchema, slow: logSchema, nginxError: logSchema, nginxAccess: logSchema }),
  /** e2e/lab/php/ctl.sh. */
  ctl: z.string(),
});

export type LabPhp = z.infer<typeof phpSchema>;
export type LabPhpLog = keyof LabPhp['logs'];

/** lab.json's "php" entry (written by up.sh). */
export function readLabPhp(file: string = LAB_JSON): LabPhp {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new Error(LAB_NOT_UP);
  }
  const php = (JSON.parse(text) as { php?: unknown }).php;
  if (php === undefined) throw new Error(`${file} has no "php" entry: the lab was brought up before php1 existed; run \`sudo bash e2e/lab/up.sh\``);
  return phpSchema.parse(php);
}

export interface SiteResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** The body, up to the cap (1 MiB unless told). */
  body: string;
  /** Bytes received (all of them, also past the cap). */
  bytes: number;
  ms: number;
}

/** Where each log of php1 ended at some moment: `logSince` reads what came after. */
export type LogMark = Record<LabPhpLog, number>;

const sizeOf = (file: string): number => {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
};

function readFrom(file: string, offset: number): string {
  const size = sizeOf(file);
  // A log that shrank was rotated or truncated: all of it is new.
  const start = size < offset ? 0 : offset;
  if (size <= start) return '';
  const fd = openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(size - start);
    const n = readSync(fd, buffer, 0, buffer.length, start);
    return buffer.subarray(0, n).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

function run(file: string, args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: timeoutMs, maxBuffer: 4 << 20 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${[file, ...args].join(' ')} failed: ${String(stderr).trim() || error.message}`));
      else resolve(String(stdout));
    });
  });
}

/** The lab's PHP server, driven from a test. */
export function phpSite(lab: LabPhp = readLabPhp()) {
  const ctl = (...args: string[]) => run('bash', [lab.ctl, ...args], 90_000);
  /** Files a test put into the docroot: reset() removes them. */
  const added = new Set<string>();

  /** One GET to php1's nginx from the workstation (Host: shop.lab.test). */
  const request = (path: string, options: { timeoutMs?: number; capBytes?: number } = {}): Promise<SiteResponse> =>
    new Promise((resolve, reject) => {
      const started = Date.now();
      const cap = options.capBytes ?? 1 << 20;
      const req = http.get(
        { host: lab.address, port: lab.port, path, headers: { Host: 'shop.lab.test' }, timeout: options.timeoutMs ?? 60_000, agent: false },
        (res) => {
          const chunks: Buffer[] = [];
          let kept = 0;
          let bytes = 0;
          res.on('data', (chunk: Buffer) => {
            bytes += chunk.length;
            if (kept < cap) {
              const part = chunk.subarray(0, cap - kept);
              chunks.push(part);
              kept += part.length;
            }
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8'), bytes, ms: Date.now() - started }));
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`GET http://${lab.address}${path}: no answer within ${options.timeoutMs ?? 60_000} ms`)));
      req.on('error', reject);
    });

  return {
    lab,
    request,
    /** `count` GETs at once (the workers that hit the bad head together). */
    requestMany: (path: string, count: number, options: { timeoutMs?: number } = {}) =>
      Promise.all(Array.from({ length: count }, () => request(path, options))),
    /** The shop pool's memory_limit (php_admin_value), e.g. '512M'; php-fpm is restarted with it. */
    setFpmMemoryLimit: (size: string) => ctl('memory-limit', size),
    /** feeds.lab.test resolves on php1 to these heads first (what a round-robin DNS answer starting with head3 does). */
    routeFeedsTo: (...heads: string[]) => ctl('feeds', ...heads),
    /**
     * Puts a file into the docroot (`lib/slow.php` is /srv/www/shop/lib/slow.php on php1), readable by
     * the pool's user, until reset(). Returns its path on php1.
     */
    putFile: (relative: string, content: string): string => {
      const local = path.resolve(lab.docrootLocal, relative);
      if (!local.startsWith(`${lab.docrootLocal}/`)) throw new Error(`putFile: ${relative} is outside the docroot`);
      mkdirSync(path.dirname(local), { recursive: true, mode: 0o755 });
      writeFileSync(local, content, { mode: 0o644 });
      added.add(local);
      return `${lab.docroot}/${path.relative(lab.docrootLocal, local)}`;
    },
    /** Back to lab.env's php1: the pool's memory_limit, the heads' order, no file a test put; php-fpm and nginx running. */
    reset: async () => {
      for (const file of added) {
        rmSync(file, { force: true });
        // And the directories it made, once empty.
        for (let dir = path.dirname(file); dir.startsWith(`${lab.docrootLocal}/`) && readdirSync(dir).length === 0; dir = path.dirname(dir)) rmdirSync(dir);
      }
      added.clear();
      await ctl('reset');
    },
    /** The memory cgroup's OOM kills so far (memory.events or, on cgroup v1, memory.oom_control). */
    oomKills: (): number => {
      const file = lab.cgroup.version === 'v2' ? `${lab.cgroup.path}/memory.events` : `${lab.cgroup.path}/memory.oom_control`;
      const match = /^oom_kill (\d+)$/m.exec(readFileSync(file, 'utf8'));
      if (!match) throw new Error(`${file} has no oom_kill line`);
      return Number(match[1]);
    },
    /** The cgroup's memory cap and its use now, in bytes. */
    cgroupMemory: (): { limit: number; usage: number } => {
      const read = (name: string) => Number(readFileSync(`${lab.cgroup.path}/${name}`, 'utf8').trim());
      return lab.cgroup.version === 'v2'
        ? { limit: read('memory.max'), usage: read('memory.current') }
        : { limit: read('memory.limit_in_bytes'), usage: read('memory.usage_in_bytes') };
    },
    /** Where php1's logs end now. */
    logMark: (): LogMark => {
      const mark = {} as LogMark;
      for (const name of Object.keys(lab.logs) as LabPhpLog[]) mark[name] = sizeOf(lab.logs[name].local);
      return mark;
    },
    /** What a log of php1 got since `mark`. */
    logSince: (mark: LogMark, name: LabPhpLog): string => readFrom(lab.logs[name].local, mark[name]),
    /** The kernel's log (dmesg: one ring for the machine and every namespace). */
    kernelLog: () => run('dmesg', [], 10_000),
  };
}

export type PhpSite = ReturnType<typeof phpSite>;
