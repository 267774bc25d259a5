/**
 * The PHP tab's methods against the lab's php1 (e2e/lab/php/README.md: nginx and php-fpm from Debian,
 * a shop fetching feeds.lab.test whole; the shop pool's memory_limit 96M, the CLI's -1; head3 answers
 * 400 with 64 MiB), through the contract dispatch as a window calls them. `bash e2e/lab/up.sh` first.
 */
import { readFileSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { EventPayload } from '../../../shared/contract/index.js';
import { connectTrusting, labSuite } from '../testing/lab-core.js';
import { phpSite } from './testing/php-site.js';
import { tempDir } from '../testing/temp-dir.js';

const suite = labSuite('backline-php-home-');

const host = (name: string) => suite.lab.hosts.find((h) => h.name === name)!;
const head = (name: string) => suite.lab.heads.find((h) => h.name === name)!;
const rootKey = () => suite.lab.keys.find((k) => k.name === 'lab_root')!.privateKey;

async function setup(ticketId: string, label = 'php1') {
  const app = suite.open({ keepaliveIntervalS: 2, connectTimeoutMs: 5000 });
  await app.call('tickets.create', { id: ticketId, title: 'The shop eats php1' });
  const server = await app.call('servers.add', { ticketId, label, host: host(label).address, user: 'root', auth: 'key', keyFile: rootKey() });
  await connectTrusting(app, server.id);
  return { ...app, server };
}

describe('php.memory on php1', () => {
  it('shows both limits (the pool 96M, the CLI -1), the shop pool and its workers, and keeps the full output on the record', async () => {
    const { call, server } = await setup('TKT-51201');
    // A fresh php1's logs are short: the site logs enough first that the probe prints more than the audit keeps inline.
    const site = phpSite();
    site.putFile('bl-log-lines.php', "<?php for ($i = 0; $i < 300; $i++) error_log('backline lab: a line for the probe to report ' . $i . ' ' . str_repeat('x', 80)); echo 'logged';");
    let picture;
    try {
      expect((await site.request('/bl-log-lines.php')).body).toBe('logged');
      picture = await call('php.memory', { serverId: server.id });
    } finally {
      await site.reset();
    }
    expect(picture.phpFound).toBe(true);
    const shop = picture.pools.find((p) => p.name === 'shop')!;
    expect(shop.maxChildren).toBe(8);
    expect(shop.settings.find((s) => s.name === 'memory_limit')?.value).toBe('96M');
    expect(picture.clis[0]?.settings.find((s) => s.name === 'memory_limit')?.value).toBe('-1');
    expect(picture.cliDiffers.some((d) => d.name === 'memory_limit' && d.pool === 'shop')).toBe(true);
    expect(shop.workers.count).toBeGreaterThan(0);
    expect(picture.processes.filter((p) => p.role === 'fpm-worker' && p.pool === 'shop').length).toBe(shop.workers.count);

    // Issue 12, item 6: the probe is on the audit log, and its whole output can be read from there.
    const runs = (await call('audit.list', { ticketId: 'TKT-51201', limit: 100 })).filter((e) => e.action === 'ssh.exec');
    expect(runs.length).toBeGreaterThan(0);
    // The memory probe prints more than the audit keeps inline (16 KiB): its entry must name the file with the rest.
    const large = runs.filter((run) => (run.detail as { outputBytes: { stdout: number } }).outputBytes.stdout > 16 * 1024);
    expect(large.length).toBeGreaterThan(0);
    for (const run of large) {
      const detail = run.detail as { stdout: string; outputBytes: { stdout: number }; fullOutputFiles: string[] };
      const file = detail.fullOutputFiles.find((f) => f.endsWith('.stdout'));
      expect(file, `${run.summary} has ${detail.outputBytes.stdout} bytes of output: the audit names the file with all of it`).toBeDefined();
      expect(statSync(file!).size).toBe(detail.outputBytes.stdout);
      expect(readFileSync(file!, 'utf8').startsWith(detail.stdout.slice(0, 1000))).toBe(true);
    }
  });
});

describe('php.scan and php.heads on php1', () => {
  it("finds the include under the docroot nginx names, probes the feed's heads from php1, and marks head3 only", async () => {
    const { call, server } = await setup('TKT-51202');
    const scan = await call('php.scan', { serverId: server.id });
    const hit = scan.hits.find((h) => h.file === '/srv/www/shop/lib/feed.php');
    expect(hit).toMatchObject({ line: 8, url: 'http://feeds.lab.test/feed.xml', host: 'feeds.lab.test', function: 'curl_init' });
    expect(scan.statements.join(' ')).toContain('/srv/www/shop');

    const probe = await call('php.heads', { serverId: server.id, url: hit!.url, viaPhp: true, limits: { maxBytes: 4 * 1024 * 1024, timeS: 15 } });
    const marked = probe.heads.filter((h) => h.marks.length > 0).map((h) => h.address).sort();
    const bad = head('head3');
    expect(marked).toEqual([bad.address, bad.address6].filter((a): a is string => a !== null).sort());
    const answer = probe.heads.find((h) => h.address === bad.address)!;
    expect(answer.fetch).toMatchObject({ status: 400, capped: true });

    // The Firewall tab reads the same answers back for the host on this server.
    const last = await call('php.heads.last', { serverId: server.id, host: 'Feeds.Lab.Test' });
    expect(last?.probe.heads.map((h) => h.address)).toEqual(probe.heads.map((h) => h.address));
    expect(await call('php.heads.last', { serverId: server.id, host: 'other.lab.test' })).toBeNull();
  });

  it('says plainly what is missing: a docroot that does not exist', async () => {
    const { call, server } = await setup('TKT-51203');
    const scan = await call('php.scan', { serverId: server.id, docroots: ['/srv/www/nothing-here'] });
    expect(scan.hits).toEqual([]);
    expect(scan.docroots.map((d) => [d.path, d.state])).toEqual([['/srv/www/nothing-here', 'missing']]);
  });

  it('refuses bad input at the contract, naming the field', async () => {
    const { failure, server } = await setup('TKT-51204');
    const ftp = await failure('php.heads', { serverId: server.id, url: 'ftp://feeds.lab.test/feed.xml' });
    expect(ftp.code).toBe('VALIDATION_FAILED');
    expect(ftp.issues?.[0]?.path).toBe('url');
    expect(ftp.issues?.[0]?.message).toContain('Only http and https');
    const relative = await failure('php.scan', { serverId: server.id, docroots: ['srv/www'] });
    expect(relative.issues?.[0]?.path).toBe('docroots.0');
    expect(relative.issues?.[0]?.message).toContain('not an absolute path');
  });
});

describe('php.watch on php1', () => {
  it('streams samples from one command, one watch per server, and saves them as a note when stopped', async () => {
    const { call, failure, core, server } = await setup('TKT-51205');
    const samples: EventPayload<'php.watch.sample'>[] = [];
    core.events.subscribe((event, payload) => {
      if (event === 'php.watch.sample') samples.push(payload as EventPayload<'php.watch.sample'>);
    });
    const watch = await call('php.watch.start', { serverId: server.id, intervalS: 1, maxMinutes: 5 });
    const second = await failure('php.watch.start', { serverId: server.id, intervalS: 1 });
    expect(second.code).toBe('CONFLICT');
    await expect.poll(() => samples.length, { timeout: 20_000 }).toBeGreaterThanOrEqual(3);
    expect(samples[0]!.sample.workerCount).toBeGreaterThan(0);
    const listed = await call('php.watch.list', { ticketId: 'TKT-51205' });
    expect(listed.map((w) => w.watch.watchId)).toEqual([watch.watchId]);

    const end = await call('php.watch.stop', { watchId: watch.watchId });
    expect(end.stopped).toBe('stopped');
    expect(end.noteId).not.toBeNull();
    expect(end.samples).toBeGreaterThanOrEqual(3);
    const note = (await call('notes.list', { ticketId: 'TKT-51205' })).find((n) => n.id === end.noteId)!;
    expect(note.title).toMatch(/^Memory watch on php1: /);
    expect(note.body).toContain('at,uptime_s,workers,php_rss_bytes');
    expect(note.body.split('\n').filter((l) => /^\d{4}-\d\d-\d\dT/.test(l)).length).toBe(end.samples);
    // One long-running command, not one per sample.
    const watchRuns = (await call('audit.list', { ticketId: 'TKT-51205', limit: 100 })).filter((e) => e.action === 'ssh.exec' && /watch/i.test(String((e.detail as { purpose?: string }).purpose)));
    expect(watchRuns).toHaveLength(1);
    expect(await call('php.watch.list', { ticketId: 'TKT-51205' })).toEqual([]);
    // Started again once the first has ended.
    const again = await call('php.watch.start', { serverId: server.id, intervalS: 2 });
    await call('php.watch.stop', { watchId: again.watchId });
  });

  it('is stopped when Backline shuts down, its samples saved before the store closes', async () => {
    const data = tempDir('backline-php-data-');
    try {
      const first = suite.open({ dataDir: data.path, keepaliveIntervalS: 2, connectTimeoutMs: 5000 });
      await first.call('tickets.create', { id: 'TKT-51206', title: 'Shutdown mid-watch' });
      const server = await first.call('servers.add', { ticketId: 'TKT-51206', label: 'php1', host: host('php1').address, user: 'root', auth: 'key', keyFile: rootKey() });
      await connectTrusting(first, server.id);
      let samples = 0;
      first.core.events.subscribe((event) => {
        if (event === 'php.watch.sample') samples++;
      });
      await first.call('php.watch.start', { serverId: server.id, intervalS: 1 });
      await expect.poll(() => samples, { timeout: 20_000 }).toBeGreaterThanOrEqual(2);
      first.core.close();
      const again = suite.open({ dataDir: data.path });
      const notes = await again.call('notes.list', { ticketId: 'TKT-51206' });
      expect(notes.map((n) => n.title)).toEqual([expect.stringMatching(/^Memory watch on php1: /) as unknown]);
      expect(notes[0]!.body).toContain('stopped when the connection to the server closed');
    } finally {
      data.remove();
    }
  });
});
