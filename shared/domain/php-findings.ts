import { hostPort } from './address.js';
import type { Evidence, FindingDetail } from './finding.js';
import type { FpmPool, MemoryPicture, OomEvent } from './php-memory.js';
import type { HeadProbeResult, HeadResult, IncludeHit, IncludeScanResult, WatchSample } from './php-scan.js';
import { formatSize } from './size.js';

/**
 * What the PHP tab drafts from what it measured (issue 12, item 5): findings for the engineer to edit
 * and save, the customer-tips note, and the note that keeps a memory watch's samples. Pure: the same
 * measurements always give the same words, and nothing is said that was not measured.
 */

export type DraftKind = 'observation' | 'cause' | 'action' | 'risk' | 'question';
export type DraftSeverity = 'info' | 'low' | 'medium' | 'high' | 'critical';

export interface FindingDraft {
  /** Stable within one drafting, for the window's list (which drafts are ticked, which edited). */
  key: string;
  kind: DraftKind;
  severity: DraftSeverity;
  title: string;
  detail: FindingDetail;
  evidence: Evidence[];
}

export interface Measured {
  serverLabel: string;
  memory: MemoryPicture | null;
  scan: IncludeScanResult | null;
  /** Head probes, newest last; one per URL probed. */
  heads: readonly HeadProbeResult[];
}

/** Finding titles are at most 300 characters (findings.add). */
const TITLE_MAX = 300;
const clipTitle = (title: string) => (title.length <= TITLE_MAX ? title : `${title.slice(0, TITLE_MAX - 1)}…`);
/** Evidence is at most 256 KiB (findings.add); kept well under. */
const EVIDENCE_MAX = 200 * 1024;
const clipEvidence = (text: string) => (text.length <= EVIDENCE_MAX ? text : `${text.slice(0, EVIDENCE_MAX)}\n[… cut at ${formatSize(EVIDENCE_MAX)} …]`);

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** A size as people say it: 64 MiB, not 64.0 MiB. */
export function roundSize(bytes: number): string {
  return formatSize(bytes).replace(/\.0 /, ' ');
}

/** What a head answered, in a few words: "400, 64 MiB (cut at the 8 MiB cap), 1.2 s" or "no answer: connection refused". */
export function headAnswer(head: HeadResult): string {
  const f = head.fetch;
  if (f.status === null) return `no answer${f.error ? `: ${f.error}` : ''}${f.timedOut ? ' (timed out)' : ''}`;
  const size = f.capped ? `over ${roundSize(f.bytes)} (the cap cut it${f.contentLength !== null ? `; Content-Length ${roundSize(f.contentLength)}` : ''})` : roundSize(f.bytes);
  const time = f.totalMs !== null ? `, ${formatMs(f.totalMs)}` : '';
  return `${f.status}, ${size}${time}`;
}

/** The size a head really sends: its Content-Length when the cap cut the body, else what was received. */
export function headBodyBytes(head: HeadResult): number {
  const f = head.fetch;
  return f.capped && f.contentLength !== null ? Math.max(f.contentLength, f.bytes) : f.bytes;
}

export function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** The size of a head's body in words: "a 64 MiB body" (its Content-Length, when the cap cut the read), "a body over 8 MiB" (cut, size unsaid). */
function bodyWords(head: HeadResult): string {
  const f = head.fetch;
  if (f.capped && f.contentLength === null) return `a body over ${roundSize(f.bytes)}`;
  return `a ${roundSize(headBodyBytes(head))} body`;
}

/** What a head did, without naming it: "answers 400 with a 64 MiB body; PHP fetch peak 180 MiB". */
function headAnswerWords(head: HeadResult, plural = false): string {
  const f = head.fetch;
  const parts: string[] = [];
  if (f.status !== null) parts.push(`${plural ? 'answer' : 'answers'} ${f.status}${f.bytes > 0 ? ` with ${bodyWords(head)}` : ''}`);
  else parts.push(`${plural ? 'give' : 'gives'} no answer${f.error ? ` (${f.error})` : ''}`);
  if (head.php?.peakMemoryBytes != null) parts.push(`PHP fetch peak ${roundSize(head.php.peakMemoryBytes)}`);
  if (head.php?.memoryExhausted) parts.push(`PHP ran out of its ${head.php.memoryLimit} memory_limit reading it`);
  return parts.join('; ');
}

