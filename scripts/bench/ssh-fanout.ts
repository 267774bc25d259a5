/**
 * `npm run bench:ssh`: one command on the lab's 20 fleet servers, Backline's fan-out against OpenSSH's
 * ssh run in parallel, cold (new connections) and warm (reused sessions), and against bare ssh2 exec on
 * Backline's own warm connections, all measured in this run. The bare runs show Backline's overhead over
 * its library, and the cost of carrying the command past the login shell (a fixed /bin/sh wrapper, the
 * argv in single quotes) against the sh-quoted text Backline sent before. Needs `bash e2e/lab/up.sh --fleet 20`.
 * Where Backline's time goes: the runner alone on the same connections (execOnClient, no audit), and
 * the time the workspace's SQLite transactions (synchronous=FULL: the run's history and each server's
 * audit entry, durable before the result is returned, group-committed: the results of one turn share a
 * commit) hold the event loop during each measured run, and how many commits that was. The floor for
 * one command: the runner's text on bare ssh2 (its /bin/sh is server work no client change removes) plus
 * one durable commit, both of which the audited runner keeps.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Client } from 'ssh2';
import { readLab } from '../../e2e/lab/lab.js';
import { createCore } from '../../electron/core/core.js';
import { execOnClient } from '../../electron/core/ssh/remote-exec.js';
import { runnerRequest } from '../../electron/core/ssh/runner-script.js';
import { commandLine } from '../../electron/core/ssh/shell-quote.js';
import { timedSqlite } from './sqlite-time.js';
import type { MethodInput, MethodName, MethodOutput } from '../../shared/contract/index.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
/** One-command runs per round for each way, interleaved. */
const ONE_REPEATS = Number(process.env.BENCH_ONE_REPEATS ?? 25);
const COMMAND = ['hostname'];

const lab = readLab();
const fleet = lab.hosts.filter((h) => h.kind === 'fleet');
if (fleet.length < 20) throw new Error(`The bench needs 20 fleet servers; the lab has ${fleet.length}. Run: bash e2e/lab/up.sh --fleet 20`);
const rootKey = lab.keys.find((k) => k.name === 'lab_root')!.privateKey;

const work = mkdtempSync(join(tmpdir(), 'backline-bench-'));
const home = join(work, 'home');
mkdirSync(join(home, '.ssh'), { recursive: true });
// Host keys known in advance for both sides, so neither measures a question nobody answers.
writeFileSync(join(home, '.ssh', 'known_hosts'), fleet.flatMap((h) => h.hostKeys.map((k) => `${h.address} ${k.publicKey}`)).join('\n') + '\n');

/**
 * What a durable commit costs on this disk, as the workspace makes them (WAL, synchronous=FULL): `count`
 * audit-sized rows in one transaction each, against the same rows in one transaction.
 */
function commitCost(dir: string, count: number): { each: number; one: number } {
  const db = new Database(join(dir, 'commit-cost.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec('DROP TABLE IF EXISTS entries; CREATE TABLE entries (id INTEGER PRIMARY KEY, detail TEXT NOT NULL)');
  const insert = db.prepare('INSERT INTO entries (detail) VALUES (?)');
  const detail = JSON.stringify({ argv: COMMAND, stdout: 'fleet01\n', padding: 'x'.repeat(1500) });
  const each = timedSync(() => {
    for (let i = 0; i < count; i++) db.transaction(() => insert.run(detail))();
  });
  const one = timedSync(() => db.transaction(() => {
    for (let i = 0; i < count; i++) insert.run(detail);
  })());
  db.close();
  return { each, one };
}
function timedSync(work: () => unknown): number {
  const start = performance.now();
  work();
  return performance.now() - start;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
async function timed(work: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await work();
  return performance.now() - start;
}

function openssh(address: string, extra: string[] = []): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      'ssh',
      ['-F', '/dev/null', '-i', rootKey, '-o', 'IdentitiesOnly=yes', '-o', `UserKnownHostsFile=${join(home, '.ssh', 'known_hosts')}`, '-o', 'StrictHostKeyChecking=yes', '-o', 'BatchMode=yes', ...extra, `root@${address}`, ...COMMAND],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`ssh ${address} exited ${code}: ${stderr}`))));
  });
}

