import type {
  ChildSignal,
  CliDifference,
  EffectiveSetting,
  FpmMaster,
  FpmPool,
  FpmStatus,
  MemoryExhausted,
  MemoryPicture,
  MemorySum,
  OomEvent,
  PhpCli,
  ProcessMemory,
  SlowlogEntry,
  UnparsedLine,
} from '../../../../shared/domain/php-memory.js';
import { phpMemorySettingNames } from '../../../../shared/domain/php-memory.js';
import { memoryFindings } from './findings.js';
import { parseFpmConfig, poolOverride, type FpmConfigFile, type PoolConfig } from './fpm-config.js';
import { parseFpmStatus } from './fpm-status.js';
import { iniFileSettings, iniSettings, normalizeIniValue, parseCliIni, parseFpmInfo, sameIniValue, type IniReading } from './ini.js';
import { parseKernelOom, type KernelClock } from './kernel-oom.js';
import { parseCgroup, parseMeminfo } from './machine.js';
import { parsePhpLog, type ChildSignalAt, type ExhaustedAt, type PhpLogKind } from './php-logs.js';
import { parsePs, parsePss } from './processes.js';
import { parsePhpSize } from './sizes.js';
import { splitProbeSections, type ProbeSection } from './sections.js';

/**
 * The memory picture from the probe's output (probe-script.ts): pure, so every fixture of real output
 * can be read without a server. Each section is parsed by its own parser; this puts them together:
 * effective settings per pool (the FPM SAPI's ini, then the pool's php_value / php_admin_value), the
 * workers per pool against the machine and the master's cgroup, the worst case memory_limit ×
 * pm.max_children, the log events grouped, and plain statements of what stands out and what could not
 * be checked.
 */

const KNOWN_SECTIONS = new Set([
  'access',
  'meminfo',
  'cli',
  'cli-none',
  'ps',
  'pss',
  'fpm-none',
  'fpm-elsewhere',
  'fpm-master',
  'fpm-cgroup',
  'fpm-ini',
  'fpm-conf',
  'fpm-pool-file',
  'fpm-ini-installed',
  'apache',
  'apache-ini',
  'kernel',
  'log',
  'fpm-status',
  'end',
]);

const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);

function memorySum(processes: readonly ProcessMemory[]): MemorySum {
  return {
    count: processes.length,
    rssBytes: sum(processes.map((p) => p.rssBytes)),
    pssBytes: processes.every((p) => p.pssBytes !== null) ? sum(processes.map((p) => p.pssBytes ?? 0)) : null,
  };
}

function parseAccess(lines: readonly string[]): { user: string | null; root: boolean; sudo: boolean; clock: KernelClock } {
  const fields = new Map((lines[0] ?? '').split(' ').map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)] as const));
  const number = (key: string) => {
    const n = Number(fields.get(key));
    return fields.get(key) && Number.isFinite(n) ? n : null;
  };
  const mode = fields.get('root');
  return { user: fields.get('user') || null, root: mode === 'root', sudo: mode === 'sudo', clock: { nowS: number('now'), uptimeS: number('uptime') } };
}

function overriddenSettings(base: EffectiveSetting[], pool: PoolConfig): EffectiveSetting[] {
  return base.map((setting) => {
    const override = poolOverride(pool, setting.name);
    if (!override) return setting;
    const value = normalizeIniValue(setting.name, override.value);
    return {
      name: setting.name,
      value,
      bytes: setting.name === 'memory_limit' ? parsePhpSize(value) : null,
      source: { kind: override.admin ? 'php_admin_value' : 'php_value', file: override.file },
    };
  });
}

const intOf = (text: string | undefined): number | null => (text !== undefined && /^\d+$/.test(text.trim()) ? Number(text.trim()) : null);