function headSentence(probe: HeadProbeResult, head: HeadResult): string {
  return `${probe.host} ${head.address} ${headAnswerWords(head)}`;
}

/** The marked heads of a probe in one clause per answer: a head's IPv4 and IPv6 addresses answering alike are said once. */
function storyOf(probe: HeadProbeResult): string[] {
  const byAnswer = new Map<string, string[]>();
  for (const head of probe.heads.filter((h) => h.marks.length > 0)) {
    const key = headAnswerWords(head, true);
    byAnswer.set(key, [...(byAnswer.get(key) ?? []), head.address]);
  }
  return [...byAnswer].map(([words, addresses]) => {
    if (addresses.length > 1) return `${probe.host} ${addresses.join(' and ')} ${words}`;
    const head = probe.heads.find((h) => h.address === addresses[0])!;
    return headSentence(probe, head);
  });
}

/** The heads table, as evidence: one line per address, the marked ones with their reasons. */
export function headsTable(probe: HeadProbeResult): string {
  const rows = probe.heads.map((h) => {
    const f = h.fetch;
    return [
      h.address,
      f.status === null ? '-' : String(f.status),
      `${roundSize(f.bytes)}${f.capped ? ' (capped)' : ''}`,
      f.contentLength === null ? (f.chunked ? 'chunked' : '-') : roundSize(f.contentLength),
      f.ttfbMs === null ? '-' : formatMs(f.ttfbMs),
      f.totalMs === null ? '-' : formatMs(f.totalMs),
      h.php?.peakMemoryBytes == null ? '-' : roundSize(h.php.peakMemoryBytes),
      h.marks.map((m) => m.reason).join('; ') || (f.error ?? ''),
    ].join(' | ');
  });
  return [`${probe.url} from the customer's server, once per address (caps: ${probe.limits.timeS} s, ${roundSize(probe.limits.maxBytes)})`, 'address | status | received | Content-Length | TTFB | total | PHP peak | marked', ...rows].join('\n');
}

function memoryLimitOf(pool: FpmPool): string | null {
  return pool.settings.find((s) => s.name === 'memory_limit')?.value ?? null;
}

/** "09:12" from an OOM event: its ISO time where known, else the time as the log printed it. */
function eventClock(event: OomEvent): string | null {
  if (event.atIso) return event.atIso.slice(11, 16);
  return event.at;
}

function oomSummary(events: readonly OomEvent[]): string {
  const first = events[0] ? eventClock(events[0]) : null;
  const cgroup = events.filter((e) => e.cgroup).length;
  const what = cgroup === events.length ? ' (cgroup limit)' : cgroup > 0 ? ` (${cgroup} at a cgroup limit)` : '';
  return `${plural(events.length, 'OOM kill')}${first ? ` since ${first}` : ''}${what}`;
}

/** Pools whose worst case (memory_limit × pm.max_children) is more than the machine's memory. */
function overcommitted(memory: MemoryPicture): { pool: FpmPool; limit: string; sentence: string }[] {
  const total = memory.memory?.totalBytes ?? null;
  if (total === null) return [];
  return memory.pools.flatMap((pool) => {
    const limit = memoryLimitOf(pool);
    if (pool.worstCaseBytes === null || pool.maxChildren === null || limit === null || pool.worstCaseBytes <= total) return [];
    return [{ pool, limit, sentence: `memory_limit ${limit} × ${plural(pool.maxChildren, 'worker')} (pool ${pool.name}) = ${roundSize(pool.worstCaseBytes)} > ${roundSize(total)} RAM` }];
  });
}

function includeSentence(hit: IncludeHit): string {
  return `${hit.file}:${hit.line} reads ${hit.url}${hit.function ? ` with ${hit.function}` : ''}`;
}

/**
 * The drafts for what was measured: first one summary line joining the facts that tell the story (as
 * an engineer would paste it), then one finding per fact with its numbers in `detail` and the lines it
 * was read from as evidence. Nothing measured, nothing drafted.
 */
