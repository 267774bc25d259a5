/**
 * `npm run bench:ssh-scale`: `hostname` on 20, 50, 100 and 200 lab servers (as many as the fleet has),
 * Backline cold (new connections, handshakes bounded by SshSessions' concurrency) and warm (reused
 * sessions), against OpenSSH: N × `ssh` started at once, and `xargs -P` with the same bound as Backline's
 * handshakes; all in one run. Also Backline's memory: RSS and heap with N idle connections against
 * none, per connection (after a full GC), bare ssh2 exec on the same warm connections and the time
 * SQLite's durable commits held the thread in the warm fan-out, and the cold 200 with the handshakes unbounded, to show
 * what the bound buys on this machine. Needs `bash e2e/lab/up.sh --fleet 200`; run with
 * `node --expose-gc --import tsx` (the npm script does) so the memory figures are after a GC.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { readLab } from '../../e2e/lab/lab.js';
import { createCore } from '../../electron/core/core.js';
import { HANDSHAKE_CONCURRENCY } from '../../electron/core/ssh/sessions.js';
import type { Client } from 'ssh2';
import { timedSqlite } from './sqlite-time.js';
import type { MethodInput, MethodName, MethodOutput } from '../../shared/contract/index.js';

const SIZES = [20, 50, 100, 200];
const WARM_ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const COMMAND = ['hostname'];

const lab = readLab();
const fleet = lab.hosts.filter((h) => h.kind === 'fleet');
const sizes = SIZES.filter((n) => n <= fleet.length);
if (sizes.length === 0) throw new Error(`The bench needs at least 20 fleet servers; the lab has ${fleet.length}. Run: bash e2e/lab/up.sh --fleet 200`);
const rootKey = lab.keys.find((k) => k.name === 'lab_root')!.privateKey;
const gc = (globalThis as { gc?: () => void }).gc;

const work = mkdtempSync(join(tmpdir(), 'backline-bench-scale-'));
const home = join(work, 'home');
mkdirSync(join(home, '.ssh'), { recursive: true });
const knownHosts = join(home, '.ssh', 'known_hosts');
writeFileSync(knownHosts, fleet.flatMap((h) => h.hostKeys.map((k) => `${h.address} ${k.publicKey}`)).join('\n') + '\n');
const sshArgs = ['-F', '/dev/null', '-i', rootKey, '-o', 'IdentitiesOnly=yes', '-o', `UserKnownHostsFile=${knownHosts}`, '-o', 'StrictHostKeyChecking=yes', '-o', 'BatchMode=yes'];

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
async function timed(work: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await work();
  return performance.now() - start;
}

function run(command: string, args: string[], stdin?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: [stdin === undefined ? 'ignore' : 'pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${command} exited ${code}: ${stderr.slice(-500)}`))));
    if (stdin !== undefined) child.stdin?.end(stdin);
  });
}
async function timedFailures(work: () => Promise<number>): Promise<{ ms: number; failed: number }> {
  const start = performance.now();
  const failed = await work();
  return { ms: performance.now() - start, failed };
}
/** N × ssh at once; resolves with how many failed (200 at once on two cores can make some give up). */
const opensshParallel = async (n: number) =>
  (await Promise.allSettled(fleet.slice(0, n).map((h) => run('ssh', [...sshArgs, `root@${h.address}`, ...COMMAND])))).filter((r) => r.status === 'rejected').length;
/** xargs -P; resolves with whether any ssh failed (xargs exits 123 then). */
const opensshXargs = (n: number, parallel: number) =>
  run('xargs', ['-P', String(parallel), '-I{}', 'ssh', ...sshArgs, 'root@{}', ...COMMAND], fleet.slice(0, n).map((h) => h.address).join('\n') + '\n');

const core = createCore({ dataDir: join(work, 'data'), shell: 'browser', version: 'bench', log: () => undefined, ssh: { home, user: 'bench', agentSocket: null } });
async function call<K extends MethodName>(method: K, input: MethodInput<K>): Promise<MethodOutput<K>> {
  const result = await core.dispatch(method, input, { shell: 'browser' });
  if (!result.ok) throw new Error(`${method}: ${result.error.code} ${result.error.message}`);
  return result.value as MethodOutput<K>;
}

let runs = 0;
async function fanOut(ids: number[]): Promise<void> {
  const { results } = await call('commands.run', { ticketId: 'BENCH-3', runId: `scale-${++runs}-${Date.now()}`, serverIds: ids, argv: COMMAND, sudo: false, timeoutS: 120 });
  const failed = results.filter((r) => r.exitCode !== 0);
  if (failed.length > 0) throw new Error(`${failed.length} failed, first ${failed[0]!.label}: ${failed[0]!.error?.message ?? `exit ${failed[0]!.exitCode}`}`);
}

/** One exec straight on ssh2 (the floor under any runner); resolves when the channel closes with exit 0. */
function bareExec(client: Client): Promise<void> {
  return new Promise((resolve, reject) => {
    client.exec(COMMAND.join(' '), (error, channel) => {
      if (error) return reject(error);
      let code: number | null = null;
      channel.on('exit', (exit: number | null) => (code = exit));
      channel.on('close', () => (code === 0 ? resolve() : reject(new Error(`bare exec: exit ${code}`))));
      channel.resume();
      channel.stderr.resume();
      channel.end();
    });
  });
}

