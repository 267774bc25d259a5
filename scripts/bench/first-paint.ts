/**
 * `npm run bench:paint` (issue 16, item 5): how fast the browser shell is on screen, measured in Debian's
 * Chromium driven by Playwright against the built shell started as a user starts it (a real process on
 * its own data directory, seeded through its API with BENCH_TICKETS tickets, each with a note):
 *  - token URL → first paint and → first contentful paint (the page's own paint timing), and → usable:
 *    the ticket list's rows on screen and the main thread free again (target: first paint < 500 ms);
 *  - the same on a repeat visit in the same browser profile, where hashed assets come from the cache;
 *  - opening a ticket (a click on its row) → its workspace usable: the note's text in the editor and the
 *    frame after it done; the first ticket opened in a page and a later one (target: < 150 ms);
 *  - what the first screen fetched (scripts, styles) and the size of every built asset, raw and gzipped.
 * Each figure is the median of BENCH_RUNS runs, each in a fresh browser profile (no cache). Needs
 * `npm run build` first (the npm script does it). Prints figures; it is not a test.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium, type Browser, type Page } from '@playwright/test';
import { BacklineProcess, type RunningBackline } from '../../e2e/backline-process.js';
import { CHROMIUM_ARGS } from '../../e2e/playwright.config.js';
import { invokePath } from '../../shared/bridge.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const TICKETS = Number(process.env.BENCH_TICKETS ?? 200);
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const RENDERER = join(import.meta.dirname, '..', '..', 'build', 'renderer');

if (!existsSync(join(RENDERER, 'index.html')) || !existsSync(join(import.meta.dirname, '..', '..', 'build', 'electron', 'web', 'cli.js'))) {
  throw new Error('No built browser shell: run `npm run build` first (or `npm run bench:paint`, which does).');
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const ms = (value: number): string => `${value.toFixed(0)} ms`;
const kib = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KiB`;

/** One contract call, as the page makes it: Origin of the page, the launch token as a Bearer. */
async function call(running: RunningBackline, method: string, input: unknown): Promise<unknown> {
  const response = await fetch(running.origin + invokePath(method), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Origin: running.origin, Authorization: `Bearer ${running.token}` },
    body: JSON.stringify(input),
  });
  const result = (await response.json()) as { ok: boolean; value?: unknown; error?: { message: string } };
  if (!result.ok) throw new Error(`${method} failed: ${result.error?.message ?? response.status}`);
  return result.value;
}

const ticketId = (i: number): string => `TKT-${10_000 + i}`;
const noteBody = (i: number): string =>
  `# Ticket ${i}\n\nThe web head answers **400** with a 64 MiB body; PHP then exhausts memory_limit.\n\n- checked the firewall\n- checked the include path\n`;

async function seed(running: RunningBackline): Promise<void> {
  for (let i = 0; i < TICKETS; i++) {
    await call(running, 'tickets.create', { id: ticketId(i), title: `Customer site slow, case ${i}`, customer: `Customer ${i % 37}` });
    await call(running, 'notes.create', { ticketId: ticketId(i), title: 'Notes', body: noteBody(i) });
  }
}

/**
 * Runs in the page before its own scripts: records when the ticket list's first row is on screen and
 * the frame after it has run (the list can take a click then), relative to the navigation's start.
 */
const RECORD_USABLE = `
(() => {
  const done = () => requestAnimationFrame(() => setTimeout(() => { window.__blUsable = performance.now(); }, 0));
  const seen = () => document.querySelector('table[aria-label="Tickets"] tbody tr') !== null;
  const observer = new MutationObserver(() => { if (seen()) { observer.disconnect(); done(); } });
  observer.observe(document, { childList: true, subtree: true });
})();`;

interface Visit {
  firstPaint: number;
  firstContentfulPaint: number;
  usable: number;
  /** Scripts and styles requested before the page was usable. */
  scripts: { name: string; bytes: number; transferred: number }[];
  /** The contract calls the page made before it was usable. */
  calls: Call[];
  /** When the last script or style before usable had arrived. */
  codeIn: number;
}

async function visit(page: Page, url: string): Promise<Visit> {
  await page.goto(url);
  // A function, not a string: the page's CSP forbids eval, which a string predicate needs.
  await page.waitForFunction(() => (globalThis as { __blUsable?: number }).__blUsable !== undefined, undefined, { timeout: 30_000 });
  return await page.evaluate<Visit>(`(() => {
    const paint = (name) => performance.getEntriesByName(name, 'paint')[0]?.startTime ?? NaN;
    const scripts = performance.getEntriesByType('resource')
      .filter((e) => /\\.(js|css)$/.test(e.name) && e.startTime <= window.__blUsable)
      .map((e) => ({ name: new URL(e.name).pathname, bytes: e.encodedBodySize, transferred: e.transferSize }));
    const document0 = performance.getEntriesByType('navigation')[0];
    scripts.unshift({ name: '/ (index.html)', bytes: document0 ? document0.encodedBodySize : 0, transferred: document0 ? document0.transferSize : 0 });
    const calls = performance.getEntriesByType('resource')
      .filter((e) => e.name.includes('/api/invoke/') && e.startTime <= window.__blUsable)
      .map((e) => ({ name: decodeURIComponent(new URL(e.name).pathname.split('/').pop()), start: e.startTime, end: e.responseEnd }));
    const codeIn = Math.max(0, ...performance.getEntriesByType('resource')
      .filter((e) => /\\.(js|css)$/.test(e.name) && e.startTime <= window.__blUsable).map((e) => e.responseEnd));
    return { firstPaint: paint('first-paint'), firstContentfulPaint: paint('first-contentful-paint'), usable: window.__blUsable, scripts, calls, codeIn };
  })()`);
}

