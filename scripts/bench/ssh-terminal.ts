/**
 * `npm run bench:terminal`: Backline's terminal path against `ssh -tt` over a ControlMaster connection,
 * in one run, on the lab's fleet01 as root (both an interactive bash with a pty on the server).
 * - Keystroke to echo: one character in (Backline: the core's terminal.input; ssh: its terminal), until
 *   it comes back (Backline: a terminal.output event, serialised as the shells send it; ssh: its
 *   stdout); median and p99 over KEYS keystrokes, one at a time.
 * - Throughput: `cat` of a 50 MiB text file, from the typed command to the end marker's arrival.
 * Needs `bash e2e/lab/up.sh --fleet 1` (or more).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readLab } from '../../e2e/lab/lab.js';
import { createCore } from '../../electron/core/core.js';
import { commandLine } from '../../electron/core/ssh/shell-quote.js';
import type { MethodInput, MethodName, MethodOutput } from '../../shared/contract/index.js';
import { formatSize } from '../../shared/domain/size.js';

const KEYS = Number(process.env.BENCH_KEYS ?? 200);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 4);
const CAT_BYTES = 50 * 1024 * 1024;

const lab = readLab();
const host = lab.hosts.find((h) => h.kind === 'fleet');
if (!host) throw new Error('The bench needs a fleet server. Run: bash e2e/lab/up.sh --fleet 1');
const rootKey = lab.keys.find((k) => k.name === 'lab_root')!.privateKey;

const work = mkdtempSync(join(tmpdir(), 'backline-bench-terminal-'));
const home = join(work, 'home');
mkdirSync(join(home, '.ssh'), { recursive: true });
const knownHosts = join(home, '.ssh', 'known_hosts');
writeFileSync(knownHosts, host.hostKeys.map((k) => `${host.address} ${k.publicKey}`).join('\n') + '\n');
// The lab's hosts share this machine's filesystem: a file written here is on fleet01 too. Text, in lines, as a log is.
const catFile = join(work, 'cat-50m.txt');
writeFileSync(catFile, (randomBytes((CAT_BYTES / 4) * 3).toString('base64').match(/.{1,99}/g) ?? []).join('\n') + '\n');

const sorted = (values: number[]) => [...values].sort((a, b) => a - b);
const quantile = (values: number[], q: number) => sorted(values)[Math.min(values.length - 1, Math.floor(values.length * q))]!;

/** A terminal seen from outside: type into it, wait for what it prints. */
interface Screen {
  type(data: string): void;
  /** Resolves once the output since the last call contains `text` (the output is dropped as it is searched). */
  waitFor(text: string, timeoutMs?: number): Promise<void>;
  /** Resolves after `quietMs` without output. */
  settle(quietMs: number): Promise<void>;
  /** Bytes printed so far. */
  bytes: number;
}

/** Output kept for searching: the unsearched tail only, so a 50 MiB cat costs no memory here. */
function screenOver(name: string, type: (data: string) => void) {
  let tail = '';
  let waiter: { text: string; resolve: () => void } | null = null;
  let lastOutput = performance.now();
  const screen: Screen & { feed(data: string, bytes: number): void } = {
    bytes: 0,
    type,
    feed(data, bytes) {
      screen.bytes += bytes;
      lastOutput = performance.now();
      tail += data;
      if (waiter && tail.includes(waiter.text)) {
        tail = '';
        const { resolve } = waiter;
        waiter = null;
        resolve();
      } else if (tail.length > 4096) tail = tail.slice(-256);
    },
    waitFor(text, timeoutMs = 60_000) {
      if (tail.includes(text)) {
        tail = '';
        return Promise.resolve();
      }
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ${JSON.stringify(text)} on ${name}'s terminal within ${timeoutMs} ms; it printed ${screen.bytes} bytes, ending ${JSON.stringify(tail.slice(-120))}`)), timeoutMs);
        waiter = { text, resolve: () => (clearTimeout(timer), resolve()) };
      });
    },
    async settle(quietMs) {
      while (performance.now() - lastOutput < quietMs) await new Promise((resolve) => setTimeout(resolve, quietMs / 4));
      tail = '';
    },
  };
  return screen;
}

