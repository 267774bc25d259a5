import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { headProbeResultSchema, type HeadFetch } from '../../../../shared/domain/php-scan.js';
import { markHeads, summarizeHeads } from './heads-analysis.js';
import { readHeads } from './heads-output.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
const context = { host: 'feeds.lab.test', maxBytes: 1048576, timeS: 10, phpMemoryLimit: '128M', label: 'web1' };
const MiB64 = 64 * 1024 * 1024;

describe('reading the head probe', () => {
  it('reads curl and PHP per address, and marks head3 (both its addresses) and nothing else', () => {
    const reading = readHeads(fixture('heads.web1-feeds-curl-php.txt'), context);
    expect(reading.unparsed).toEqual([]);
    expect(reading.statements).toEqual([]);
    expect(reading.fetcher).toBe('curl');
    expect(reading.addresses.map((a) => a.address)).toEqual(['fd77::41', 'fd77::42', 'fd77::43', '10.77.0.41', '10.77.0.42', '10.77.0.43']);
    const head1 = reading.heads[0]!;
    expect(head1.fetch).toEqual({ via: 'curl', status: 200, statusLine: 'HTTP/1.1 200 OK', contentLength: 22, chunked: false, bytes: 22, capped: false, ttfbMs: 1.5, totalMs: 1.6, timedOut: false, error: null });
    expect(head1.php).toMatchObject({ status: 200, bytes: 22, peakMemoryBytes: 2097152, memoryExhausted: false, error: null, memoryLimit: '128M' });
    const head3 = reading.heads.find((h) => h.address === '10.77.0.43')!;
    expect(head3.fetch).toMatchObject({ status: 400, statusLine: 'HTTP/1.1 400 Bad Request', contentLength: MiB64, bytes: 1048576, capped: true, error: null });
    expect(head3.php).toMatchObject({ status: 400, bytes: MiB64, peakMemoryBytes: 100663296, memoryExhausted: false });

    const marks = markHeads(reading.heads.map((h) => h.fetch));
    const marked = reading.heads.filter((_, i) => marks[i]!.length > 0).map((h) => h.address);
    expect(marked).toEqual(['fd77::43', '10.77.0.43']);
    expect(marks[5]).toEqual([
      { kind: 'status', reason: 'answers 400 Bad Request while 4 of the others answer 200' },
      { kind: 'size', reason: "a 64.0 MiB body (Content-Length; the probe stopped reading at 1.0 MiB), where the others' median is 22 bytes" },
    ]);
    const heads = reading.heads.map((h, i) => ({ ...h, marks: marks[i]! }));
    expect(summarizeHeads('feeds.lab.test', heads)).toMatch(/^2 of 6 addresses of feeds\.lab\.test differ: fd77::43 answers 400 Bad Request/);
    expect(() =>
      headProbeResultSchema.parse({ url: 'http://feeds.lab.test/feed.xml', host: 'feeds.lab.test', port: 80, scheme: 'http', addresses: reading.addresses, heads, fetcher: 'curl', limits: { timeS: 10, maxBytes: 1048576 }, summary: 's', statements: [], unparsed: [] }),
    ).not.toThrow();
  });

  it('reads wget when curl is missing, and says so', () => {
    const reading = readHeads(fixture('heads.web1-feeds-wget.txt'), context);
    expect(reading.unparsed).toEqual([]);
    expect(reading.fetcher).toBe('wget');
    expect(reading.statements[0]).toMatch(/^curl is not on web1: wget fetched instead/);
    expect(reading.heads[0]!.fetch).toMatchObject({ via: 'wget', status: 200, bytes: 22, contentLength: 22, error: null, ttfbMs: null });
    expect(reading.heads[0]!.fetch.totalMs).toBeGreaterThan(0);
    expect(reading.heads[2]!.fetch).toMatchObject({ via: 'wget', status: 400, capped: true, contentLength: MiB64, error: null });
    expect(reading.heads.every((h) => h.php === null)).toBe(true);
    const marks = markHeads(reading.heads.map((h) => h.fetch));
    expect(reading.heads.filter((_, i) => marks[i]!.length > 0).map((h) => h.address)).toEqual(['fd77::43', '10.77.0.43']);
  });

  it('says what went wrong: a timeout, a name that does not resolve', () => {
    const timeout = readHeads(fixture('heads.web1-unused-address-timeout.txt'), { ...context, host: '10.77.0.99', timeS: 2 });
    expect(timeout.unparsed).toEqual([]);
    expect(timeout.heads[0]!.fetch).toMatchObject({ status: null, timedOut: true, bytes: 0, ttfbMs: null, totalMs: 2000.4, error: 'no complete answer within the time limit: Connection timed out after 2000 milliseconds' });
    const none = readHeads(fixture('heads.web1-no-such-host.txt'), { ...context, host: 'nowhere.lab.test' });
    expect(none.heads).toEqual([]);
    expect(none.statements).toEqual(['nowhere.lab.test does not resolve on web1 (getent ahosts found nothing): the server cannot reach it by that name either.']);
    expect(summarizeHeads('nowhere.lab.test', [])).toBe('No address of nowhere.lab.test was fetched.');
  });

  it('reads PHP running out of memory_limit, and a probe cut short', () => {
    const out = [
      '@@backline resolve',
      '10.77.0.43      STREAM feeds.lab.test',
      '@@backline resolve-exit 0',
      '@@backline fetcher php',
      '@@backline head 10.77.0.43',
      '@@backline php-header HTTP/1.1 400 Bad Request',
      '@@backline php-peak 52424704',
      '@@backline php-error Allowed memory size of 67108864 bytes exhausted (tried to allocate 48238592 bytes)',
      '@@backline php-time 111',
      '@@backline php-exit 255',
      '@@backline php-said PHP Fatal error:  Allowed memory size of 67108864 bytes exhausted (tried to allocate 48238592 bytes) in Command line code on line 18',
      '@@backline head-end',
      'something odd',
    ].join('\n');
    const reading = readHeads(out, { ...context, phpMemoryLimit: '64M' });
    expect(reading.heads[0]!.php).toEqual({
      status: 400,
      statusLine: 'HTTP/1.1 400 Bad Request',
      bytes: null,
      peakMemoryBytes: 52424704,
      memoryLimit: '64M',
      memoryExhausted: true,
      timedOut: false,
      totalMs: 111,
      error: 'Allowed memory size of 67108864 bytes exhausted (tried to allocate 48238592 bytes)',
    });
    expect(reading.heads[0]!.fetch).toMatchObject({ via: 'php', status: 400, error: null });
    expect(reading.unparsed).toEqual(['something odd']);
    expect(reading.statements).toEqual(['Neither curl nor wget is on web1: PHP fetched instead.', 'The head probe did not finish on web1: the heads fetched before it stopped are shown.']);
  });
});