export function draftFindings(measured: Measured): FindingDraft[] {
  const { memory, scan, serverLabel } = measured;
  const drafts: FindingDraft[] = [];
  const story: string[] = [];

  for (const probe of measured.heads) {
    story.push(...storyOf(probe));
    const marked = probe.heads.filter((h) => h.marks.length > 0);
    for (const head of marked) {
      const sentence = headSentence(probe, head);
      drafts.push({
        key: `head:${probe.url}:${head.address}`,
        kind: 'cause',
        severity: head.fetch.status !== null && head.fetch.status >= 400 && headBodyBytes(head) >= 1024 * 1024 ? 'high' : 'medium',
        title: clipTitle(`${sentence} (from ${serverLabel})`),
        detail: {
          host: probe.host,
          address: head.address,
          port: probe.port,
          url: probe.url,
          status: head.fetch.status,
          body_bytes: headBodyBytes(head),
          capped: head.fetch.capped,
          total_ms: head.fetch.totalMs === null ? null : Math.round(head.fetch.totalMs),
          php_peak_bytes: head.php?.peakMemoryBytes ?? null,
          marked: head.marks.map((m) => m.reason).join('; '),
        },
        evidence: [{ label: `Heads of ${probe.host} from ${serverLabel}`, content: clipEvidence(headsTable(probe)) }],
      });
    }
  }

  if (memory) {
    for (const { pool, limit, sentence } of overcommitted(memory)) {
      story.push(sentence);
      drafts.push({
        key: `worst:${pool.name}`,
        kind: 'risk',
        severity: 'high',
        title: clipTitle(`${sentence} on ${serverLabel}`),
        detail: { pool: pool.name, memory_limit: limit, max_children: pool.maxChildren, worst_case_bytes: pool.worstCaseBytes, mem_total_bytes: memory.memory?.totalBytes ?? null },
        evidence: [],
      });
    }
    if (memory.oomEvents.length > 0) {
      const summary = oomSummary(memory.oomEvents);
      story.push(summary);
      const killed = [...new Set(memory.oomEvents.map((e) => e.process).filter((p): p is string => p !== null))];
      drafts.push({
        key: 'oom',
        kind: 'observation',
        severity: 'high',
        title: clipTitle(`${summary} on ${serverLabel}${killed.length > 0 ? `: ${killed.join(', ')}` : ''}`),
        detail: { oom_kills: memory.oomEvents.length, cgroup_kills: memory.oomEvents.filter((e) => e.cgroup).length, first: memory.oomEvents[0]?.at ?? null, last: memory.oomEvents.at(-1)?.at ?? null },
        evidence: [{ label: `Kernel OOM lines on ${serverLabel}`, content: clipEvidence(memory.oomEvents.flatMap((e) => e.lines).join('\n')) }],
      });
    }
    for (const event of memory.memoryExhausted) {
      drafts.push({
        key: `exhausted:${event.file}:${event.line}`,
        kind: 'observation',
        severity: 'medium',
        title: clipTitle(`PHP ran out of its ${roundSize(event.limitBytes)} memory_limit ${plural(event.count, 'time')} in ${event.file}:${event.line} (tried to allocate up to ${roundSize(event.triedBytes)}) on ${serverLabel}`),
        detail: { file: event.file, line: event.line, count: event.count, limit_bytes: event.limitBytes, tried_bytes: event.triedBytes, first: event.first, last: event.last },
        evidence: [],
      });
    }
    for (const diff of memory.cliDiffers.filter((d) => d.name === 'memory_limit')) {
      drafts.push({
        key: `cli:${diff.pool}:${diff.cliBinary}`,
        kind: 'observation',
        severity: 'info',
        title: clipTitle(`${diff.cliBinary} on the command line has memory_limit ${diff.cli ?? 'unset'}; the FPM pool ${diff.pool} runs with ${diff.poolValue ?? 'unset'} (${serverLabel})`),
        detail: { setting: diff.name, cli: diff.cli, cli_binary: diff.cliBinary, pool: diff.pool, pool_value: diff.poolValue },
        evidence: [],
      });
    }
  }

  for (const hit of scan?.hits ?? []) {
    drafts.push({
      key: `include:${hit.file}:${hit.line}:${hit.url}`,
      kind: 'observation',
      severity: 'medium',
      title: clipTitle(`${includeSentence(hit)} on ${serverLabel}`),
      detail: { file: hit.file, line: hit.line, url: hit.url, host: hit.host, function: hit.function },
      evidence: [{ label: `${hit.file}:${hit.line}`, content: clipEvidence(hit.code) }],
    });
  }

  if (story.length > 0) {
    drafts.unshift({
      key: 'summary',
      kind: 'cause',
      severity: 'high',
      title: clipTitle(story.join('; ')),
      detail: { server: serverLabel },
      evidence: [],
    });
  }
  return drafts;
}

