/**
 * The per-head probe against the lab (bash e2e/lab/up.sh): feeds.lab.test resolves on web1 and php1 to
 * head1..head3 (IPv4 and IPv6); head3 answers 400 with 64 MiB. Logged in as bl-tcsh (tcsh login shell).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { labSuite } from '../../testing/lab-core.js';
import { probeHeads } from './probe-heads.js';
import { labRemote } from './testing/lab-remote.js';

const suite = labSuite('backline-php-heads-');
const closers: (() => void)[] = [];
afterEach(() => closers.splice(0).forEach((close) => close()));

describe('probing every head from the customer server', () => {
  it('on web1: fetches each of the six addresses pinned, and marks head3 and only head3, with PHP peak memory', async () => {
    const { remote, server, audit, close } = await labRemote(suite, 'web1', 'bl-tcsh');
    closers.push(close);
    const probe = await probeHeads(remote, server, { url: `http://${suite.lab.feedsName}/feed.xml`, timeS: 15, maxBytes: 1024 * 1024, viaPhp: true, phpMemoryLimit: '256M' });
    expect(probe.statements).toEqual([]);
    expect(probe.unparsed).toEqual([]);
    expect(probe.fetcher).toBe('curl');
    const heads = suite.lab.heads;
    expect(probe.addresses.map((a) => a.address).sort()).toEqual(heads.flatMap((h) => [h.address, h.address6!]).sort());
    const head3 = heads.find((h) => h.status === 400)!;
    const marked = probe.heads.filter((h) => h.marks.length > 0).map((h) => h.address).sort();
    expect(marked).toEqual([head3.address, head3.address6!].sort());
    for (const head of probe.heads) {
      const bad = head.address === head3.address || head.address === head3.address6;
      if (bad) {
        expect(head.fetch).toMatchObject({ status: 400, contentLength: head3.bodyBytes, capped: true, bytes: 1024 * 1024, error: null });
        expect(head.marks.map((m) => m.kind)).toEqual(['status', 'size']);
        expect(head.php).toMatchObject({ status: 400, bytes: head3.bodyBytes, memoryExhausted: false });
        expect(head.php!.peakMemoryBytes).toBeGreaterThan(head3.bodyBytes);
      } else {
        expect(head.fetch).toMatchObject({ status: 200, bytes: 'include ok from head1\n'.length, capped: false, error: null });
        expect(head.php).toMatchObject({ status: 200, memoryExhausted: false });
      }
    }
    expect(probe.summary).toContain(`2 of 6 addresses of ${suite.lab.feedsName} differ`);
    expect(audit()[0]).toMatchObject({ action: 'ssh.exec' });
    expect(audit()[0]!.summary).toContain('Fetching http://feeds.lab.test/feed.xml from every address');
  });

  it('says plainly when PHP runs out of the memory_limit it was given, and when a name does not resolve', async () => {
    const { remote, server, close } = await labRemote(suite, 'web1', 'bl-tcsh');
    closers.push(close);
    const probe = await probeHeads(remote, server, { url: `http://${suite.lab.feedsName}/feed.xml`, timeS: 15, maxBytes: 64 * 1024, viaPhp: true, phpMemoryLimit: '32M' });
    const head3 = probe.heads.filter((h) => h.marks.length > 0);
    expect(head3).toHaveLength(2);
    for (const h of head3) expect(h.php).toMatchObject({ memoryExhausted: true, memoryLimit: '32M', error: expect.stringContaining('Allowed memory size of 33554432 bytes exhausted') as unknown });
    const none = await probeHeads(remote, server, { url: 'http://nowhere.lab.test/', timeS: 5 });
    expect(none.heads).toEqual([]);
    expect(none.statements).toEqual(['nowhere.lab.test does not resolve on web1 (getent ahosts found nothing): the server cannot reach it by that name either.']);
  });

  it('on php1 as root: the same verdict from the PHP server itself', async () => {
    const { remote, server, close } = await labRemote(suite, 'php1', 'root');
    closers.push(close);
    const probe = await probeHeads(remote, server, { url: `http://${suite.lab.feedsName}/feed.xml`, timeS: 15, maxBytes: 256 * 1024 });
    const head3 = suite.lab.heads.find((h) => h.status === 400)!;
    expect(probe.heads.filter((h) => h.marks.length > 0).map((h) => h.address).sort()).toEqual([head3.address, head3.address6!].sort());
    expect(probe.heads.every((h) => h.php === null)).toBe(true);
  });
});