async function memory(): Promise<{ rss: number; heap: number }> {
  for (let i = 0; i < 3; i++) {
    gc?.();
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const { rss, heapUsed, external } = process.memoryUsage();
  return { rss, heap: heapUsed + external };
}

try {
  await call('tickets.create', { id: 'BENCH-3', title: 'SSH at scale benchmark' });
  const ids: number[] = [];
  for (const host of fleet.slice(0, Math.max(...sizes))) {
    ids.push((await call('servers.add', { ticketId: 'BENCH-3', label: host.name, host: host.address, user: 'root', auth: 'key', keyFile: rootKey })).id);
  }
  // Before any connection: what N connections add is measured from here (an upper bound: the JIT's
  // and SQLite's own growth while they ran count too, and RSS rarely shrinks).
  const idle = await memory();
  const bare = async (n: number) => {
    const clients = await Promise.all(ids.slice(0, n).map(async (id) => (await core.sessions.session(id, () => { throw new Error('not connected'); })).connection.client));
    await Promise.all(clients.map(bareExec));
  };
  const disconnectAll = async () => {
    for (const id of ids) if (core.sessions.state(id) !== 'disconnected') await call('servers.disconnect', { id });
  };
  // Warm-up, not measured: every sshd has answered once, the page cache holds ssh and sshd, the JIT has run.
  await fanOut(ids.slice(0, 20));
  await opensshParallel(20);
  await disconnectAll();

  const rows: { n: number; cold: number; warm: number; bare: number; sqliteMs: number; commits: number; parallel: { ms: number; failed: number }; xargs: { ms: number; failed: number }; rssPer: number; heapPer: number }[] = [];
  for (const n of sizes) {
    const parallel = await timedFailures(() => opensshParallel(n));
    const xargs = await timedFailures(() => opensshXargs(n, HANDSHAKE_CONCURRENCY).then(() => 0, () => 1));
    await disconnectAll();
    const cold = await timed(() => fanOut(ids.slice(0, n)));
    const warm: Awaited<ReturnType<typeof timedSqlite>>[] = [];
    const bares: number[] = [];
    for (let i = 0; i < WARM_ROUNDS; i++) {
      warm.push(await timedSqlite(() => fanOut(ids.slice(0, n))));
      bares.push(await timed(() => bare(n)));
    }
    const typical = warm.find((w) => w.ms === median(warm.map((x) => x.ms)))!;
    const connected = await memory();
    rows.push({ n, cold, warm: typical.ms, bare: median(bares), sqliteMs: typical.sqliteMs, commits: typical.commits, parallel, xargs, rssPer: (connected.rss - idle.rss) / n, heapPer: (connected.heap - idle.heap) / n });
    await disconnectAll();
  }
  const largest = Math.max(...sizes);
  core.sessions.handshakes.limit = 10_000;
  const unbounded = await timed(() => fanOut(ids.slice(0, largest)));
  core.sessions.handshakes.limit = HANDSHAKE_CONCURRENCY;
  await disconnectAll();

  const ms = (value: number) => `${value.toFixed(0)} ms`.padStart(9);
  const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`.padStart(9);
  console.log(`\n\`${COMMAND.join(' ')}\` on N lab servers (${new Date().toISOString()}); Backline's handshakes ${HANDSHAKE_CONCURRENCY} at once, xargs -P ${HANDSHAKE_CONCURRENCY}; warm: median of ${WARM_ROUNDS}; ${gc ? 'memory after a full GC' : 'memory WITHOUT a GC (run with node --expose-gc)'}\n`);
  console.log(`${'N'.padStart(4)} ${'Backline cold'.padStart(14)} ${'Backline warm'.padStart(14)} ${'of it SQLite'.padStart(20)} ${'bare ssh2'.padStart(10)} ${'N × ssh'.padStart(10)} ${'xargs -P'.padStart(10)} ${'RSS/conn'.padStart(10)} ${'heap/conn'.padStart(10)}`);
  for (const r of rows) {
    const sql = `${ms(r.sqliteMs).trim()} (${r.commits} commits)`;
    console.log(`${String(r.n).padStart(4)} ${ms(r.cold).padStart(14)} ${ms(r.warm).padStart(14)} ${sql.padStart(20)} ${ms(r.bare).padStart(10)} ${(ms(r.parallel.ms) + (r.parallel.failed ? ` (${r.parallel.failed} failed)` : '')).padStart(10)} ${(ms(r.xargs.ms) + (r.xargs.failed ? ' (some failed)' : '')).padStart(10)} ${kib(r.rssPer).padStart(10)} ${kib(r.heapPer).padStart(10)}`);
  }
  const last = rows.at(-1)!;
  console.log('');
  console.log(`cold ${largest} with handshakes unbounded: ${ms(unbounded).trim()} (bounded to ${HANDSHAKE_CONCURRENCY}: ${ms(last.cold).trim()})`);
  console.log(`warm fan-out to ${largest}: ${ms(last.warm).trim()}   (target < 1 s${largest === 200 ? '' : ' at 200'}: ${last.warm < 1000 ? 'met' : 'NOT met'})`);
  console.log(`warm fan-out to ${largest} ÷ bare ssh2 exec on the same connections: ${(last.warm / last.bare).toFixed(2)}x; SQLite (the run's history and audit entries, group-committed: ${last.commits} commits for ${largest} servers) held the thread ${((last.sqliteMs / last.warm) * 100).toFixed(0)}% of it`);
  console.log(`RSS per idle connection at ${largest}: ${kib(last.rssPer).trim()}   (target < 2 MB: ${last.rssPer < 2 * 1024 * 1024 ? 'met' : 'NOT met'})`);
  console.log(`cold ${largest}: Backline ÷ ${largest} × ssh ${(last.cold / last.parallel.ms).toFixed(2)}x, ÷ xargs -P ${HANDSHAKE_CONCURRENCY} ${(last.cold / last.xargs.ms).toFixed(2)}x`);
  console.log(`(the ${fleet.length} lab sshd and this process share this machine's ${availableParallelism()} cores)`);
} finally {
  core.close();
  rmSync(work, { recursive: true, force: true });
}
