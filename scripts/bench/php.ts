/**
 * `npm run bench:php` (issue 12, item 9): figures for the PHP capability against the lab's php1, all
 * measured in this run (needs `bash e2e/lab/up.sh`; prints figures, is not a test):
 *  (a) the memory probe (MEMORY_PROBE_SCRIPT) through Backline's runner against the same script sent by
 *      plain `ssh` in one call, warm (a reused connection: Backline's session, OpenSSH's ControlMaster)
 *      and cold (a new connection each); target ≤ 1.2×;
 *  (b) the remote-include scan over a generated docroot of 50,000 PHP files against plain
 *      `grep -rIn -i -E` with the same pattern over it, both over warm connections, page cache warm;
 *      target ≤ 1.3×;
 *  (c) the memory watch's CPU cost on the server at a 1 s interval, from /proc/<pid>/stat of its loop
 *      (its own ticks and its children's, awk and sleep) over ~30 s; target < 1% of one core.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readLab } from '../../e2e/lab/lab.js';
import { createCore } from '../../electron/core/core.js';
import { WORKSPACE_DB_FILE } from '../../electron/core/data-dir.js';
import { EventBus } from '../../electron/core/events.js';
import { scanIncludes } from '../../electron/core/php/include-scan/include-scan.js';
import { INCLUDE_PATTERN } from '../../electron/core/php/include-scan/scan-script.js';
import { watchMemory } from '../../electron/core/php/watch/watch-memory.js';
import type { HostKeyStore } from '../../electron/core/ssh/host-key-store.js';
import { localSsh } from '../../electron/core/ssh/local-ssh.js';
import { RemoteRunner } from '../../electron/core/ssh/remote.js';
import { commandLine } from '../../electron/core/ssh/shell-quote.js';
import { openWorkspaceDb } from '../../electron/core/store/database.js';
import { Workspace } from '../../electron/core/workspace/workspace.js';
import type { MethodInput, MethodName, MethodOutput } from '../../shared/contract/index.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const FILES = Number(process.env.BENCH_PHP_FILES ?? 50_000);
const WATCH_S = Number(process.env.BENCH_WATCH_S ?? 30);
const HOST = process.env.BENCH_PHP_HOST ?? 'php1';

const lab = readLab();
const host = lab.hosts.find((h) => h.name === HOST);
if (!host) throw new Error(`The lab has no ${HOST}: run bash e2e/lab/up.sh (and bash e2e/lab/status.sh).`);
const rootKey = lab.keys.find((k) => k.name === 'lab_root')!.privateKey;

const work = mkdtempSync(join(tmpdir(), 'backline-bench-php-'));
const home = join(work, 'home');
mkdirSync(join(home, '.ssh'), { recursive: true });
const knownHosts = join(home, '.ssh', 'known_hosts');
writeFileSync(knownHosts, host.hostKeys.map((k) => `${host.address} ${k.publicKey}`).join('\n') + '\n');

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
async function timed(work: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await work();
  return performance.now() - start;
}

const control = ['-o', `ControlPath=${join(work, 'cm')}`, '-o', 'ControlMaster=auto', '-o', 'ControlPersist=300'];
/** Plain OpenSSH, one call: argv as the remote command, `stdin` fed to it. */
function ssh(remote: string, stdin: string | null, warm: boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      'ssh',
      ['-F', '/dev/null', '-i', rootKey, '-o', 'IdentitiesOnly=yes', '-o', `UserKnownHostsFile=${knownHosts}`, '-o', 'StrictHostKeyChecking=yes', '-o', 'BatchMode=yes', ...(warm ? control : []), `root@${host!.address}`, remote],
      { stdio: ['pipe', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('exit', (code) => (code === 0 || code === 1 ? resolve() : reject(new Error(`ssh ${remote.slice(0, 40)} exited ${code}: ${stderr}`))));
    child.stdin.end(stdin ?? '');
  });
}

const core = createCore({ dataDir: join(work, 'data'), shell: 'browser', version: 'bench', log: () => undefined, ssh: { home, user: 'bench', agentSocket: null } });
async function call<K extends MethodName>(method: K, input: MethodInput<K>): Promise<MethodOutput<K>> {
  const result = await core.dispatch(method, input, { shell: 'browser' });
  if (!result.ok) throw new Error(`${method}: ${result.error.code} ${result.error.message}`);
  return result.value as MethodOutput<K>;
}