function groupExhausted(items: readonly ExhaustedAt[]): MemoryExhausted[] {
  const groups = new Map<string, MemoryExhausted>();
  for (const item of items) {
    const key = `${item.file}:${item.line}`;
    const group = groups.get(key);
    if (!group) {
      groups.set(key, { file: item.file, line: item.line, limitBytes: item.limitBytes, triedBytes: item.triedBytes, count: 1, first: item.at, last: item.at, logs: [item.log] });
      continue;
    }
    group.count++;
    group.limitBytes = item.limitBytes;
    group.triedBytes = Math.max(group.triedBytes, item.triedBytes);
    group.first ??= item.at;
    group.last = item.at ?? group.last;
    if (!group.logs.includes(item.log)) group.logs.push(item.log);
  }
  return [...groups.values()].sort((a, b) => b.count - a.count);
}

function groupSignals(items: readonly ChildSignalAt[]): ChildSignal[] {
  const groups = new Map<string, ChildSignal>();
  for (const item of items) {
    const key = `${item.pool ?? ''}\u0000${item.signal}`;
    const group = groups.get(key);
    if (!group) groups.set(key, { pool: item.pool, signal: item.signal, count: 1, first: item.at, last: item.at, pids: [item.pid] });
    else {
      group.count++;
      group.last = item.at ?? group.last;
      if (!group.pids.includes(item.pid)) group.pids.push(item.pid);
    }
  }
  return [...groups.values()];
}

interface ConfGroup {
  conf: string;
  files: FpmConfigFile[];
  installedIni: IniReading | null;
}