const core = createCore({ dataDir: join(work, 'data'), shell: 'browser', version: 'bench', log: () => undefined, ssh: { home, user: 'bench', agentSocket: null } });
async function call<K extends MethodName>(method: K, input: MethodInput<K>): Promise<MethodOutput<K>> {
  const result = await core.dispatch(method, input, { shell: 'browser' });
  if (!result.ok) throw new Error(`${method}: ${result.error.code} ${result.error.message}`);
  return result.value as MethodOutput<K>;
}

/** One exec straight on ssh2, the script (if any) on stdin; resolves when the channel closes with exit 0. */
function bareExec(client: Client, text: string, stdin?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    client.exec(text, (error, channel) => {
      if (error) return reject(error);
      let code: number | null = null;
      channel.on('exit', (exit: number | null) => (code = exit));
      channel.on('close', () => (code === 0 ? resolve() : reject(new Error(`${text}: exit ${code}`))));
      channel.resume();
      channel.stderr.resume();
      if (stdin !== undefined) channel.end(stdin);
    });
  });
}

/** The text Backline sent before commands went past the login shell: argv quoted for sh, in a wrapper reporting the process group. */
const OLD_TEXT = commandLine(['sh', '-c', `read -r _ _ _ _ g _ < /proc/$$/stat; printf '\\036BLPGID:%s\\n' "$g" >&2; exec "$@"`, 'backline', ...COMMAND]);

/** What the runner sends for COMMAND: the script inline in the exec text, past the login shell. */
const runner = runnerRequest(COMMAND, false, { nonce: 'bench00000001' });

let runs = 0;
async function fanOut(ids: number[]): Promise<void> {
  const { results } = await call('commands.run', { ticketId: 'BENCH-1', runId: `bench-${++runs}-${Date.now()}`, serverIds: ids, argv: COMMAND, sudo: false, timeoutS: 60 });
  const failed = results.find((r) => r.exitCode !== 0);
  if (failed) throw new Error(`${failed.label}: ${failed.error?.message ?? `exit ${failed.exitCode}`}`);
}

