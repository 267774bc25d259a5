import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { phpMethods } from '../../../shared/contract/php.js';
import { probe, sample } from '../../../shared/domain/php-findings.fixtures.js';
import type { WatchSample } from '../../../shared/domain/php-scan.js';
import { BacklineError } from '../../../shared/errors.js';
import { EventBus } from '../events.js';
import type { SshDeps } from '../ssh/ssh-deps.js';
import { openWorkspaceDb } from '../store/database.js';
import { tempDir } from '../testing/temp-dir.js';
import { Workspace } from '../workspace/workspace.js';
import { phpHandlers, type PhpProbes } from './handlers.js';

/**
 * The PHP handlers' own logic, with the probes replaced (their I/O is tested against the lab in
 * php-handlers.lab.test.ts): the watch registry, what is saved when a watch ends, the docroots found
 * when none are typed, the last head probe per host.
 */

const dirs: { remove(): void }[] = [];
afterEach(() => {
  vi.useRealTimers();
  for (const dir of dirs.splice(0)) dir.remove();
});

/** A watch on the "server" that emits what the test pushes and ends when stopped. */
function fakeWatch() {
  const running: { onSample: (s: WatchSample) => void; signal: AbortSignal }[] = [];
  const watch: PhpProbes['watch'] = (_remote, _server, { onSample, signal, intervalS }) => {
    running.push({ onSample, signal });
    return new Promise((resolve) => {
      signal.addEventListener('abort', () => resolve({ samples: [], intervalS, stopped: 'cancelled', statements: [], unparsed: [] }));
    });
  };
  return { watch, running };
}

function setup(overrides: Partial<PhpProbes> = {}) {
  const dir = tempDir();
  dirs.push(dir);
  const events = new EventBus();
  const ws = new Workspace(openWorkspaceDb(join(dir.path, 'ws.sqlite')), events, 'esc', () => new Date('2026-12-02T09:12:00Z'));
  const [web1, web2] = ws.change((tx) => {
    ws.tickets.create({ id: 'TKT-9', title: 'Shop eats memory', customer: 'acme', status: 'open' }, tx.now);
    return [
      ws.servers.add({ ticketId: 'TKT-9', label: 'php1', host: '10.77.0.14', port: 22, user: 'root', auth: 'auto', keyFile: null, jump: null }, tx.now),
      ws.servers.add({ ticketId: 'TKT-9', label: 'web2', host: '10.77.0.12', port: 22, user: 'root', auth: 'auto', keyFile: null, jump: null }, tx.now),
    ];
  });
  const unused = () => Promise.reject(new Error('not used in this test'));
  const { watch, running } = fakeWatch();
  const probes: PhpProbes = { memory: unused, docroots: unused, scan: unused, heads: unused, watch, ...overrides };
  // The runner is built but never reached: every probe here is replaced.
  const ssh = { runsDir: join(dir.path, 'runs'), output: { headBytes: 1, tailBytes: 1, liveBudgetBytes: 1, auditBytes: 16 * 1024 } } as unknown as SshDeps;
  const handlers = phpHandlers(ws, ssh, events, probes);
  const published: { event: string; payload: unknown }[] = [];
  events.subscribe((event, payload) => published.push({ event, payload }));
  const call = <K extends keyof typeof phpMethods>(method: K, input: unknown) =>
    (handlers[method] as (input: unknown, ctx: { shell: 'browser' }) => unknown)(phpMethods[method].input.parse(input), { shell: 'browser' });
  return { ws, events, web1: web1, web2: web2, running, published, call };
}