export function buildMemoryPicture(output: string, readAt: string): MemoryPicture {
  const { sections, before } = splitProbeSections(output);
  const unparsed: UnparsedLine[] = before.map((line) => ({ section: '(before the first section)', line }));
  const couldNotCheck: string[] = [];
  const findings: string[] = [];
  const named = (name: string) => sections.filter((s) => s.name === name);
  for (const section of sections) {
    couldNotCheck.push(...section.cannot);
    if (!KNOWN_SECTIONS.has(section.name)) unparsed.push(...section.lines.map((line) => ({ section: section.name, line })));
  }

  const access = parseAccess(named('access')[0]?.lines ?? []);
  const meminfo = parseMeminfo(named('meminfo')[0]?.lines ?? []);
  unparsed.push(...meminfo.unparsed);

  // CLIs.
  const clis: PhpCli[] = named('cli').map((section) => {
    const reading = parseCliIni(section.lines, `cli ${section.args[0] ?? ''}`);
    unparsed.push(...reading.unparsed);
    return {
      binary: section.args[0] ?? 'php',
      path: section.args[1] ?? '',
      version: reading.version,
      banner: reading.banner,
      loadedIni: reading.loadedIni,
      scannedIni: reading.scannedIni,
      settings: iniSettings(reading),
    };
  });

  // Processes, with PSS where it was readable.
  const psSection = named('ps')[0];
  const ps = parsePs(psSection?.lines ?? []);
  unparsed.push(...ps.unparsed);
  const pss = parsePss(named('pss')[0]?.lines ?? []);
  unparsed.push(...pss.unparsed);
  // PHP in a container (another network namespace or root) shows in ps, but its ini and pools are not this system's.
  // A pool with `chroot =` runs its workers from another root: a worker of this system's master is this system's.
  const isOther = (p: ProcessMemory) =>
    pss.namespaces.get(p.pid) === 'other' && !(p.role === 'fpm-worker' && ps.processes.some((m) => m.pid === p.ppid && m.role === 'fpm-master' && pss.namespaces.get(m.pid) !== 'other'));
  const elsewhere = ps.processes.filter(isOther);
  const processes = ps.processes.filter((p) => !isOther(p) && !pss.gone.has(p.pid)).map((p) => ({ ...p, pssBytes: pss.pss.get(p.pid) ?? null }));
  if (elsewhere.length > 0) {
    findings.push(
      `${elsewhere.length} PHP process${elsewhere.length === 1 ? '' : 'es'} (${elsewhere.filter((p) => p.role === 'fpm-master').length} php-fpm master${elsewhere.filter((p) => p.role === 'fpm-master').length === 1 ? '' : 's'}) run in another network namespace or from another root (a container): ps shows them here, but their configuration and memory are not this system's and are not counted.`,
    );
  }
  const unreadablePss = processes.filter((p) => p.pssBytes === null).length;
  if (processes.length > 0 && unreadablePss > 0) {
    couldNotCheck.push(
      `PSS (the memory a process really holds, shared pages split) could not be read for ${unreadablePss} of ${processes.length} PHP processes: /proc/PID/smaps_rollup of another user's process needs root${access.sudo || access.root ? ', or the kernel is older than 4.14' : ' and sudo -n does not work here'}. RSS is shown; it counts shared pages once per process.`,
    );
  }

  // FPM masters: their own sections, followed by their cgroup and FPM ini.
  const masterInis = new Map<number, IniReading>();
  const masters: FpmMaster[] = named('fpm-master').map((section) => {
    const pid = Number(section.args[0]);
    const binary = section.args[1] || null;
    const configPath = section.args.slice(2).join(' ') || null;
    // The master's title; older probes also printed `php-fpm -v`'s first line.
    const versionLine = section.lines.find((l) => /^PHP \d/.test(l)) ?? null;
    for (const line of section.lines) if (!/^php-fpm/.test(line) && line !== versionLine) unparsed.push({ section: `fpm-master ${pid}`, line });
    const cgroupSection = sections.find((s) => s.name === 'fpm-cgroup' && s.args[0] === String(pid));
    const cgroup = cgroupSection ? parseCgroup(cgroupSection.lines, `fpm-cgroup ${pid}`) : { cgroup: null, unparsed: [] };
    unparsed.push(...cgroup.unparsed);
    const iniSection = sections.find((s) => s.name === 'fpm-ini' && s.args[0] === String(pid));
    let phpIni: string | null = null;
    if (iniSection) {
      const reading = parseFpmInfo(iniSection.lines, `fpm-ini ${pid}`);
      unparsed.push(...reading.unparsed);
      masterInis.set(pid, reading);
      phpIni = reading.loadedIni;
    }
    const version = /^PHP (\d+\.\d+\.\d+\S*)/.exec(versionLine ?? '')?.[1] ?? masterInis.get(pid)?.version ?? null;
    return { pid, binary, version, configPath, phpIni, cgroup: cgroup.cgroup };
  });

  // The FPM configuration on disk, one group per php-fpm.conf with its pool files.
  const groups: ConfGroup[] = [];
  for (const section of sections) {
    if (section.name === 'fpm-conf') groups.push({ conf: section.args.join(' '), files: [{ path: section.args.join(' '), lines: section.lines }], installedIni: null });
    else if (section.name === 'fpm-pool-file') groups.at(-1)?.files.push({ path: section.args.join(' '), lines: section.lines });
    else if (section.name === 'fpm-ini-installed') {
      const group = groups.find((g) => g.conf === section.args[0]);
      const reading = parseFpmInfo(section.lines, `fpm-ini-installed ${section.args[0] ?? ''}`);
      unparsed.push(...reading.unparsed);
      if (group) group.installedIni = reading;
    }
  }

  const pools: FpmPool[] = [];
  for (const group of groups) {
    const config = parseFpmConfig(group.files);
    unparsed.push(...config.unparsed);
    const master = masters.find((m) => m.configPath === group.conf) ?? null;
    const ini = (master ? masterInis.get(master.pid) : null) ?? group.installedIni;
    // The probe reads log files; a log sent to syslog is in the journal or /var/log/syslog, not read here.
    const errorLog = config.global.get('error_log');
    if (errorLog && !errorLog.startsWith('/')) couldNotCheck.push(`FPM (${group.conf}) logs to ${errorLog === 'syslog' ? 'syslog' : `"${errorLog}", relative to its prefix`}: its children killed by a signal and "server reached pm.max_children" were not read.`);
    if (!ini && config.pools.length > 0) {
      couldNotCheck.push(`The php.ini of the FPM configured in ${group.conf} could not be read (its php-fpm binary was not found or did not answer -i): its pools' effective settings show only their own php_value overrides.`);
    }
    const base = ini ? iniSettings(ini) : phpMemorySettingNames.map((name): EffectiveSetting => ({ name, value: null, bytes: null, source: { kind: 'default', file: null } }));
    for (const pool of config.pools) {
      const settings = overriddenSettings(base, pool);
      const poolLog = poolOverride(pool, 'error_log')?.value;
      if (poolLog && !poolLog.startsWith('/')) couldNotCheck.push(`Pool ${pool.name} sends PHP's errors to ${poolLog === 'syslog' ? 'syslog' : `"${poolLog}"`}: its "Allowed memory size" errors were not read.`);
      const workers = master ? processes.filter((p) => p.role === 'fpm-worker' && p.pool === pool.name && p.ppid === master.pid) : [];
      const d = (key: string) => pool.directives.get(key) ?? null;
      const maxChildren = intOf(pool.directives.get('pm.max_children'));
      const limit = settings.find((s) => s.name === 'memory_limit')?.bytes ?? null;
      pools.push({
        name: pool.name,
        file: pool.file,
        masterPid: master?.pid ?? null,
        fpmVersion: master?.version ?? ini?.version ?? null,
        listen: d('listen'),
        user: d('user'),
        pm: d('pm'),
        maxChildren,
        startServers: intOf(pool.directives.get('pm.start_servers')),
        minSpareServers: intOf(pool.directives.get('pm.min_spare_servers')),
        maxSpareServers: intOf(pool.directives.get('pm.max_spare_servers')),
        maxRequests: intOf(pool.directives.get('pm.max_requests')),
        statusPath: d('pm.status_path'),
        slowlog: d('slowlog'),
        requestSlowlogTimeout: d('request_slowlog_timeout'),
        requestTerminateTimeout: d('request_terminate_timeout'),
        iniValues: pool.iniValues,
        settings,
        workers: memorySum(workers),
        worstCaseBytes: limit !== null && maxChildren !== null ? limit * maxChildren : null,
      });
    }
  }
  for (const master of masters) {
    if (!groups.some((g) => g.conf === master.configPath)) {
      couldNotCheck.push(`The configuration of php-fpm master ${master.pid} (${master.configPath ?? 'path unknown'}) could not be read: its pools, pm.max_children and overrides are unknown.`);
    }
  }

  // Apache and mod_php.
  const apacheSection = named('apache')[0];
  const modPhp = apacheSection?.lines.map((l) => /^\s*(php\d*_module)\b/.exec(l)?.[1]).find(Boolean) ?? null;
  for (const line of apacheSection?.lines ?? []) {
    if (/^\s*(php\d*_module\b|Loaded Modules:)/.test(line)) continue;
    if (!/not permitted|denied/i.test(line)) unparsed.push({ section: 'apache', line });
    else couldNotCheck.push(`Apache's loaded modules could not be listed (${line.trim().slice(0, 200)}): whether it runs mod_php is unknown.`);
  }
  const apacheIniSection = named('apache-ini')[0];
  const apacheIni = apacheIniSection ? parseCliIni(apacheIniSection.lines, 'apache-ini') : null;
  if (apacheIni) unparsed.push(...apacheIni.unparsed);

  // The kernel's OOM kills.
  const oomEvents: OomEvent[] = [];
  const logs: MemoryPicture['logs'] = [];
  for (const section of named('kernel')) {
    const source = section.args[0];
    if (source === 'journal' || source === 'dmesg' || source === 'kern.log') {
      const parsed = parseKernelOom(section.lines, source, access.clock, `kernel ${source}`);
      oomEvents.push(...parsed.events);
      unparsed.push(...parsed.unparsed);
      logs.push({ path: source === 'kern.log' ? (section.args[1] ?? '/var/log/kern.log') : source === 'journal' ? 'journalctl -k' : 'dmesg', kind: 'kernel', lines: section.lines.length, problem: section.cannot[0] ?? null });
    } else {
      logs.push({ path: 'kernel log', kind: 'kernel', lines: 0, problem: section.cannot[0] ?? 'not read' });
    }
  }

  // PHP and FPM logs.
  const exhausted: ExhaustedAt[] = [];
  const signals: ChildSignalAt[] = [];
  const maxChildren: { pool: string; at: string | null }[] = [];
  const slowlog: SlowlogEntry[] = [];
  for (const section of named('log')) {
    const kind = (section.args[0] ?? 'php-error') as PhpLogKind;
    const path = section.args.slice(1).join(' ');
    const reading = parsePhpLog(section.lines, kind, path);
    exhausted.push(...reading.exhausted);
    signals.push(...reading.childSignals);
    maxChildren.push(...reading.maxChildren);
    slowlog.push(...reading.slowlog);
    unparsed.push(...reading.unparsed);
    logs.push({ path, kind: kind === 'web-error' ? 'php-error' : kind, lines: section.lines.length, problem: section.cannot[0] ?? null });
  }
  const byPool = new Map<string, { pool: string; at: string | null }[]>();
  for (const item of maxChildren) byPool.set(item.pool, [...(byPool.get(item.pool) ?? []), item]);
  const maxChildrenReached = [...byPool.entries()].map(([pool, items]) => ({
    pool,
    count: items.length,
    first: items[0]?.at ?? null,
    last: items.at(-1)?.at ?? null,
  }));

  // FPM status pages.
  const fpmStatus: FpmStatus[] = named('fpm-status').map((section) => {
    const status = parseFpmStatus(section.args[0] ?? '?', [...section.lines, ...section.cannot.map((c) => c)]);
    return section.cannot.length > 0 && section.lines.length === 0 ? { ...status, problem: section.cannot.join(' ') } : status;
  });
  const running = pools.filter((p) => p.masterPid !== null);
  if (running.length > 0 && !running.some((p) => p.statusPath)) {
    couldNotCheck.push(`No running pool sets pm.status_path (${running.map((p) => p.name).join(', ')}), so FPM's per-worker "last request memory" is not available; adding one needs a change on the server.`);
  }

  // CLI values that differ from what the pools run with.
  const cliDiffers: CliDifference[] = [];
  for (const cli of clis) {
    for (const pool of running.length > 0 ? running : pools) {
      for (const name of phpMemorySettingNames) {
        const cliValue = cli.settings.find((s) => s.name === name)?.value ?? null;
        const poolValue = pool.settings.find((s) => s.name === name)?.value ?? null;
        if (cliValue === null || poolValue === null || sameIniValue(name, cliValue, poolValue)) continue;
        cliDiffers.push({ name, cli: cliValue, cliBinary: cli.binary, pool: pool.name, poolValue });
      }
    }
  }

  const phpProcesses = processes.filter((p) => p.role !== 'other');
  const phpTotal = memorySum(phpProcesses);
  const worstParts = (running.length > 0 ? running : []).map((p) => p.worstCaseBytes).filter((n): n is number => n !== null);
  const worstCaseBytes = worstParts.length > 0 ? sum(worstParts) : null;
  const memory = meminfo.memory;
  const phpFound = clis.length > 0 || masters.length > 0 || pools.length > 0 || modPhp !== null || phpProcesses.some((p) => p.role !== 'apache');

  const groupedExhausted = groupExhausted(exhausted);
  return {
    readAt,
    access: { user: access.user, root: access.root, sudo: access.sudo },
    phpFound,
    clis,
    fpmMasters: masters,
    pools,
    apache: { found: apacheSection !== undefined, modPhp, ...(apacheIni ? { settings: iniFileSettings(apacheIni) } : {}) },
    cliDiffers,
    processes,
    phpTotal,
    memory,
    worstCaseBytes,
    oomEvents,
    memoryExhausted: groupedExhausted,
    childSignals: groupSignals(signals),
    maxChildrenReached,
    slowlog,
    logs,
    fpmStatus,
    couldNotCheck: [...new Set(couldNotCheck)],
    findings: [...findings, ...memoryFindings({ phpFound, masters, pools, cliDiffers, memory, phpTotal, worstCaseBytes, oomEvents, memoryExhausted: groupedExhausted })],
    unparsed,
  };
}

export type { ProbeSection };