try {
  await call('tickets.create', { id: 'BENCH-1', title: 'SSH fan-out benchmark' });
  const servers = [];
  for (const host of fleet.slice(0, 20)) {
    servers.push(await call('servers.add', { ticketId: 'BENCH-1', label: host.name, host: host.address, user: 'root', auth: 'key', keyFile: rootKey }));
  }
  const ids = servers.map((s) => s.id);
  const clients = async () =>
    Promise.all(ids.map(async (id) => (await core.sessions.session(id, () => { throw new Error('not connected'); })).connection.client));
  const bare = async (text: string, stdin?: string, count = ids.length) => {
    const all = (await clients()).slice(0, count);
    await Promise.all(all.map((client) => bareExec(client, text, stdin)));
  };
  /** The runner on the same connections, without RemoteRunner's audit and history (what remote.run adds on top). */
  const runnerOnly = async (count: number) => {
    const all = (await clients()).slice(0, count);
    await Promise.all(
      all.map(async (client) => {
        const result = await execOnClient(client, COMMAND, { sudo: false, timeoutMs: 60_000, output: { headBytes: 256 * 1024, tailBytes: 256 * 1024 } });
        if (result.exitCode !== 0) throw new Error(`runner: exit ${result.exitCode} ${result.error?.message ?? ''}`);
      }),
    );
  };
  const disconnectAll = async () => {
    for (const id of ids) await call('servers.disconnect', { id });
  };

  // Warm-up, not measured: page cache, sshd's first-connection work, JIT.
  await Promise.all(fleet.slice(0, 20).map((h) => openssh(h.address)));
  await fanOut(ids);

  // OpenSSH's own warm path, for comparison: one ControlMaster connection per host, commands multiplexed over it.
  const control = (address: string) => ['-o', `ControlPath=${join(work, `cm-${address}`)}`, '-o', 'ControlMaster=auto', '-o', 'ControlPersist=120'];
  await Promise.all(fleet.slice(0, 20).map((h) => openssh(h.address, control(h.address))));

  const sample = {
    opensshCold: [] as number[],
    backlineCold: [] as number[],
    backlineWarm: [] as number[],
    backlineOne: [] as number[],
    opensshOne: [] as number[],
    opensshWarm: [] as number[],
    opensshWarmOne: [] as number[],
    ssh2Bare: [] as number[],
    ssh2OldText: [] as number[],
    ssh2Runner: [] as number[],
    ssh2BareOne: [] as number[],
    ssh2RunnerOne: [] as number[],
    runnerOnlyOne: [] as number[],
    runnerOnlyFan: [] as number[],
    sqliteOne: [] as number[],
    sqliteFan: [] as number[],
    commitsOne: [] as number[],
    commitsFan: [] as number[],
    commitEach: [] as number[],
    commitOne: [] as number[],
  };
  for (let round = 0; round < ROUNDS; round++) {
    // Interleaved, so a noisy moment on this shared machine hits both sides alike.
    sample.opensshCold.push(await timed(() => Promise.all(fleet.slice(0, 20).map((h) => openssh(h.address)))));
    await disconnectAll();
    sample.backlineCold.push(await timed(() => fanOut(ids)));
    const warm = await timedSqlite(() => fanOut(ids));
    sample.backlineWarm.push(warm.ms);
    sample.sqliteFan.push(warm.sqliteMs);
    sample.commitsFan.push(warm.commits);
    sample.opensshOne.push(await timed(() => openssh(fleet[0]!.address)));
    sample.opensshWarm.push(await timed(() => Promise.all(fleet.slice(0, 20).map((h) => openssh(h.address, control(h.address))))));
    await fanOut(ids); // connects again after the cold round, so the bare runs below use warm connections
    sample.ssh2Bare.push(await timed(() => bare(COMMAND.join(' '))));
    sample.ssh2OldText.push(await timed(() => bare(OLD_TEXT)));
    sample.ssh2Runner.push(await timed(() => bare(runner.execText, runner.stdin)));
    sample.runnerOnlyFan.push(await timed(() => runnerOnly(ids.length)));
    // One command on one server, each way in turn, many times: a single sample after a fan-out
    // catches the 20 sshd still finishing their sessions, and differences of a millisecond drown.
    const oneWays: (() => Promise<void>)[] = [
      async () => {
        const one = await timedSqlite(() => fanOut([ids[0]!]));
        sample.backlineOne.push(one.ms);
        sample.sqliteOne.push(one.sqliteMs);
        sample.commitsOne.push(one.commits);
      },
      async () => void sample.opensshWarmOne.push(await timed(() => openssh(fleet[0]!.address, control(fleet[0]!.address)))),
      async () => void sample.ssh2BareOne.push(await timed(() => bare(COMMAND.join(' '), undefined, 1))),
      async () => void sample.ssh2RunnerOne.push(await timed(() => bare(runner.execText, runner.stdin, 1))),
      async () => void sample.runnerOnlyOne.push(await timed(() => runnerOnly(1))),
    ];
    for (let repeat = 0; repeat < ONE_REPEATS; repeat++) {
      for (let way = 0; way < oneWays.length; way++) await oneWays[(way + repeat) % oneWays.length]!();
    }
    const commits = commitCost(work, ids.length + 2);
    sample.commitEach.push(commits.each);
    sample.commitOne.push(commits.one);
  }

  const m = Object.fromEntries(Object.entries(sample).map(([k, v]) => [k, median(v)])) as Record<keyof typeof sample, number>;
  const row = (name: string, ms: number) => console.log(`${name.padEnd(58)} ${ms.toFixed(1).padStart(8)} ms`);
  console.log(`\nSSH fan-out: \`${COMMAND.join(' ')}\` on ${ids.length} lab servers, median of ${ROUNDS} rounds, one command of ${ROUNDS} × ${ONE_REPEATS} interleaved (${new Date().toISOString()})\n`);
  row('OpenSSH: 20 × ssh in parallel (new connections)', m.opensshCold);
  row('Backline cold: fan-out to 20, new connections', m.backlineCold);
  row('Backline warm: fan-out to 20, reused sessions', m.backlineWarm);
  row('Backline warm: one command on one server (round trip)', m.backlineOne);
  row('OpenSSH: one ssh to one server (new connection)', m.opensshOne);
  row('OpenSSH warm: 20 × ssh over ControlMaster connections', m.opensshWarm);
  row('OpenSSH warm: one ssh over a ControlMaster connection', m.opensshWarmOne);
  row('ssh2 bare: exec `hostname` on the same 20 warm connections', m.ssh2Bare);
  row('ssh2: the sh-quoted text Backline sent before (same 20)', m.ssh2OldText);
  row('ssh2: the runner script, past the login shell (same 20)', m.ssh2Runner);
  row('ssh2 bare: exec `hostname` on one warm connection', m.ssh2BareOne);
  row('ssh2: the runner script on one warm connection', m.ssh2RunnerOne);
  row('runner without audit (execOnClient): one server', m.runnerOnlyOne);
  row('runner without audit (execOnClient): the same 20', m.runnerOnlyFan);
  row(`SQLite transactions in the warm one (${m.commitsOne} commits)`, m.sqliteOne);
  row(`SQLite transactions in the warm fan-out (${m.commitsFan} commits)`, m.sqliteFan);
  row(`this disk: ${ids.length + 2} audit-sized rows, one durable commit each`, m.commitEach);
  row(`this disk: the same ${ids.length + 2} rows in one durable commit`, m.commitOne);
  const warmRatio = m.backlineWarm / m.backlineOne;
  const coldRatio = m.backlineCold / m.opensshCold;
  console.log('');
  console.log(`warm fan-out ÷ one round trip      ${warmRatio.toFixed(2)}x   (target ≤ 1.5x: ${warmRatio <= 1.5 ? 'met' : 'NOT met'})`);
  console.log(`cold fan-out ÷ parallel OpenSSH    ${coldRatio.toFixed(2)}x   (target ≤ 1.2x: ${coldRatio <= 1.2 ? 'met' : 'NOT met'})`);
  const wrapperRatio = m.ssh2Runner / m.ssh2OldText;
  console.log(`login-shell-proof runner ÷ the text sent before   ${wrapperRatio.toFixed(3)}x   (target ≤ 1.05x: ${wrapperRatio <= 1.05 ? 'met' : 'NOT met'})`);
  console.log(`Backline warm fan-out ÷ bare ssh2 exec            ${(m.backlineWarm / m.ssh2Bare).toFixed(2)}x   (what Backline adds over its library: runner, audit, events)`);
  const target = (name: string, ratio: number, limit: number) =>
    console.log(`${name.padEnd(48)} ${ratio.toFixed(2)}x   (target ≤ ${limit}x: ${ratio <= limit ? 'met' : 'NOT met'})`);
  console.log('');
  target('warm one command ÷ OpenSSH ControlMaster one', m.backlineOne / m.opensshWarmOne, 1.0);
  target('warm fan-out ÷ OpenSSH ControlMaster fan-out', m.backlineWarm / m.opensshWarm, 0.5);
  target('warm one command ÷ bare ssh2 exec', m.backlineOne / m.ssh2BareOne, 1.2);
  target('warm fan-out ÷ bare ssh2 exec', m.backlineWarm / m.ssh2Bare, 1.2);
  console.log(`the runner alone ÷ bare: one ${(m.runnerOnlyOne / m.ssh2BareOne).toFixed(2)}x, fan-out ${(m.runnerOnlyFan / m.ssh2Bare).toFixed(2)}x; SQLite holds the thread ${((m.sqliteOne / m.backlineOne) * 100).toFixed(0)}% of the warm one, ${((m.sqliteFan / m.backlineWarm) * 100).toFixed(0)}% of the warm fan-out`);
  // What the issue's own constraints cost one command before Backline does anything else: the
  // shell-proof text (its /bin/sh, run by sshd) and the durable commit of the run's history and audit
  // entry (as long as Backline's transaction held the thread), against bare `hostname`.
  const floor = m.ssh2RunnerOne + m.sqliteOne;
  console.log(
    `the floor for one command, the runner's text on bare ssh2 + its durable commit (${m.sqliteOne.toFixed(2)} ms): ${floor.toFixed(1)} ms = ${(floor / m.ssh2BareOne).toFixed(2)}x bare; Backline ÷ that floor ${(m.backlineOne / floor).toFixed(2)}x`,
  );
  console.log(`for comparison, OpenSSH's own warm fan-out ÷ its one round trip: ${(m.opensshWarm / m.opensshWarmOne).toFixed(2)}x`);
  console.log(`(all ${ids.length} lab servers share this machine's ${availableParallelism()} cores, so their sshd work queues up: see the README)`);
} finally {
  for (const h of fleet.slice(0, 20)) spawn('ssh', ['-o', `ControlPath=${join(work, `cm-${h.address}`)}`, '-O', 'exit', `root@${h.address}`], { stdio: 'ignore' });
  core.close();
  rmSync(work, { recursive: true, force: true });
}