/** Files like a shop's: classes and templates of a few KiB, one in a thousand reading a remote URL. */
function generateDocroot(root: string, files: number): number {
  let bytes = 0;
  for (let i = 0; i < files; i++) {
    const dir = join(root, `module${Math.floor(i / 500)}`, `part${Math.floor(i / 50) % 10}`);
    if (i % 50 === 0) mkdirSync(dir, { recursive: true });
    const body = [
      '<?php',
      `namespace Shop\\Module${Math.floor(i / 500)};`,
      '',
      `final class Item${i}`,
      '{',
      ...Array.from({ length: 12 }, (_, k) => `    public function field${k}(array $row): string\n    {\n        return htmlspecialchars((string) ($row['f${k}'] ?? ''), ENT_QUOTES, 'UTF-8');\n    }`),
      i % 1000 === 7 ? "    public function feed(): string { return (string) file_get_contents('http://feeds.lab.test/feed.xml'); }" : '    // no remote call here',
      '}',
      '',
    ].join('\n');
    writeFileSync(join(dir, `Item${i}.php`), body);
    bytes += body.length;
  }
  return bytes;
}

/** utime + stime + cutime + cstime of a process, in clock ticks (proc(5): fields 14 to 17). */
function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0);
}

/** The watch's loop on the server: the sh whose command line names it (the lab's namespaces share this machine's /proc). */
function watchLoopPid(): number | null {
  const pids = execFileSync('ip', ['netns', 'pids', host!.namespace]).toString().split('\n').filter(Boolean).map(Number);
  for (const pid of pids) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      if (cmd[0] === '/bin/sh' && cmd.includes('backline-watch')) return pid;
    } catch {
      // ended meanwhile
    }
  }
  return null;
}

const row = (name: string, ms: number) => console.log(`  ${name.padEnd(62)} ${ms.toFixed(1).padStart(9)} ms`);
const verdict = (ratio: number, target: number) => `${ratio.toFixed(2)}x   (target ≤ ${target}x: ${ratio <= target ? 'met' : 'NOT met'})`;