describe('marking heads', () => {
  const fetch = (over: Partial<HeadFetch>): HeadFetch => ({ via: 'curl', status: 200, statusLine: 'HTTP/1.1 200 OK', contentLength: 100, chunked: false, bytes: 100, capped: false, ttfbMs: 5, totalMs: 10, timedOut: false, error: null, ...over });

  it('marks a much slower head, a chunked body past the cap, and a head that does not answer', () => {
    const marks = markHeads([fetch({}), fetch({ totalMs: 12 }), fetch({ totalMs: 4000 }), fetch({ status: 200, chunked: true, contentLength: null, bytes: 4 * 1024 * 1024, capped: true }), fetch({ status: null, statusLine: null, error: 'the connection was refused or the address is unreachable', totalMs: 1 })]);
    expect(marks[0]).toEqual([]);
    expect(marks[1]).toEqual([]);
    expect(marks[2]).toEqual([{ kind: 'slow', reason: "took 4.00 s, where the others' median is 0.01 s" }]);
    expect(marks[3]).toEqual([{ kind: 'size', reason: "a body of more than 4.0 MiB (chunked, the probe stopped reading there), where the others' median is 100 bytes" }]);
    expect(marks[4]).toEqual([{ kind: 'error', reason: 'no answer (the connection was refused or the address is unreachable) while the others answer 200' }]);
  });

  it('marks nothing when all heads answer alike, even all with an error', () => {
    expect(markHeads([fetch({ status: 503 }), fetch({ status: 503 }), fetch({ status: 503, bytes: 120 })])).toEqual([[], [], []]);
    expect(markHeads([fetch({})])).toEqual([[]]);
  });
});