/** A contract call the page made, in ms from the start of what is measured. */
interface Call {
  name: string;
  start: number;
  end: number;
}

interface Open {
  ms: number;
  /** Scripts and styles fetched while opening (code that was not loaded yet). */
  code: string[];
  /** The contract calls made while opening: whether they ran side by side or one after the other. */
  calls: Call[];
}

/**
 * Clicks a ticket's row on screen (the `pick`-th, wrapping) and waits, in the page, for its workspace: the note's body in the
 * editor, then the frame after it. Measured inside the page so Playwright's round trips are not in it.
 */
async function openTicket(page: Page, pick: number): Promise<Open> {
  return await page.evaluate<Open>(`new Promise((resolve, reject) => {
    // A row on screen, as an engineer would click (the list draws only the rows in and near the window).
    const onScreen = [...document.querySelectorAll('table[aria-label="Tickets"] tbody tr.bl-clickable-row')].filter((tr) => {
      const box = tr.getBoundingClientRect();
      return box.top >= 0 && box.bottom <= window.innerHeight;
    });
    if (onScreen.length === 0) return reject(new Error('No ticket row on screen.'));
    const row = onScreen[${pick} % onScreen.length];
    const id = row.querySelector('td').textContent.trim();
    const start = performance.now();
    const ready = () => {
      const note = document.querySelector('textarea[aria-label="Note"]');
      return note !== null && note.value.startsWith('# Ticket') && document.body.textContent.includes(id);
    };
    // What the open had to fetch besides contract calls: code not preloaded.
    const fetched = () => performance.getEntriesByType('resource')
      .filter((e) => e.startTime >= start && /\\.(js|css)$/.test(e.name)).map((e) => new URL(e.name).pathname);
    const calls = () => performance.getEntriesByType('resource')
      .filter((e) => e.startTime >= start && e.name.includes('/api/invoke/'))
      .map((e) => ({ name: decodeURIComponent(new URL(e.name).pathname.split('/').pop()), start: e.startTime - start, end: e.responseEnd - start }));
    const finish = () => requestAnimationFrame(() => setTimeout(() => resolve({ ms: performance.now() - start, code: fetched(), calls: calls() }), 0));
    const observer = new MutationObserver(() => { if (ready()) { observer.disconnect(); finish(); } });
    observer.observe(document, { childList: true, subtree: true, attributes: true, characterData: true });
    setTimeout(() => { observer.disconnect(); reject(new Error('The workspace of ' + id + ' was not usable in 20 s.')); }, 20000);
    row.click();
  })`);
}

/** Back to the list by its link, as a user would, and wait until its rows are there again. */
async function backToList(page: Page): Promise<void> {
  await page.getByRole('link', { name: 'Tickets' }).click();
  await page.locator('table[aria-label="Tickets"] tbody tr').first().waitFor();
}

interface Run {
  cold: Visit;
  repeat: Visit;
  firstOpen: Open;
  laterOpen: Open;
}

async function run(browser: Browser, running: RunningBackline, index: number): Promise<Run> {
  // A fresh profile: nothing cached, as on the first launch.
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  try {
    await context.addInitScript({ content: RECORD_USABLE });
    const page = await context.newPage();
    const cold = await visit(page, running.url);
    // An engineer reads the list before picking a ticket: open one once the page has settled.
    await page.waitForLoadState('networkidle');
    const firstOpen = await openTicket(page, index * 7);
    await backToList(page);
    const laterOpen = await openTicket(page, index * 7 + 3);
    await page.close();
    // The same profile again: the hashed assets may come from the HTTP cache now.
    const again = await context.newPage();
    const repeat = await visit(again, running.url);
    return { cold, repeat, firstOpen, laterOpen };
  } finally {
    await context.close();
  }
}