/** Keystroke-to-echo times: one printable character at a time into bash's prompt, the line cleared every 50. */
async function echoTimes(screen: Screen, count: number): Promise<number[]> {
  const times: number[] = [];
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  for (let i = 0; i < count; i++) {
    if (i > 0 && i % 50 === 0) {
      screen.type('\u0015'); // ^U: readline clears the line
      await screen.settle(150);
    }
    const key = letters[i % letters.length]!;
    const start = performance.now();
    screen.type(key);
    await screen.waitFor(key);
    times.push(performance.now() - start);
  }
  screen.type('\u0015');
  await screen.settle(150);
  return times;
}

/** Milliseconds from typing the cat to its end marker arriving, and the bytes that came. */
async function catThroughput(screen: Screen): Promise<{ ms: number; bytes: number }> {
  const before = screen.bytes;
  const start = performance.now();
  // The marker is computed on the server, so the typed command's echo never contains it.
  screen.type(`cat ${catFile}; echo "END$((6*7))END"\r`);
  await screen.waitFor('END42END', 300_000);
  const ms = performance.now() - start;
  await screen.settle(200);
  return { ms, bytes: screen.bytes - before };
}

const core = createCore({ dataDir: join(work, 'data'), shell: 'browser', version: 'bench', log: () => undefined, ssh: { home, user: 'bench', agentSocket: null } });
async function call<K extends MethodName>(method: K, input: MethodInput<K>): Promise<MethodOutput<K>> {
  const result = await core.dispatch(method, input, { shell: 'browser' });
  if (!result.ok) throw new Error(`${method}: ${result.error.code} ${result.error.message}`);
  return result.value as MethodOutput<K>;
}

const controlPath = join(work, 'cm');
const sshArgs = ['-F', '/dev/null', '-i', rootKey, '-o', 'IdentitiesOnly=yes', '-o', `UserKnownHostsFile=${knownHosts}`, '-o', 'StrictHostKeyChecking=yes', '-o', 'BatchMode=yes', '-o', `ControlPath=${controlPath}`];
let sshChild: ChildProcessWithoutNullStreams | null = null;

