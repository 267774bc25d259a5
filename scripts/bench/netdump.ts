/**
 * `npm run bench:netdump`: 20 senders (127.0.0.1 … 127.0.0.20, each its own netconsole "kernel") send
 * 10,000 extended-format messages each to the receiver on loopback. Measured in this run, in order:
 *   1. a bare Node dgram loop (a socket with the same receive buffer that only counts), senders at full speed:
 *      the rate Node itself sustains here;
 *   2. Backline's receiver (capture files, parser, index) with the senders paced a little over half that rate (0.55×):
 *      every message must arrive (the parser's per-sender sequence check and the capture files both say so);
 *   3. Backline's receiver with the senders at full speed, as bare was: what it sustains, and what it lost;
 * with, as a control, the bare loop at run 2's pace (what it loses, the machine lost);
 * and, during run 2, a 21st sender sends an oops whose modules line comes in ncfrag fragments: the time
 * from its last datagram leaving to the panic event (trace extracted, bytes on disk) is measured.
 * Senders run in a worker thread so the receiver has the main thread to itself.
 */
import { createSocket } from 'node:dgram';
import { readFileSync, rmSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { decodeCapture } from '../../electron/core/netdump/captures/format.js';
import { NetdumpReceiver } from '../../electron/core/netdump/receiver/receiver.js';
import { CapturesRepo } from '../../electron/core/store/captures-repo.js';
import { openWorkspaceDb } from '../../electron/core/store/database.js';
import type { NetdumpPanic } from '../../shared/domain/netdump.js';

const SENDERS = Number(process.env.BENCH_SENDERS ?? 20);
const PER_SENDER = Number(process.env.BENCH_MESSAGES ?? 10_000);
const TOTAL = SENDERS * PER_SENDER;
const RECV_BUFFER = 8 * 1024 * 1024;
const PANIC_SENDER = `127.0.0.${SENDERS + 1}`;
const now = () => performance.timeOrigin + performance.now();

const oops = decodeCapture(readFileSync(fileURLToPath(new URL('../../electron/core/netdump/fixtures/extended-oops-fragments.ncap', import.meta.url)))).records.map((r) =>
  Buffer.from(r.bytes),
);

/** The senders: one socket per address; `rate` datagrams a second in all (0: as fast as they go). */
const SENDER_CODE = `
const { parentPort, workerData } = require('node:worker_threads');
const dgram = require('node:dgram');
const { senders, perSender, port, rate, panic, panicAddress } = workerData;
const now = () => performance.timeOrigin + performance.now();
(async () => {
  const sockets = await Promise.all(Array.from({ length: senders }, (_, i) => new Promise((resolve) => {
    const s = dgram.createSocket('udp4'); s.bind(0, '127.0.0.' + (i + 1), () => resolve(s));
  })));
  const panicSocket = await new Promise((resolve) => { const s = dgram.createSocket('udp4'); s.bind(0, panicAddress, () => resolve(s)); });
  const text = ' bench message from a kernel that keeps talking, about this long as printk lines go';
  const start = now();
  let sent = 0, inflight = 0, panicSent = !panic;
  const total = senders * perSender;
  const sendOne = (socket, bytes) => new Promise((resolve) => { inflight++; socket.send(bytes, port, '127.0.0.1', () => { inflight--; resolve(); }); });
  while (sent < total) {
    const due = rate > 0 ? Math.min(total, Math.floor(((now() - start) / 1000) * rate)) : total;
    let batch = Math.min(due - sent, 256);
    while (batch-- > 0) {
      const i = sent % senders, seq = Math.floor(sent / senders) + 1;
      sendOne(sockets[i], Buffer.from('6,' + seq + ',' + (1000000 + seq * 10) + ',-;' + seq + text + '\\n'));
      sent++;
    }
    if (!panicSent && sent >= total / 2) {
      panicSent = true;
      for (const d of panic) await sendOne(panicSocket, Buffer.from(d));
      parentPort.postMessage({ type: 'panic-sent', at: now() });
    }
    await new Promise((r) => setImmediate(r));
  }
  while (inflight > 0) await new Promise((r) => setTimeout(r, 1));
  parentPort.postMessage({ type: 'done', ms: now() - start });
  for (const s of [...sockets, panicSocket]) s.close();
})();
`;

interface SenderRun {
  sendMs: number;
  panicSentAt: number | null;
}

function runSenders(port: number, rate: number, withPanic: boolean): Promise<SenderRun> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(SENDER_CODE, {
      eval: true,
      workerData: { senders: SENDERS, perSender: PER_SENDER, port, rate, panic: withPanic ? oops.map((b) => new Uint8Array(b)) : null, panicAddress: PANIC_SENDER },
    });
    let panicSentAt: number | null = null;
    worker.on('message', (message: { type: string; at?: number; ms?: number }) => {
      if (message.type === 'panic-sent') panicSentAt = message.at!;
      if (message.type === 'done') {
        void worker.terminate();
        resolve({ sendMs: message.ms!, panicSentAt });
      }
    });
    worker.on('error', reject);
  });
}