describe('the memory watch registry', () => {
  it('runs one watch per server, publishes each sample, and saves them as a note when stopped', async () => {
    const { ws, web1, web2, running, published, call } = setup();
    const watch = (await call('php.watch.start', { serverId: web1.id, intervalS: 1 })) as { watchId: string; endsAt: string };
    expect(watch.endsAt).toBe('2026-12-02T10:12:00.000Z');
    await expect(Promise.resolve().then(() => call('php.watch.start', { serverId: web1.id }))).rejects.toMatchObject({ code: 'CONFLICT' });
    await call('php.watch.start', { serverId: web2.id });
    expect(running).toHaveLength(2);

    running[0]!.onSample(sample(0, 30 * 1024 * 1024));
    running[0]!.onSample(sample(1, 60 * 1024 * 1024));
    expect(published.filter((p) => p.event === 'php.watch.sample')).toHaveLength(2);
    expect(((await call('php.watch.list', { ticketId: 'TKT-9' })) as unknown[]).length).toBe(2);

    const end = (await call('php.watch.stop', { watchId: watch.watchId })) as { stopped: string; samples: number; noteId: number };
    expect(end).toMatchObject({ stopped: 'stopped', samples: 2 });
    expect(running[0]!.signal.aborted).toBe(true);
    const note = ws.notes.listForTicket('TKT-9').find((n) => n.id === end.noteId)!;
    expect(note.title).toBe('Memory watch on php1: 2026-12-02 09:12:00 to 09:12:01');
    expect(note.body).toContain('2 samples every 1 s; stopped by the engineer.');
    expect(published.some((p) => p.event === 'php.watch.ended')).toBe(true);
    await expect(Promise.resolve().then(() => call('php.watch.stop', { watchId: watch.watchId }))).rejects.toBeInstanceOf(BacklineError);
    // Stopped, it can start again.
    await call('php.watch.start', { serverId: web1.id });
  });

  it('ends with the server: a disconnect (Backline shutting down included) saves what came', async () => {
    const { ws, web1, running, events, call } = setup();
    await call('php.watch.start', { serverId: web1.id, intervalS: 1 });
    running[0]!.onSample(sample(0, 1024));
    events.emit('server.connection', { ticketId: 'TKT-9', serverId: web1.id, state: 'disconnected' });
    expect(running[0]!.signal.aborted).toBe(true);
    expect(ws.notes.listForTicket('TKT-9').map((n) => n.body)).toEqual([expect.stringContaining('stopped when the connection to the server closed') as unknown]);
    expect(await call('php.watch.list', { ticketId: 'TKT-9' })).toEqual([]);
  });

  it('stops by itself at its time, and says so when no sample came', async () => {
    vi.useFakeTimers();
    const { ws, web1, running, published, call } = setup();
    await call('php.watch.start', { serverId: web1.id, intervalS: 5, maxMinutes: 1 });
    vi.advanceTimersByTime(60_000);
    expect(running[0]!.signal.aborted).toBe(true);
    const ended = published.find((p) => p.event === 'php.watch.ended')!.payload;
    expect(ended).toMatchObject({ stopped: 'time', samples: 0, noteId: null, statements: ['No sample came before the watch ended: nothing was saved.'] });
    expect(ws.notes.listForTicket('TKT-9')).toEqual([]);
  });

  it('reports a watch the server ended by itself, with its statements', async () => {
    const { web1, published, call } = setup({
      watch: (_r, _s, { intervalS }) => Promise.resolve({ samples: [], intervalS, stopped: 'error', statements: ['ps is missing on php1.'], unparsed: [] }),
    });
    await call('php.watch.start', { serverId: web1.id });
    await vi.waitFor(() => expect(published.some((p) => p.event === 'php.watch.ended')).toBe(true));
    expect(published.find((p) => p.event === 'php.watch.ended')!.payload).toMatchObject({ stopped: 'error', statements: ['ps is missing on php1.', 'No sample came before the watch ended: nothing was saved.'] });
  });
});

describe('php.scan without typed docroots', () => {
  it("scans the docroots the web server's configuration names", async () => {
    const scanned: string[][] = [];
    const { web1, call } = setup({
      docroots: () =>
        Promise.resolve({
          docroots: [{ path: '/srv/www/shop', serverNames: ['shop.lab.test'], listen: ['80'], phpHandlers: [], origins: [{ server: 'nginx', file: '/etc/nginx/sites-enabled/shop', line: 3, directive: 'root /srv/www/shop;' }] }],
          webServers: [],
          sudo: false,
          statements: [],
          unparsed: [],
        }),
      scan: (_r, _s, docroots, limits) => {
        scanned.push([...docroots]);
        return Promise.resolve({ docroots: [], hits: [], hitsLeftOut: 0, limits, stopped: { reason: 'done', filesSeen: 0, bytesSeen: 0, message: 'done' }, unreadable: [], sudo: false, durationMs: 1, statements: [], unparsed: [] });
      },
    });
    const result = (await call('php.scan', { serverId: web1.id })) as { statements: string[] };
    expect(scanned).toEqual([['/srv/www/shop']]);
    expect(result.statements[0]).toBe("Docroots from php1's web server configuration: /srv/www/shop.");
  });

  it('says so when there is none, instead of scanning nothing', async () => {
    const { web1, call } = setup({
      docroots: () => Promise.resolve({ docroots: [], webServers: [], sudo: false, statements: ['No nginx or apache found on php1: type the docroot.'], unparsed: [] }),
    });
    const result = (await call('php.scan', { serverId: web1.id })) as { stopped: { message: string }; statements: string[] };
    expect(result.stopped.message).toContain("no docroot was found in php1's web server configuration. Type the docroot to scan.");
    expect(result.statements).toEqual(['No nginx or apache found on php1: type the docroot.']);
  });
});

describe('php.heads.last', () => {
  it('keeps the last head probe per server and host', async () => {
    const { web1, web2, call } = setup({ heads: () => Promise.resolve(probe) });
    await call('php.heads', { serverId: web1.id, url: 'http://feeds.lab.test/feed.php' });
    expect(await call('php.heads.last', { serverId: web1.id, host: 'FEEDS.lab.test' })).toMatchObject({ probedAt: '2026-12-02T09:12:00.000Z', probe });
    expect(await call('php.heads.last', { serverId: web2.id, host: 'feeds.lab.test' })).toBeNull();
  });
});