export interface NoteDraft {
  title: string;
  body: string;
}

/** The code the site uses to read the remote URL, to fit the tips to it: curl or PHP's stream wrapper. */
function usesCurl(hits: readonly IncludeHit[]): boolean {
  return hits.some((h) => h.function === 'curl_init' || h.function === 'CURLOPT_URL');
}

/**
 * The customer-tips note (a template the engineer edits): what was seen, then check the status code,
 * set a timeout and a size limit, cache the feed. Fitted to what was measured, where it was measured.
 */
export function customerTipsNote(measured: Measured): NoteDraft {
  const probe = measured.heads.at(-1) ?? null;
  const bad = probe?.heads.filter((h) => h.marks.length > 0) ?? [];
  const hits = measured.scan?.hits ?? [];
  const host = probe?.host ?? hits.find((h) => h.host)?.host ?? 'the remote site';
  const url = probe?.url ?? hits[0]?.url ?? 'the remote URL';
  const limit = measured.memory?.pools.map(memoryLimitOf).find((v) => v !== null) ?? null;
  const seen: string[] = [];
  if (hits.length > 0) seen.push(`Your site reads ${url} on every request (${hits.map((h) => `${h.file}:${h.line}`).join(', ')}), and uses the whole answer without checking it.`);
  else seen.push(`Your site reads ${url} while it builds its pages.`);
  for (const head of bad) {
    if (probe) seen.push(`One of the servers behind ${host} (${hostPort(head.address, probe.port)}) answers ${head.fetch.status ?? 'nothing'}${head.fetch.bytes > 0 ? ` with ${roundSize(headBodyBytes(head))}` : ''} instead of the feed; ${head.marks.map((m) => m.reason).join('; ')}.`);
  }
  if (limit) seen.push(`Each PHP worker may use up to memory_limit ${limit}; every worker that reads that answer holds it in memory at once, until the server runs out.`);

  const curl = usesCurl(hits);
  const code = curl
    ? [
        '```php',
        `$ch = curl_init(${JSON.stringify(url)});`,
        'curl_setopt_array($ch, [',
        '    CURLOPT_RETURNTRANSFER => true,',
        '    CURLOPT_CONNECTTIMEOUT => 3,',
        '    CURLOPT_TIMEOUT => 5,',
        '    CURLOPT_MAXFILESIZE => 1024 * 1024, // refuse answers over 1 MiB that say their size',
        "    CURLOPT_FAILONERROR => true,       // a 4xx or 5xx is an error, not content",
        ']);',
        '$body = curl_exec($ch);',
        'if ($body === false || strlen($body) > 1024 * 1024) { /* use the cached copy */ }',
        '```',
      ]
    : [
        '```php',
        "$context = stream_context_create(['http' => ['timeout' => 5, 'ignore_errors' => true]]);",
        `$fp = fopen(${JSON.stringify(url)}, 'r', false, $context);`,
        "$status = $fp ? (int) explode(' ', $http_response_header[0] ?? '')[1] : 0;",
        '$body = ($fp && $status === 200) ? stream_get_contents($fp, 1024 * 1024) : false; // at most 1 MiB',
        'if ($fp) fclose($fp);',
        'if ($body === false) { /* use the cached copy */ }',
        '```',
      ];

  const body = [
    `# Tips for the customer: ${host}`,
    '',
    '## What we saw',
    '',
    ...seen.map((s) => `- ${s}`),
    '',
    '## What to change',
    '',
    '1. **Check the status code** before using the answer: only a 200 is the feed; a 400 or 500 page is not.',
    '2. **Set a timeout** on the fetch (a few seconds), so a slow remote server cannot hold every worker.',
    '3. **Limit the size** you read: the feed is small; stop reading past a limit (1 MiB here) instead of loading whatever comes.',
    `4. **Cache the feed**: fetch it in the background (a cron job every few minutes), keep the last good copy, and serve pages from that copy, so a bad answer from ${host} never reaches your visitors or your memory.`,
    '',
    ...code,
    '',
    `_Measured by Backline from ${measured.serverLabel}._`,
  ].join('\n');
  return { title: `Tips for the customer: ${host}`, body };
}