/** Waits until `count()` stops growing for `quietMs` (or reaches `target`). */
async function settle(count: () => number, target: number, quietMs = 500): Promise<void> {
  let last = -1;
  let since = now();
  while (count() < target) {
    await new Promise((r) => setTimeout(r, 20));
    const c = count();
    if (c !== last) {
      last = c;
      since = now();
    } else if (now() - since > quietMs) return;
  }
}

async function freePort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
  const { port } = s.address();
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function bare(rate = 0): Promise<{ rate: number; received: number; ms: number }> {
  const port = await freePort();
  const socket = createSocket({ type: 'udp4', recvBufferSize: RECV_BUFFER });
  await new Promise<void>((r) => socket.bind(port, '127.0.0.1', r));
  let received = 0;
  let first = 0;
  let last = 0;
  socket.on('message', () => {
    if (received === 0) first = now();
    received++;
    last = now();
  });
  await runSenders(port, rate, false);
  await settle(() => received, TOTAL);
  socket.close();
  const ms = last - first;
  return { rate: received / (ms / 1000), received, ms };
}

/** The index writes (SQLite, synchronous = FULL) happen on the receiver's thread: how long they hold it. */
class TimedCapturesRepo extends CapturesRepo {
  slowestApplyMs = 0;
  override apply(deltas: Parameters<CapturesRepo['apply']>[0]): void {
    const start = now();
    super.apply(deltas);
    this.slowestApplyMs = Math.max(this.slowestApplyMs, now() - start);
  }
}

interface BacklineRun {
  rate: number;
  received: number;
  messages: number;
  /** Sent but never parsed. */
  lost: number;
  /** What the parser counted lost from the sequence numbers (it cannot see a sender's last messages go missing). */
  gaps: number;
  captured: number;
  ms: number;
  panicMs: number | null;
  panic: NetdumpPanic | null;
  recvBufferSize: number | null;
  slowestIndexMs: number;
}

async function backline(rate: number, withPanic: boolean): Promise<BacklineRun> {
  const dir = mkdtempSync(join(tmpdir(), 'backline-bench-netdump-'));
  const db = openWorkspaceDb(join(dir, 'backline.sqlite'));
  const captures = new TimedCapturesRepo(db);
  const receiver = new NetdumpReceiver({ dataDir: dir, captures, recvBufferSize: RECV_BUFFER });
  const port = await freePort();
  const state = await receiver.start({ address: '127.0.0.1', port });
  let messages = 0;
  let first = 0;
  let last = 0;
  let lostEvents = 0;
  receiver.onMessage(() => {
    if (messages === 0) first = now();
    messages++;
    last = now();
  });
  receiver.on('lost', (event) => (lostEvents += event.count));
  let panic: NetdumpPanic | null = null;
  let panicAt = 0;
  receiver.onPanic((p) => {
    panic = p;
    panicAt = now();
  });
  const sent = await runSenders(port, rate, withPanic);
  await settle(() => receiver.state().datagrams, withPanic ? TOTAL + oops.length : TOTAL);
  const recvBufferSize = receiver.state().recvBufferSize;
  await receiver.close();
  const index = captures.list();
  const benchSenders = index.filter((e) => e.sender !== PANIC_SENDER);
  let captured = 0;
  for (const entry of benchSenders) captured += decodeCapture(readFileSync(join(dir, ...entry.file.split('/')))).records.length;
  const gaps = benchSenders.reduce((sum, e) => sum + e.lost, 0);
  const parsed = benchSenders.reduce((sum, e) => sum + e.messages, 0);
  db.close();
  rmSync(dir, { recursive: true, force: true });
  const ms = last - first;
  return {
    rate: messages / (ms / 1000),
    received: state.datagrams,
    messages: parsed,
    lost: TOTAL - parsed,
    gaps: Math.max(gaps, lostEvents),
    captured,
    ms,
    panicMs: panic && sent.panicSentAt ? panicAt - sent.panicSentAt : null,
    panic,
    recvBufferSize,
    slowestIndexMs: captures.slowestApplyMs,
  };
}