let db: ReturnType<typeof openWorkspaceDb> | null = null;
try {
  await call('tickets.create', { id: 'BENCH-12', title: 'PHP benchmark' });
  const added = await call('servers.add', { ticketId: 'BENCH-12', label: host.name, host: host.address, user: 'root', auth: 'key', keyFile: rootKey });
  await call('servers.connect', { id: added.id, secrets: {} });
  // The runner the PHP handlers use, over this core's own session and workspace: every run audited.
  db = openWorkspaceDb(join(work, 'data', WORKSPACE_DB_FILE));
  const ws = new Workspace(db, new EventBus(), 'bench', () => new Date());
  const remote = new RemoteRunner(ws, {
    sessions: core.sessions,
    hostKeys: {} as HostKeyStore,
    local: localSsh({ home, user: 'bench', agentSocket: null }),
    runsDir: join(work, 'runs'),
    output: { headBytes: 4 * 1024 * 1024, tailBytes: 256 * 1024, liveBudgetBytes: 1024 * 1024, auditBytes: 16 * 1024 },
  });
  const server = ws.servers.get(added.id);
  console.log(`\nPHP benchmark on the lab's ${host.name} (${host.address}), median of ${ROUNDS} rounds, interleaved (${new Date().toISOString()})`);

  // (a) The memory probe: php-memory's script, when it is there.
  const probeModule = '../../electron/core/php/memory/probe-script.js';
  const script = await import(probeModule).then((m: { MEMORY_PROBE_SCRIPT?: string }) => m.MEMORY_PROBE_SCRIPT ?? null).catch(() => null);
  if (!script) {
    console.log('\n(a) memory probe: not measured, electron/core/php/memory/probe-script.ts (MEMORY_PROBE_SCRIPT) is not in this checkout yet.');
  } else {
    const viaRunner = () => remote.run({ server, argv: ['/bin/sh', '-c', script, 'sh'], sudo: false, viaStdin: true, purpose: 'Benchmark: memory probe', timeoutMs: 120_000 });
    const plain = commandLine(['/bin/sh', '-c', script, 'sh']);
    await viaRunner();
    await ssh('/bin/sh -s', plain, true);
    const s = { backline: [] as number[], sshWarm: [] as number[], sshCold: [] as number[] };
    for (let round = 0; round < ROUNDS; round++) {
      s.backline.push(await timed(viaRunner));
      s.sshWarm.push(await timed(() => ssh('/bin/sh -s', plain, true)));
      s.sshCold.push(await timed(() => ssh('/bin/sh -s', plain, false)));
    }
    console.log(`\n(a) memory probe (${script.length} bytes of script, on stdin to /bin/sh -s both ways)`);
    row('Backline runner (warm session, audited)', median(s.backline));
    row('plain ssh, one call over a ControlMaster connection', median(s.sshWarm));
    row('plain ssh, one call on a new connection', median(s.sshCold));
    console.log(`  Backline ÷ plain ssh (both warm)     ${verdict(median(s.backline) / median(s.sshWarm), 1.2)}`);
    console.log(`  Backline warm ÷ plain ssh (new connection each, as typed)   ${(median(s.backline) / median(s.sshCold)).toFixed(2)}x`);
  }

  // (b) The scan over 50,000 generated PHP files (the lab's namespaces see this machine's /tmp).
  const docroot = join(work, 'docroot');
  const started = performance.now();
  const bytes = generateDocroot(docroot, FILES);
  execFileSync('chmod', ['-R', 'a+rX', work]);
  console.log(`\n(b) remote-include scan: ${FILES.toLocaleString('en')} PHP files, ${(bytes / 1024 / 1024).toFixed(1)} MiB, generated in ${((performance.now() - started) / 1000).toFixed(1)} s under ${docroot}`);
  const grep = commandLine(['grep', '-rIn', '-i', '-E', '-e', INCLUDE_PATTERN, docroot]);
  const scan = () => scanIncludes(remote, server, { docroots: [docroot], maxFiles: FILES * 2, timeS: 600 });
  const first = await scan(); // warms the page cache for both
  await ssh(grep, null, true);
  if (first.stopped.reason !== 'done' || first.hits.length !== Math.ceil(FILES / 1000)) throw new Error(`the scan did not read it all: ${first.stopped.message}, ${first.hits.length} hits`);
  // The scan yields to the server's own work (nice 19, ionice -c3); the same grep niced alike tells the
  // pipeline's own cost (find, awk, xargs) apart from what yielding costs on a busy machine.
  const grepNiced = commandLine(['nice', '-n', '19', 'ionice', '-c3', 'grep', '-rIn', '-i', '-E', '-e', INCLUDE_PATTERN, docroot]);
  const b = { backline: [] as number[], grep: [] as number[], grepNiced: [] as number[] };
  for (let round = 0; round < ROUNDS; round++) {
    b.backline.push(await timed(scan));
    b.grep.push(await timed(() => ssh(grep, null, true)));
    b.grepNiced.push(await timed(() => ssh(grepNiced, null, true)));
  }
  row(`Backline scanIncludes (nice 19, ionice -c3, ${first.hits.length} hits, audited)`, median(b.backline));
  row('plain ssh grep -rIn -i -E (same pattern, ControlMaster)', median(b.grep));
  row('plain ssh nice -n 19 ionice -c3 grep -rIn -i -E (the same, niced)', median(b.grepNiced));
  console.log(`  Backline ÷ plain grep                ${verdict(median(b.backline) / median(b.grep), 1.3)}`);
  console.log(`  Backline ÷ plain grep niced alike    ${verdict(median(b.backline) / median(b.grepNiced), 1.3)}`);

  // (c) The watch's CPU cost at 1 s.
  const abort = new AbortController();
  // Filled in by the samples' callback.
  const m = { samples: 0, loop: null as number | null, startTicks: 0, startAt: 0, endTicks: 0, endAt: 0 };
  const watched = await watchMemory(remote, server, {
    intervalS: 1,
    signal: abort.signal,
    onSample: () => {
      m.samples++;
      if (m.samples === 2) {
        m.loop = watchLoopPid();
        if (m.loop !== null) [m.startTicks, m.startAt] = [cpuTicks(m.loop), performance.now()];
      }
      if (m.samples === 2 + WATCH_S && m.loop !== null) {
        [m.endTicks, m.endAt] = [cpuTicks(m.loop), performance.now()];
        abort.abort();
      }
      if (m.samples === 2 + WATCH_S) abort.abort();
    },
  });
  const hz = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  if (m.loop === null || m.endAt === 0) {
    console.log(`\n(c) memory watch: not measured (${m.loop === null ? 'its loop was not found in /proc' : 'it ended early'}; ${watched.stopped}, ${watched.statements.join(' ')})`);
  } else {
    const seconds = (m.endAt - m.startAt) / 1000;
    const share = (m.endTicks - m.startTicks) / hz / seconds;
    const last = watched.samples.at(-1);
    console.log(`\n(c) memory watch at 1 s: ${m.samples} samples; its loop (pid ${m.loop}) and its children used ${m.endTicks - m.startTicks} ticks (${hz}/s) in ${seconds.toFixed(1)} s`);
    console.log(`  CPU of one core                      ${(share * 100).toFixed(2)}%   (target < 1%: ${share < 0.01 ? 'met' : 'NOT met'}); ${last?.workerCount ?? 0} PHP processes seen per sample`);
  }
  console.log(`\n(this machine's ${execFileSync('nproc').toString().trim()} cores are shared with the lab and other work: figures vary from run to run)`);
} finally {
  spawn('ssh', ['-o', `ControlPath=${join(work, 'cm')}`, '-O', 'exit', `root@${host.address}`], { stdio: 'ignore' });
  core.close();
  db?.close();
  rmSync(work, { recursive: true, force: true });
}
