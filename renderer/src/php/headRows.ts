import { canonicalIp } from '../../../shared/domain/address.js';
import { formatMs, headAnswer, headBodyBytes, roundSize } from '../../../shared/domain/php-findings.js';
import type { HeadProbeResult, HeadResult } from '../../../shared/domain/php-scan.js';
import type { BlockPrefill } from '../firewall/blockHandoff.js';

/** One row of the heads table, as shown. */
export interface HeadRow {
  address: string;
  status: string;
  /** Body bytes received; over the cap shows "over". */
  size: string;
  capCut: boolean;
  contentLength: string;
  ttfb: string;
  total: string;
  phpPeak: string;
  marked: boolean;
  reasons: string;
  head: HeadResult;
}

const dash = '—';

export function headRows(probe: HeadProbeResult): HeadRow[] {
  return probe.heads.map((head) => {
    const f = head.fetch;
    const php = head.php;
    return {
      address: head.address,
      status: f.status === null ? (f.error ?? 'no answer') : String(f.status),
      size: f.capped ? `over ${roundSize(f.bytes)}` : roundSize(f.bytes),
      capCut: f.capped,
      contentLength: f.contentLength !== null ? roundSize(f.contentLength) : f.chunked ? 'chunked' : dash,
      ttfb: f.ttfbMs === null ? dash : formatMs(f.ttfbMs),
      total: f.totalMs === null ? dash : `${formatMs(f.totalMs)}${f.timedOut ? ' (timed out)' : ''}`,
      phpPeak: php === null ? dash : php.memoryExhausted ? `over ${php.memoryLimit} (exhausted)` : php.peakMemoryBytes === null ? (php.error ?? dash) : roundSize(php.peakMemoryBytes),
      marked: head.marks.length > 0,
      reasons: head.marks.map((m) => m.reason).join('; '),
      head,
    };
  });
}

/** What "Block this head" hands the Firewall tab: the host, that address, the URL's port, and why. */
export function blockPrefillOf(ticketId: string, serverId: number, probe: HeadProbeResult, head: HeadResult): Omit<BlockPrefill, 'seq'> {
  const reasons = head.marks.map((m) => m.reason).join('; ');
  return {
    ticketId,
    serverId,
    host: probe.host,
    address: canonicalIp(head.address) ?? head.address,
    addresses: probe.addresses.map((a) => ({ address: canonicalIp(a.address) ?? a.address, family: a.family })),
    alsoMarked: probe.heads.filter((other) => other !== head && answersAlike(other, head)).map((other) => canonicalIp(other.address) ?? other.address),
    port: probe.port,
    reason: reasons ? `${headAnswer(head)}; ${reasons}` : headAnswer(head),
  };
}

/** Two marked heads that answered the same way: the same status and the same kinds of difference (one head's IPv4 and IPv6 addresses). */
function answersAlike(a: HeadResult, b: HeadResult): boolean {
  const kinds = (h: HeadResult) => h.marks.map((m) => m.kind).sort().join(',');
  return a.marks.length > 0 && b.marks.length > 0 && a.fetch.status === b.fetch.status && kinds(a) === kinds(b);
}

/** The heads of a probe that answer unlike the others, largest body first. */
export function markedHeads(probe: HeadProbeResult): HeadResult[] {
  return probe.heads.filter((h) => h.marks.length > 0).sort((a, b) => headBodyBytes(b) - headBodyBytes(a));
}