/** A note body is at most 1 MiB (notes.save); the CSV is thinned out to fit, and says so. */
const NOTE_MAX = 1024 * 1024 - 16 * 1024;

export function watchCsv(samples: readonly WatchSample[]): string {
  const header = 'at,uptime_s,workers,php_rss_bytes,max_worker_rss_bytes,mem_total_bytes,mem_available_bytes,swap_used_bytes,cgroup_current_bytes,cgroup_max_bytes';
  const rows = samples.map((s) => {
    const maxWorker = Math.max(0, ...s.groups.map((g) => g.maxRssBytes));
    const swapUsed = s.swapTotalBytes !== null && s.swapFreeBytes !== null ? s.swapTotalBytes - s.swapFreeBytes : '';
    const cgroup = s.cgroups[0];
    return [s.at, s.uptimeS, s.workerCount, s.rssBytes, maxWorker, s.memTotalBytes ?? '', s.memAvailableBytes ?? '', swapUsed, cgroup?.currentBytes ?? '', cgroup?.maxBytes ?? ''].join(',');
  });
  return [header, ...rows].join('\n');
}

/** The note that keeps a memory watch's samples: a few lines of what they show, then the CSV. */
export function watchNote(serverLabel: string, samples: readonly WatchSample[], intervalS: number, ended: string): NoteDraft {
  const first = samples[0];
  const last = samples.at(-1);
  const when = first && last ? `${first.at.replace('T', ' ').slice(0, 19)} to ${last.at.slice(11, 19)}` : 'no samples';
  const title = `Memory watch on ${serverLabel}: ${when}`;
  const peak = samples.reduce<WatchSample | null>((best, s) => (best === null || s.rssBytes > best.rssBytes ? s : best), null);
  const mostWorkers = Math.max(0, ...samples.map((s) => s.workerCount));
  const minAvailable = samples.reduce<number | null>((min, s) => (s.memAvailableBytes === null ? min : min === null ? s.memAvailableBytes : Math.min(min, s.memAvailableBytes)), null);
  const total = last?.memTotalBytes ?? null;
  const lines = [
    `# ${title}`,
    '',
    `${plural(samples.length, 'sample')} every ${intervalS} s; ${ended}.`,
    '',
    ...(peak ? [`- PHP processes' RSS peaked at ${roundSize(peak.rssBytes)} (${plural(peak.workerCount, 'process', 'processes')}) at ${peak.at.slice(11, 19)}${total ? `, against ${roundSize(total)} of RAM` : ''}.`] : []),
    ...(samples.length > 0 ? [`- At most ${plural(mostWorkers, 'PHP process', 'PHP processes')} at once.`] : []),
    ...(minAvailable !== null ? [`- MemAvailable fell to ${roundSize(minAvailable)}.`] : []),
    '',
  ];
  let kept = samples;
  let csv = watchCsv(kept);
  let step = 1;
  while (csv.length > NOTE_MAX && kept.length > 2) {
    step *= 2;
    kept = samples.filter((_, i) => i % step === 0 || i === samples.length - 1);
    csv = watchCsv(kept);
  }
  if (step > 1) lines.push(`The CSV keeps every ${step}th sample (and the last) to fit in a note.`, '');
  lines.push('```csv', csv, '```');
  return { title: title.slice(0, 200), body: lines.join('\n') };
}
