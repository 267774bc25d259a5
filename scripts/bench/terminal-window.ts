/**
 * `npm run bench:terminal-window` (issue 16, item 2: "with the UI responsive meanwhile"): a 50 MiB `cat`
 * in a terminal tab of the browser shell, drawn by xterm.js in Debian's Chromium, against the same `cat`
 * through `ssh -tt` in a pty of its own (script(1)) on a new connection, in the same run, on lab web1 as
 * root. While the window draws, the page measures how late a 50 ms timer fires (the delay any click or
 * key would have met) and the gaps between frames. Then it types a command and times its echo, to show
 * the shell was neither lost nor left behind. Needs `npm run build` and the lab (`bash e2e/lab/up.sh`).
 * Prints figures; it is not a test.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from '@playwright/test';
import { BacklineProcess, type RunningBackline } from '../../e2e/backline-process.js';
import { readLab } from '../../e2e/lab/lab.js';
import { CHROMIUM_ARGS } from '../../e2e/playwright.config.js';
import { invokePath } from '../../shared/bridge.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const CAT_BYTES = Number(process.env.BENCH_CAT_MIB ?? 50) * 1024 * 1024;
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const TICKET = 'TKT-91001';

const lab = readLab();
const web1 = lab.hosts.find((h) => h.name === 'web1');
if (!web1) throw new Error('The bench needs the lab: bash e2e/lab/up.sh');
const rootKey = lab.keys.find((k) => k.name === 'lab_root')!.privateKey;

const work = mkdtempSync(join(tmpdir(), 'backline-bench-window-'));
// The lab's hosts share this machine's filesystem: a file written here is on web1 too. Text in lines, as a log is.
const catFile = join(work, 'cat-50m.txt');
const line = 'Dec  2 04:31:07 web1 php-fpm[2211]: PHP Fatal error: Allowed memory size of 134217728 bytes exhausted\n';
writeFileSync(catFile, line.repeat(Math.floor(CAT_BYTES / line.length)));
const home = join(work, 'home');
mkdirSync(join(home, '.ssh'), { recursive: true });
const knownHosts = join(home, '.ssh', 'known_hosts');
writeFileSync(knownHosts, web1.hostKeys.map((k) => `${web1.address} ${k.publicKey}`).join('\n') + '\n');

const quantile = (values: number[], q: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * q))]!;
const median = (values: number[]) => quantile(values, 0.5);

async function call(running: RunningBackline, method: string, input: unknown): Promise<{ ok: boolean; value?: unknown; error?: { code: string; message: string; detail?: unknown } }> {
  const response = await fetch(running.origin + invokePath(method), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Origin: running.origin, Authorization: `Bearer ${running.token}` },
    body: JSON.stringify(input),
  });
  return (await response.json()) as { ok: boolean; value?: unknown; error?: { code: string; message: string; detail?: unknown } };
}

async function must(running: RunningBackline, method: string, input: unknown): Promise<unknown> {
  const result = await call(running, method, input);
  if (!result.ok) throw new Error(`${method} failed: ${result.error?.message}`);
  return result.value;
}

/** A ticket with web1 attached and connected, its host key trusted as the engineer would after checking it. */
async function seed(running: RunningBackline): Promise<void> {
  await must(running, 'tickets.create', { id: TICKET, title: 'Terminal flood' });
  const server = (await must(running, 'servers.add', { ticketId: TICKET, label: 'web1', host: web1!.address, user: 'root', auth: 'key', keyFile: rootKey })) as { id: number };
  for (let attempt = 0; attempt < 4; attempt++) {
    const result = await call(running, 'servers.connect', { id: server.id, secrets: {} });
    if (result.ok) return;
    if (result.error?.code !== 'SSH_HOST_UNKNOWN') throw new Error(`servers.connect: ${result.error?.message}`);
    const detail = result.error.detail as { host: string; port: number; fingerprint: string };
    await must(running, 'servers.trustHostKey', { id: server.id, ...detail });
  }
}

/** In the page: timer lateness and frame gaps from now until `stop()`. */
const START_PROBE = `(() => {
  const probe = { late: [], frames: [], running: true };
  let last = performance.now();
  const tick = () => {
    const now = performance.now();
    probe.late.push(Math.max(0, now - last - 50));
    last = now;
    if (probe.running) setTimeout(tick, 50);
  };
  setTimeout(tick, 50);
  let frame = performance.now();
  const draw = (now) => { probe.frames.push(now - frame); frame = now; if (probe.running) requestAnimationFrame(draw); };
  requestAnimationFrame(draw);
  window.__blProbe = probe;
})()`;

const STOP_PROBE = `(() => { const p = window.__blProbe; p.running = false; return { late: p.late, frames: p.frames }; })()`;

const screen = (page: Page) => page.getByRole('region', { name: 'Terminal on web1' });

interface PageGlobals {
  document: { querySelector(selector: string): { textContent: string | null } | null };
}

async function waitForText(page: Page, text: string, timeoutMs: number): Promise<number> {
  const start = performance.now();
  await page.waitForFunction(
    // A function, not a string: the page's CSP forbids eval. This script has no DOM types, hence the cast.
    (wanted) => (globalThis as unknown as PageGlobals).document.querySelector('[aria-label="Terminal on web1"]')?.textContent?.includes(wanted) ?? false,
    text,
    { timeout: timeoutMs, polling: 100 },
  );
  return performance.now() - start;
}