const f = (n: number) => Math.round(n).toLocaleString('en-US');

console.log(`netdump bench: ${SENDERS} senders × ${f(PER_SENDER)} extended-format messages to 127.0.0.1 (receive buffer asked: ${RECV_BUFFER / 1024 / 1024} MiB)`);
const b = await bare();
console.log(`1. bare Node dgram loop, senders at full speed: ${f(b.received)}/${f(TOTAL)} received in ${f(b.ms)} ms = ${f(b.rate)} datagrams/s (lost ${f(TOTAL - b.received)})`);

const PACE = Number(process.env.BENCH_PACE ?? 0.55);
const paced = await backline(Math.floor(b.rate * PACE), true);
const p = paced.panic;
console.log(
  `2. Backline receiver, senders paced at ${f(b.rate * PACE)}/s (${PACE} × bare): ${f(paced.messages)}/${f(TOTAL)} messages parsed, ${f(paced.captured)} datagrams in the capture files, lost ${f(paced.lost)} (sequence gaps seen: ${f(paced.gaps)}), ` +
    `${f(paced.rate)} messages/s = ${((paced.rate / b.rate) * 100).toFixed(0)}% of bare`,
);
console.log(`   slowest capture index update: ${paced.slowestIndexMs.toFixed(1)} ms; panic during the load: ${p ? `"${p.title}" (${p.headlines.length} headlines, ${p.trace.length} trace lines, modules line ${p.modules?.length ?? 0} chars)` : 'NOT SEEN'}, ready ${paced.panicMs === null ? '—' : `${paced.panicMs.toFixed(1)} ms`} after its last datagram was sent`);

// The control: the bare loop at run 2's pace. Losses here too mean the machine (other processes, the
// socket buffer's cap: net.core.rmem_max) dropped them, not Backline's work per datagram.
const control = await bare(Math.floor(b.rate * PACE));
console.log(`   control: bare loop at the same pace: ${f(control.received)}/${f(TOTAL)} received, lost ${f(TOTAL - control.received)}`);

const full = await backline(0, false);
console.log(
  `3. Backline receiver, senders at full speed: ${f(full.messages)}/${f(TOTAL)} messages parsed, ${f(full.captured)} captured, lost ${f(full.lost)} (sequence gaps seen: ${f(full.gaps)}), ${f(full.rate)} messages/s = ${((full.rate / b.rate) * 100).toFixed(0)}% of bare` +
    ` (socket receive buffer granted: ${full.recvBufferSize === null ? '—' : `${(full.recvBufferSize / 1024 / 1024).toFixed(1)} MiB`})`,
);

const failures: string[] = [];
if (paced.lost !== 0 || paced.messages !== TOTAL || paced.captured !== TOTAL) failures.push(`run 2 lost messages (${f(paced.lost)} lost, ${f(paced.messages)} parsed, ${f(paced.captured)} captured)`);
if (paced.rate < b.rate / 2) failures.push(`run 2 ran at ${f(paced.rate)}/s, below half of bare (${f(b.rate / 2)}/s)`);
if (paced.panicMs === null || paced.panicMs > 1000) failures.push(`the panic was not ready within 1 s (${paced.panicMs === null ? 'not seen' : `${paced.panicMs.toFixed(0)} ms`})`);
if (failures.length > 0) {
  console.log(`FAILED: ${failures.join('; ')}`);
  process.exit(1);
}
console.log('OK: none lost at half the bare rate; the panic was ready within 1 s.');
process.exit(0);