function bundleSizes(): void {
  const html = readFileSync(join(RENDERER, 'index.html'), 'utf8');
  const initial = new Set([...html.matchAll(/(?:src|href)="\.?\/?(assets\/[^"]+)"/g)].map((m) => m[1]));
  const assets = readdirSync(join(RENDERER, 'assets'))
    .map((name) => {
      const body = readFileSync(join(RENDERER, 'assets', name));
      return { name: `assets/${name}`, bytes: statSync(join(RENDERER, 'assets', name)).size, gzip: gzipSync(body).length };
    })
    .sort((a, b) => b.bytes - a.bytes);
  const sum = (list: typeof assets, key: 'bytes' | 'gzip') => list.reduce((total, a) => total + a[key], 0);
  const first = assets.filter((a) => initial.has(a.name));
  console.log(`\nbuilt assets (${assets.length}; * = in index.html, loaded by every start):`);
  for (const a of assets) console.log(`  ${initial.has(a.name) ? '*' : ' '} ${a.name.padEnd(48)} ${kib(a.bytes).padStart(12)}   gzip ${kib(a.gzip).padStart(10)}`);
  console.log(`  index.html's own: ${kib(sum(first, 'bytes'))} (gzip ${kib(sum(first, 'gzip'))}); all: ${kib(sum(assets, 'bytes'))} (gzip ${kib(sum(assets, 'gzip'))})`);
}

const backline = new BacklineProcess();
let browser: Browser | null = null;
try {
  const running = await backline.start();
  const seedStart = performance.now();
  await seed(running);
  console.log(`browser shell on ${running.origin}, ${TICKETS} tickets with a note each seeded in ${ms(performance.now() - seedStart)}; ${RUNS} runs, Chromium ${CHROMIUM}`);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  // One run to warm the host's file cache and Chromium's own start-up; not counted.
  await run(browser, running, RUNS);
  const runs: Run[] = [];
  for (let i = 0; i < RUNS; i++) runs.push(await run(browser, running, i));

  const row = (label: string, values: number[], target?: number) => {
    const m = median(values);
    const verdict = target === undefined ? '' : m < target ? `  (target < ${target} ms: met)` : `  (target < ${target} ms: NOT met)`;
    console.log(`  ${label.padEnd(44)} ${ms(m).padStart(8)} ${ms(Math.min(...values)).padStart(8)}   [${values.map((v) => v.toFixed(0)).join(', ')}]${verdict}`);
  };
  // The machine may be shared: its load says how far the figures are from an idle one's.
  console.log(`\nload average ${loadavg().map((l) => l.toFixed(1)).join(' ')} on ${availableParallelism()} cores`);
  console.log(`${''.padEnd(46)} median     best   [each of ${RUNS} runs]`);
  row('token URL → first paint (fresh profile)', runs.map((r) => r.cold.firstPaint), 500);
  row('token URL → first contentful paint', runs.map((r) => r.cold.firstContentfulPaint));
  row('token URL → usable (ticket list rows)', runs.map((r) => r.cold.usable));
  row('repeat visit → first paint (cached assets)', runs.map((r) => r.repeat.firstPaint));
  row('repeat visit → usable', runs.map((r) => r.repeat.usable));
  row('open a ticket → workspace usable (first)', runs.map((r) => r.firstOpen.ms), 150);
  row('open another ticket → workspace usable', runs.map((r) => r.laterOpen.ms), 150);
  // Where the time goes: code in, the list's call, then React's render and the frame after it.
  const callOf = (calls: Call[], name: string) => calls.find((c) => c.name === name);
  console.log('  breakdown (medians):');
  row('  usable: scripts and styles in', runs.map((r) => r.cold.codeIn));
  row('  usable: tickets.list answered', runs.map((r) => callOf(r.cold.calls, 'tickets.list')?.end ?? NaN));
  row('  usable: after tickets.list (render, frame)', runs.map((r) => r.cold.usable - (callOf(r.cold.calls, 'tickets.list')?.end ?? NaN)));
  for (const name of ['tickets.get', 'notes.list']) {
    row(`  first open: ${name} sent`, runs.map((r) => callOf(r.firstOpen.calls, name)?.start ?? NaN));
    row(`  first open: ${name} answered`, runs.map((r) => callOf(r.firstOpen.calls, name)?.end ?? NaN));
  }
  row('  first open: after the last call (render, frame)', runs.map((r) => r.firstOpen.ms - Math.max(...r.firstOpen.calls.map((c) => c.end))));
  console.log(`  calls while opening the first ticket (last run): ${runs.at(-1)!.firstOpen.calls.map((c) => `${c.name} ${c.start.toFixed(0)}→${c.end.toFixed(0)} ms`).join(', ') || 'none'}`);
  const onDemand = [...new Set(runs.flatMap((r) => r.firstOpen.code))];
  console.log(`  code fetched while opening the first ticket: ${onDemand.join(', ') || 'none (preloaded)'}`);

  console.log('\nfetched before the first screen was usable (fresh profile, last run; bytes as sent):');
  for (const s of runs.at(-1)!.cold.scripts) console.log(`  ${s.name.padEnd(50)} ${kib(s.bytes).padStart(12)}`);
  console.log(`  contract calls before usable: ${runs.at(-1)!.cold.calls.map((c) => c.name).join(', ') || 'none'}`);
  const cachedRepeat = runs.at(-1)!.repeat.scripts.filter((s) => s.transferred === 0 && !s.name.startsWith('/ ')).length;
  console.log(`  on the repeat visit ${cachedRepeat} of ${runs.at(-1)!.repeat.scripts.length - 1} scripts/styles came from the cache without a request`);
  bundleSizes();
} finally {
  await browser?.close();
  await backline.dispose();
}