/** A process's resident memory now and its peak since the last reset (VmRSS, VmHWM). */
function memory(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN) * 1024;
  return { rss: kib('VmRSS'), peak: kib('VmHWM') };
}

/** Resets the peak to the current RSS, so the next reading is this round's own (proc(5), clear_refs). */
function resetPeak(pid: number): void {
  writeFileSync(`/proc/${pid}/clear_refs`, '5');
}

interface WindowRound {
  rssBefore: number;
  peakRss: number;
  catMs: number;
  lateP50: number;
  lateP99: number;
  lateMax: number;
  framesP50: number;
  framesMax: number;
  echoAfterMs: number;
}

async function windowRound(page: Page, round: number, pid: number): Promise<WindowRound> {
  await screen(page).click();
  resetPeak(pid);
  const rssBefore = memory(pid).rss;
  await page.evaluate(START_PROBE);
  const start = performance.now();
  await page.keyboard.type(`cat ${catFile}; echo "flood-${round}-end-$((6*7))"\n`);
  await waitForText(page, `flood-${round}-end-42`, 600_000);
  const catMs = performance.now() - start;
  const { late, frames } = await page.evaluate<{ late: number[]; frames: number[] }>(STOP_PROBE);
  const peak = memory(pid).peak;
  const echoStart = performance.now();
  await page.keyboard.type(`echo "after-${round}-$((6*7))"\n`);
  await waitForText(page, `after-${round}-42`, 30_000);
  return {
    rssBefore,
    peakRss: peak,
    catMs,
    lateP50: median(late),
    lateP99: quantile(late, 0.99),
    lateMax: Math.max(...late),
    framesP50: median(frames),
    framesMax: Math.max(...frames),
    echoAfterMs: performance.now() - echoStart,
  };
}

/** The peer: the same cat through `ssh -tt` in a pty of its own, output read and dropped as a terminal would draw it. */
function sshRound(round: number): Promise<number> {
  const ssh = ['ssh', '-F', '/dev/null', '-i', rootKey, '-o', 'IdentitiesOnly=yes', '-o', `UserKnownHostsFile=${knownHosts}`, '-o', 'StrictHostKeyChecking=yes', '-o', 'BatchMode=yes', '-tt'];
  const command = `${ssh.join(' ')} root@${web1!.address} 'cat ${catFile}; echo "ssh-${round}-end-$((6*7))"'`;
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn('script', ['-qfec', command, '/dev/null'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let tail = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      tail = (tail + chunk).slice(-200);
    });
    child.on('exit', (code) => {
      if (code !== 0 || !tail.includes(`ssh-${round}-end-42`)) reject(new Error(`ssh -tt cat ended with ${code}: ${tail}`));
      else resolve(performance.now() - start);
    });
  });
}

const backline = new BacklineProcess();
let browser: Browser | null = null;
try {
  execFileSync('script', ['--version'], { stdio: 'ignore' });
  const running = await backline.start();
  await seed(running);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  await page.goto(running.url);
  await page.locator('table[aria-label="Tickets"] tbody tr').first().waitFor();
  await page.evaluate(`location.hash = '#/t/${TICKET}/servers'`);
  await page.getByRole('row', { name: 'web1', exact: true }).getByRole('button', { name: 'Terminal' }).click();
  await screen(page).getByText('root@web1').first().waitFor();
  console.log(`cat (${(CAT_BYTES / 1024 / 1024).toFixed(0)} MiB of log lines) on lab web1, ${ROUNDS} rounds, Chromium ${CHROMIUM}`);
  const windows: WindowRound[] = [];
  const peers: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    windows.push(await windowRound(page, round, backline.pid!));
    peers.push(await sshRound(round));
  }
  console.log(`\nload average ${loadavg().map((l) => l.toFixed(1)).join(' ')} on ${availableParallelism()} cores`);
  const mib = CAT_BYTES / 1024 / 1024;
  const rate = (ms: number) => `${(mib / (ms / 1000)).toFixed(1)} MiB/s`;
  windows.forEach((w, i) => {
    const peer = peers[i]!;
    console.log(`round ${i + 1}:`);
    console.log(`  Backline's terminal tab, typed → end marker drawn   ${(w.catMs / 1000).toFixed(1)} s, ${rate(w.catMs)}`);
    console.log(`  ssh -tt in a pty (script), new connection           ${(peer / 1000).toFixed(1)} s, ${rate(peer)}`);
    console.log(`  throughput ratio (Backline / ssh -tt)               ${(peer / w.catMs).toFixed(2)}x`);
    console.log(`  the window meanwhile: a 50 ms timer late by         p50 ${w.lateP50.toFixed(0)} ms, p99 ${w.lateP99.toFixed(0)} ms, max ${w.lateMax.toFixed(0)} ms`);
    console.log(`  frame gaps                                          p50 ${w.framesP50.toFixed(0)} ms, max ${w.framesMax.toFixed(0)} ms`);
    console.log(`  Backline's process (RSS): before → peak meanwhile     ${(w.rssBefore / 1024 / 1024).toFixed(0)} → ${(w.peakRss / 1024 / 1024).toFixed(0)} MiB`);
    console.log(`  then a command's output drawn in                    ${w.echoAfterMs.toFixed(0)} ms`);
  });
} finally {
  await browser?.close();
  await backline.stop();
  rmSync(work, { recursive: true, force: true });
}