try {
  await call('tickets.create', { id: 'BENCH-2', title: 'Terminal benchmark' });
  const server = await call('servers.add', { ticketId: 'BENCH-2', label: host.name, host: host.address, user: 'root', auth: 'key', keyFile: rootKey });
  const { terminalId } = await call('terminal.open', { serverId: server.id, cols: 200, rows: 50 });
  const backline = screenOver('Backline', (data) => void call('terminal.input', { terminalId, data }));
  core.events.subscribe((event, payload) => {
    if (event !== 'terminal.output') return;
    const output = payload as { terminalId: string; data: string };
    if (output.terminalId !== terminalId) return;
    // What the shells do with every event before it leaves for the window (web-host.ts, the Electron bridge).
    JSON.stringify({ event, payload });
    backline.feed(output.data, Buffer.byteLength(output.data));
  });

  // OpenSSH: a master connection, then an interactive `ssh -tt` over it.
  await new Promise<void>((resolve, reject) => {
    const master = spawn('ssh', [...sshArgs, '-o', 'ControlMaster=yes', '-o', 'ControlPersist=300', '-f', '-N', `root@${host.address}`], { stdio: 'ignore' });
    master.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`ssh master exited ${code}`))));
  });
  // ssh in a pty of its own, as in an engineer's terminal (script(1) relays our pipes to it): fed from a
  // pipe, a multiplexed `ssh -tt` stops echoing after the first line.
  sshChild = spawn('script', ['-qfec', commandLine(['ssh', ...sshArgs, '-tt', `root@${host.address}`]), '/dev/null']);
  const child = sshChild;
  const openssh = screenOver('ssh -tt', (data) => child.stdin.write(data));
  child.stdout.on('data', (chunk: Buffer) => openssh.feed(chunk.toString('latin1'), chunk.length));
  child.stderr.resume();

  await Promise.all([backline.settle(500), openssh.settle(500)]);
  for (const screen of [backline, openssh]) {
    // Warm-up, not measured: the page cache holds the file, bash has run once.
    screen.type('stty -echoctl; true\r');
    await screen.settle(300);
  }
  await catThroughput(backline);
  await catThroughput(openssh);

  const keys = { backline: [] as number[], openssh: [] as number[] };
  const cat = { backline: [] as number[], openssh: [] as number[], bytes: 0 };
  for (let round = 0; round < ROUNDS; round++) {
    // Interleaved, so a noisy moment on this shared machine hits both sides alike.
    keys.backline.push(...(await echoTimes(backline, Math.ceil(KEYS / ROUNDS))));
    keys.openssh.push(...(await echoTimes(openssh, Math.ceil(KEYS / ROUNDS))));
    const b = await catThroughput(backline);
    const o = await catThroughput(openssh);
    cat.backline.push(b.ms);
    cat.openssh.push(o.ms);
    cat.bytes = b.bytes;
    if (Math.abs(b.bytes - o.bytes) > 4096) console.warn(`(the two cats printed different amounts: Backline ${b.bytes}, ssh ${o.bytes} bytes)`);
  }

  if (process.env.BENCH_DEBUG) console.log(JSON.stringify(keys));
  const row = (name: string, value: string) => console.log(`${name.padEnd(60)} ${value.padStart(12)}`);
  const ms = (value: number) => `${value.toFixed(2)} ms`;
  console.log(`\nTerminal on ${host.name} (${host.address}) as root, ${keys.backline.length} keystrokes and ${ROUNDS} cats of ${formatSize(CAT_BYTES)} each side (${new Date().toISOString()})\n`);
  row('Backline: keystroke to echo, median', ms(quantile(keys.backline, 0.5)));
  row('Backline: keystroke to echo, p99', ms(quantile(keys.backline, 0.99)));
  row('ssh -tt over ControlMaster: keystroke to echo, median', ms(quantile(keys.openssh, 0.5)));
  row('ssh -tt over ControlMaster: keystroke to echo, p99', ms(quantile(keys.openssh, 0.99)));
  const mibs = (list: number[]) => cat.bytes / 1024 / 1024 / (quantile(list, 0.5) / 1000);
  row(`Backline: cat ${formatSize(CAT_BYTES)} (${formatSize(cat.bytes)} through the pty), median`, `${ms(quantile(cat.backline, 0.5))} ${mibs(cat.backline).toFixed(0)} MiB/s`);
  row(`ssh -tt over ControlMaster: the same cat, median`, `${ms(quantile(cat.openssh, 0.5))} ${mibs(cat.openssh).toFixed(0)} MiB/s`);
  const target = (name: string, ratio: number, met: boolean, limit: string) => console.log(`${name.padEnd(48)} ${ratio.toFixed(2)}x   (target ${limit}: ${met ? 'met' : 'NOT met'})`);
  console.log('');
  const medianRatio = quantile(keys.backline, 0.5) / quantile(keys.openssh, 0.5);
  const p99Ratio = quantile(keys.backline, 0.99) / quantile(keys.openssh, 0.99);
  const throughput = mibs(cat.backline) / mibs(cat.openssh);
  target('echo, median: Backline ÷ ssh -tt', medianRatio, medianRatio <= 1.2, '≤ 1.2x');
  target('echo, p99: Backline ÷ ssh -tt', p99Ratio, p99Ratio <= 1.2, '≤ 1.2x');
  target('cat throughput: Backline ÷ ssh -tt', throughput, throughput >= 0.8, '≥ 0.8x');
  await call('terminal.close', { terminalId });
} finally {
  sshChild?.kill();
  spawn('ssh', ['-o', `ControlPath=${controlPath}`, '-O', 'exit', `root@${host.address}`], { stdio: 'ignore' }).on('exit', () => rmSync(work, { recursive: true, force: true }));
  core.close();
}
