/**
 * `npm run bench:rt` (issue 14, item 7): figures for the ticket system, measured in this run (prints
 * figures, is not a test):
 *  (a) the snippets report over a year of audit entries for 300 tickets (findings, plan changes,
 *      commands with their output in the detail, note saves), for the whole year and for the last two
 *      weeks, read and built as the handler does; target < 200 ms;
 *  (b) 200 internal comments posted through Backline's outbox (queued in the store, a try counted
 *      before each send, one at a time) against the same 200 posted with a bare HTTP client (fetch,
 *      one after another), against the real RT of scripts/rt/rt.sh, interleaved in rounds so RT's
 *      growing database weighs on both alike; target ≤ 1.3× the bare time.
 */
import { readFileSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { createCore } from '../../electron/core/core.js';
import { EventBus } from '../../electron/core/events.js';
import { openWorkspaceDb } from '../../electron/core/store/database.js';
import { tempDir } from '../../electron/core/testing/temp-dir.js';
import { readSnippetSource, withReportReader } from '../../electron/core/workspace/snippets-handlers.js';
import { Workspace } from '../../electron/core/workspace/workspace.js';
import type { OutboxPost, ticketSystemMethods } from '../../shared/contract/tickets-system.js';
import { findingSeverities } from '../../shared/domain/finding.js';
import { buildSnippets } from '../../shared/domain/snippets.js';
import type { z } from 'zod';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const POSTS = Number(process.env.BENCH_RT_POSTS ?? 200);
const TICKETS = 300;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
const ms = (value: number) => `${value.toFixed(1)} ms`;

// ---------------------------------------------------------------------------------------------
// (a) Snippets over a year

function snippetsBench(): void {
  const dir = tempDir('backline-bench-snippets-');
  try {
    const db = openWorkspaceDb(join(dir.path, 'ws.sqlite'));
    const ws = new Workspace(db, new EventBus(), 'esc', () => new Date());
    const yearStart = Date.parse('2025-12-01T00:00:00Z');
    const yearEnd = Date.parse('2026-12-01T00:00:00Z');
    const output = 'PID USER %CPU %MEM COMMAND\n'.concat('1234 www-data 12.0 3.1 php-fpm: pool www\n'.repeat(40));
    const insertRow = db.prepare('INSERT INTO audit_log (ticket_id, at, actor, action, summary, detail) VALUES (?, ?, ?, ?, ?, ?)');
    // The log is written as things happen: collected, then appended in time order.
    const rows: [string, string, string, string, string, string][] = [];
    const insert = { run: (...row: [string, string, string, string, string, string]) => void rows.push(row) };
    let entries = 0;
    // Spread over the year by a fixed scramble: the same store every run.
    const at = (ticket: number, i: number) => new Date(yearStart + (yearEnd - yearStart) * (((ticket * 7919 + i * 104729) % 1_000_003) / 1_000_003)).toISOString();
    db.transaction(() => {
      for (let t = 0; t < TICKETS; t++) {
        const id = String(40000 + t);
        ws.tickets.create({ id, title: `Customer ${t}: site slow`, customer: `c${t}`, status: 'open' }, new Date(yearStart).toISOString());
        for (let i = 0; i < 6; i++) {
          const when = at(t, i);
          const finding = ws.findings.add({ ticketId: id, kind: 'cause', severity: findingSeverities[i % 5] ?? 'info', title: `Finding ${i} on ${id}`, detail: {}, evidence: [] }, when);
          insert.run(id, when, 'esc', 'finding.added', `cause: ${finding.title}`, JSON.stringify({ findingId: finding.id }));
          entries++;
        }
        for (let i = 0; i < 4; i++) {
          insert.run(id, at(t, 100 + i), 'esc', i % 2 ? 'firewall.rolled-back' : 'firewall.applied', `web${i}: Block 203.0.113.${i}`, JSON.stringify({ planId: `p-${t}-${i}` }));
          entries++;
        }
        const note = ws.notes.create(id, `Timeline ${id}`, 'body', new Date(yearStart).toISOString());
        for (let i = 0; i < 20; i++) {
          insert.run(id, at(t, 200 + i), 'esc', i === 0 ? 'note.created' : 'note.saved', `Saved note "${note.title}"`, JSON.stringify({ noteId: note.id, revision: i }));
          entries++;
        }
        for (let i = 0; i < 150; i++) {
          const server = `web${i % 4}`;
          const exitCode = i % 17 === 0 ? 1 : 0;
          insert.run(
            id,
            at(t, 300 + i),
            'esc',
            'ssh.exec',
            `${server} (root@${server}:22): ps aux → exit ${exitCode} in 0.2 s`,
            JSON.stringify({ purpose: 'Command', serverId: i % 4, server, where: `root@${server}:22`, argv: ['ps', 'aux'], sudo: false, exitCode, signal: null, durationMs: 200, error: null, stdout: output, stderr: '' }),
          );
          entries++;
        }
        // Connections and the like: in the log, not in the report.
        for (let i = 0; i < 20; i++) {
          insert.run(id, at(t, 500 + i), 'esc', 'ssh.connected', 'Connected to web1', JSON.stringify({ serverId: 1 }));
          entries++;
        }
      }
      rows.sort((x, y) => x[1].localeCompare(y[1]));
      for (const row of rows) insertRow.run(...row);
    })();
    const bytes = (db.prepare('SELECT page_count * page_size AS b FROM pragma_page_count(), pragma_page_size()').get() as { b: number }).b;
    console.log(`(a) snippets: ${entries} audit entries for ${TICKETS} tickets over a year (${(bytes / 1024 / 1024).toFixed(0)} MiB store)`);
    // Wall time, and this process's CPU time: on a machine shared with other work the first grows with
    // the load, the second much less.
    const run = (from: string, to: string) => {
      const cpu = process.cpuUsage();
      const start = performance.now();
      const report = buildSnippets({ from, to, actor: 'esc', ...withReportReader(ws, (reader) => readSnippetSource(reader, 'esc', from, to)) });
      const used = process.cpuUsage(cpu);
      return { elapsed: performance.now() - start, cpu: (used.user + used.system) / 1000, report };
    };
    for (const [label, from] of [
      ['whole year', new Date(yearStart).toISOString()],
      ['last two weeks', new Date(yearEnd - 14 * 86_400_000).toISOString()],
    ] as const) {
      const to = new Date(yearEnd).toISOString();
      run(from, to);
      const times: number[] = [];
      const cpus: number[] = [];
      let last = run(from, to);
      for (let i = 0; i < ROUNDS; i++) {
        last = run(from, to);
        times.push(last.elapsed);
        cpus.push(last.cpu);
      }
      const { totals } = last.report;
      const verdict = median(times) < 200 ? 'meets' : 'MISSES';
      console.log(
        `    ${label}: median ${ms(median(times))} wall, ${ms(median(cpus))} CPU (wall min ${ms(Math.min(...times))}, max ${ms(Math.max(...times))}, ${ROUNDS} runs) for ${totals.tickets} tickets, ${totals.found} found, ${totals.changed} changed, ${totals.run} run, ${totals.noted} noted: ${verdict} the < 200 ms target`,
      );
    }
    db.close();
  } finally {
    dir.remove();
  }
}

// ---------------------------------------------------------------------------------------------
// (b) 200 comments: outbox against bare fetch

type RtMethods = typeof ticketSystemMethods;

async function postsBench(): Promise<void> {
  const envText = execFileSync('bash', ['scripts/rt/rt.sh', 'env'], { encoding: 'utf8' });
  const env = Object.fromEntries(envText.trim().split('\n').map((line) => line.split('=', 2) as [string, string]));
  const url = env.RT_URL;
  const tokenFile = env.RT_TOKEN_FILE_ENGINEER;
  if (!url || !tokenFile) throw new Error('scripts/rt/rt.sh env names no RT or no engineer token: run npm run rt:up first.');
  const token = readFileSync(tokenFile, 'utf8').trim();
  const version = await fetch(`${url}/REST/2.0/rt`, { headers: { Authorization: `token ${token}` } }).catch(() => null);
  if (!version?.ok) throw new Error(`RT at ${url} does not answer (${version ? version.status : 'unreachable'}): run npm run rt:up first.`);

  const dir = tempDir('backline-bench-rt-');
  process.env.BACKLINE_RT_URL = url;
  process.env.BACKLINE_RT_TOKEN_FILE = tokenFile;
  const core = createCore({ dataDir: dir.path, shell: 'browser', version: 'bench', user: 'esc', log: () => undefined });
  const call = async <K extends keyof RtMethods>(method: K, input: z.input<RtMethods[K]['input']>): Promise<z.output<RtMethods[K]['output']>> => {
    const result = await core.dispatch(method, input, { shell: 'browser' });
    if (!result.ok) throw new Error(`${method}: ${result.error.message}`);
    return result.value as z.output<RtMethods[K]['output']>;
  };
  try {
    const [mine] = await call('ticketSystem.myTickets', { limit: 5 });
    if (!mine) throw new Error('The engineer owns no open RT ticket: the seed (scripts/rt/seed.pl) makes some.');
    const { ticket } = await call('ticketSystem.open', { number: mine.number });
    const body = 'Load average 14 on web1; php-fpm pool www at pm.max_children.\n'.repeat(30);

    const bare = async (n: number) => {
      for (let i = 0; i < n; i++) {
        const response = await fetch(`${url}/REST/2.0/ticket/${mine.number}/comment`, {
          method: 'POST',
          headers: { Authorization: `token ${token}`, 'Content-Type': 'application/json' },
          body: JSON.stringify({ Subject: `Bench bare ${i}`, Content: body, ContentType: 'text/plain' }),
        });
        if (response.status !== 201) throw new Error(`bare post answered ${response.status}: ${await response.text()}`);
        await response.arrayBuffer();
      }
    };
    const viaOutbox = async (n: number) => {
      const waiting = new Set<string>();
      const done = new Promise<void>((resolve, reject) => {
        const stop = core.events.subscribe((event, payload) => {
          if (event !== 'ticketSystem.post') return;
          const post = payload as OutboxPost;
          if (post.state === 'failed') reject(new Error(`outbox post failed: ${post.lastError ?? '?'}`));
          if (post.state === 'posted' && waiting.delete(post.id) && waiting.size === 0 && queued === n) {
            stop();
            resolve();
          }
        });
      });
      let queued = 0;
      for (let i = 0; i < n; i++) {
        const post = await call('ticketSystem.post', { ticketId: ticket.id, item: { kind: 'text', title: `Bench outbox ${i}`, body }, mode: 'comment', format: 'text', attachEvidence: false, confirmReply: false });
        if (post.state !== 'posted') waiting.add(post.id);
        queued++;
      }
      if (waiting.size > 0) await done;
    };

    await bare(3);
    await viaOutbox(3);
    const per = Math.ceil(POSTS / 4);
    let bareMs = 0;
    let outboxMs = 0;
    for (let round = 0; round < 4; round++) {
      // ABBA: each side goes first twice.
      const order = round % 3 === 0 ? [bare, viaOutbox] : [viaOutbox, bare];
      for (const side of order) {
        const start = performance.now();
        await side(per);
        const elapsed = performance.now() - start;
        if (side === bare) bareMs += elapsed;
        else outboxMs += elapsed;
      }
    }
    const posts = per * 4;
    const ratio = outboxMs / bareMs;
    console.log(`(b) ${posts} comments to RT #${mine.number} at ${url}:`);
    console.log(`    bare fetch: ${ms(bareMs)} (${ms(bareMs / posts)} per post)`);
    console.log(`    outbox:     ${ms(outboxMs)} (${ms(outboxMs / posts)} per post)`);
    console.log(`    outbox / bare: ${ratio.toFixed(2)}×: ${ratio <= 1.3 ? 'meets' : 'MISSES'} the ≤ 1.3× target`);
  } finally {
    core.close();
    rmSync(dir.path, { recursive: true, force: true });
  }
}

snippetsBench();
// --snippets-only: (a) alone, without RT.
if (!process.argv.includes('--snippets-only')) await postsBench();
