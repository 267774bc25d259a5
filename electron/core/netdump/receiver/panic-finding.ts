import { canonicalIp } from '../../../../shared/domain/address.js';
import type { NetdumpPanic, PanicKind } from '../../../../shared/domain/netdump.js';
import type { Finding } from '../../../../shared/domain/finding.js';
import type { NewFinding } from '../../store/findings-repo.js';

/** A server of a ticket, with what may tell it is the sender of a capture. */
export interface ServerCandidate {
  ticketId: string;
  ticketStatus: string;
  serverId: number;
  label: string;
  /** As typed: a name, an ssh config alias or an address. */
  host: string;
  /** The source addresses netconsole plans set on this server (`local_ip`). */
  localIps: string[];
}

/** A host's addresses (DNS, /etc/hosts, an ssh config alias's HostName); empty when it does not resolve. */
export type Resolver = (host: string) => Promise<string[]>;

const same = (a: string, b: string): boolean => (canonicalIp(a) ?? a) === (canonicalIp(b) ?? b);

/**
 * The servers that sent a capture: those whose netconsole plan set the sender as local_ip, else those
 * whose host is the sender's address or resolves to it. Closed tickets only when no open one matches.
 */
export async function serversForSender(sender: string, candidates: readonly ServerCandidate[], resolve: Resolver): Promise<ServerCandidate[]> {
  let matched = candidates.filter((c) => c.localIps.some((ip) => same(ip, sender)));
  if (matched.length === 0) matched = candidates.filter((c) => canonicalIp(c.host) !== null && same(c.host, sender));
  if (matched.length === 0) {
    const names = [...new Set(candidates.filter((c) => canonicalIp(c.host) === null).map((c) => c.host))];
    const resolved = await Promise.all(names.map(async (name) => [name, await resolve(name).catch(() => [])] as const));
    const hits = new Set(resolved.filter(([, addresses]) => addresses.some((a) => same(a, sender))).map(([name]) => name));
    matched = candidates.filter((c) => hits.has(c.host));
  }
  const open = matched.filter((c) => c.ticketStatus !== 'closed');
  return open.length > 0 ? open : matched;
}

const severity: Record<PanicKind, Finding['severity']> = { panic: 'critical', 'general-protection': 'high', oops: 'high', bug: 'high', warning: 'medium' };
const EVIDENCE_LIMIT = 200 * 1024;

const clip = (text: string): string => (text.length <= EVIDENCE_LIMIT ? text : `${text.slice(0, EVIDENCE_LIMIT)}\n[… ${text.length - EVIDENCE_LIMIT} more characters in the capture file …]`);

/** The finding a captured panic makes on a ticket: the panic line, the trace, the modules line, a pointer to the raw capture. Pure. */
export function panicFinding(panic: NetdumpPanic, ticketId: string, server: Pick<ServerCandidate, 'label'> | null): NewFinding {
  const from = server ? `${server.label} (${panic.sender})` : panic.sender;
  const evidence: NewFinding['evidence'] = [{ label: `Kernel output from ${from}`, content: clip(panic.lines.join('\n')) }];
  if (panic.trace.length > 0) evidence.push({ label: 'Call trace', content: clip(panic.trace.join('\n')) });
  if (panic.modules) evidence.push({ label: 'Modules linked in', content: clip(panic.modules) });
  if (panic.registers.length > 0) evidence.push({ label: 'Registers', content: clip(panic.registers.join('\n')) });
  return {
    ticketId,
    kind: 'observation',
    severity: severity[panic.kind],
    title: panic.title.slice(0, 300),
    detail: {
      source: 'netdump',
      panicId: panic.id,
      panicKind: panic.kind,
      sender: panic.sender,
      server: server?.label ?? null,
      kernelRelease: panic.kernelRelease,
      cpu: panic.cpu,
      hardware: panic.hardware,
      firstAt: panic.firstAt,
      lastAt: panic.lastAt,
      ended: panic.ended,
      captureFile: panic.capture?.file ?? null,
      captureOffset: panic.capture?.offset ?? null,
    },
    evidence,
  };
}
