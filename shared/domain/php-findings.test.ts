import { describe, expect, it } from 'vitest';
import { customerTipsNote, draftFindings, headAnswer, watchCsv, watchNote } from './php-findings.js';
import { all, head, MiB, picture, pool, probe, sample, scan } from './php-findings.fixtures.js';

describe('draftFindings', () => {
  it('opens with the story in one line, as the issue words it', () => {
    const [summary] = draftFindings(all);
    expect(summary).toMatchObject({ key: 'summary', kind: 'cause', severity: 'high' });
    expect(summary!.title).toBe(
      'feeds.lab.test 10.77.0.43 answers 400 with a 64 MiB body; PHP fetch peak 180 MiB; memory_limit 128M × 10 workers (pool www) = 1.3 GiB > 1 GiB RAM; 3 OOM kills since 09:12 (cgroup limit)',
    );
  });

  it('drafts one finding per fact, with its numbers and the lines it came from', () => {
    const drafts = draftFindings(all);
    expect(drafts.map((d) => d.key)).toEqual([
      'summary',
      'head:http://feeds.lab.test/feed.php:10.77.0.43',
      'worst:www',
      'oom',
      'exhausted:/var/www/site/index.php:5',
      'cli:www:php8.2',
      'include:/var/www/site/index.php:5:http://feeds.lab.test/feed.php',
    ]);
    const bad = drafts[1]!;
    expect(bad.detail).toMatchObject({ address: '10.77.0.43', status: 400, body_bytes: 64 * MiB, capped: true, php_peak_bytes: 180 * MiB });
    expect(bad.evidence[0]!.content).toContain('10.77.0.43 | 400 | 8 MiB (capped) | 64 MiB');
    expect(bad.evidence[0]!.content).toContain('answers 400 while the others answer 200');
    expect(drafts.find((d) => d.key === 'oom')!.evidence[0]!.content.split('\n')).toHaveLength(3);
    expect(drafts.find((d) => d.key.startsWith('exhausted'))!.title).toContain('PHP ran out of its 128 MiB memory_limit 12 times in /var/www/site/index.php:5');
    expect(drafts.find((d) => d.key.startsWith('cli'))!.title).toContain('memory_limit -1; the FPM pool www runs with 128M');
    for (const d of drafts) expect(d.title.length).toBeLessThanOrEqual(300);
  });

  it("says a head's IPv4 and IPv6 addresses once when they answer alike, and a body whose size was not said as over the cap", () => {
    const bad = probe.heads[2]!;
    const twice = { ...probe, heads: [...probe.heads, { ...bad, address: 'fd77::43', family: 'ipv6' as const }] };
    expect(draftFindings({ ...all, memory: null, scan: null, heads: [twice] })[0]!.title).toBe('feeds.lab.test 10.77.0.43 and fd77::43 answer 400 with a 64 MiB body; PHP fetch peak 180 MiB');
    const unsaid = { ...probe, heads: [...probe.heads.slice(0, 2), { ...bad, php: null, fetch: { ...bad.fetch, contentLength: null, chunked: true } }] };
    expect(draftFindings({ ...all, memory: null, scan: null, heads: [unsaid] })[0]!.title).toBe('feeds.lab.test 10.77.0.43 answers 400 with a body over 8 MiB');
  });

  it('says nothing it did not measure', () => {
    expect(draftFindings({ serverLabel: 'php1', memory: null, scan: null, heads: [] })).toEqual([]);
    const calm = draftFindings({
      serverLabel: 'php1',
      memory: picture({ oomEvents: [], memoryExhausted: [], cliDiffers: [], pools: [pool({ maxChildren: 5, worstCaseBytes: 640 * MiB })] }),
      scan: null,
      heads: [{ ...probe, heads: probe.heads.slice(0, 2) }],
    });
    expect(calm).toEqual([]);
  });

  it('leaves out a pool whose worst case is unknown or fits', () => {
    const drafts = draftFindings({ ...all, memory: picture({ pools: [pool({ worstCaseBytes: null })], memory: null }) });
    expect(drafts.some((d) => d.key.startsWith('worst'))).toBe(false);
  });
});

describe('headAnswer', () => {
  it('says status, size and time, and when the cap cut the body', () => {
    expect(headAnswer(probe.heads[0]!)).toBe('200, 24 bytes, 12 ms');
    expect(headAnswer(probe.heads[2]!)).toBe('400, over 8 MiB (the cap cut it; Content-Length 64 MiB), 900 ms');
    expect(headAnswer(head('10.77.0.44', null, 0))).toBe('no answer: connection refused');
  });
});

describe('customerTipsNote', () => {
  it('fits the tips to what was seen: the file, the bad head, the limit, the code the site uses', () => {
    const note = customerTipsNote(all);
    expect(note.title).toBe('Tips for the customer: feeds.lab.test');
    expect(note.body).toContain('/var/www/site/index.php:5');
    expect(note.body).toContain('(10.77.0.43:80) answers 400 with 64 MiB');
    expect(note.body).toContain('memory_limit 128M');
    for (const tip of ['Check the status code', 'Set a timeout', 'Limit the size', 'Cache the feed']) expect(note.body).toContain(tip);
    expect(note.body).toContain('stream_context_create');
    const curl = customerTipsNote({ ...all, scan: { ...scan, hits: [{ ...scan.hits[0]!, function: 'curl_init' }] } });
    expect(curl.body).toContain('CURLOPT_TIMEOUT');
  });

  it('is still a template when nothing was measured', () => {
    const note = customerTipsNote({ serverLabel: 'php1', memory: null, scan: null, heads: [] });
    expect(note.title).toBe('Tips for the customer: the remote site');
    expect(note.body).toContain('Check the status code');
  });
});

describe('watchNote', () => {
  it('keeps the samples as CSV under a few lines of what they show', () => {
    const samples = [sample(0, 30 * MiB), sample(1, 300 * MiB), sample(2, 60 * MiB)];
    const note = watchNote('php1', samples, 1, 'stopped by the engineer');
    expect(note.title).toBe('Memory watch on php1: 2026-12-02 09:12:00 to 09:12:02');
    expect(note.body).toContain("PHP processes' RSS peaked at 300 MiB (3 processes) at 09:12:01, against 1 GiB of RAM");
    expect(note.body).toContain('MemAvailable fell to 724 MiB');
    expect(note.body).toContain(watchCsv(samples));
    expect(watchCsv(samples).split('\n')[2]).toBe(`2026-12-02T09:12:01Z,1001,3,${300 * MiB},${100 * MiB},${1024 * MiB},${724 * MiB},0,${300 * MiB},${512 * MiB}`);
  });

  it('thins the CSV out to fit in a note, and says so', () => {
    const many = Array.from({ length: 20_000 }, (_, i) => sample(i % 60, (i + 1) * 1000));
    const note = watchNote('php1', many, 1, 'stopped');
    expect(note.body.length).toBeLessThan(1024 * 1024);
    expect(note.body).toMatch(/The CSV keeps every \d+th sample/);
  });
});
