import { lookup } from 'node:dns/promises';
import type { Finding } from '../../../../shared/domain/finding.js';
import type { NetdumpPanic } from '../../../../shared/domain/netdump.js';
import type { Db } from '../../store/database.js';
import { CapturesRepo } from '../../store/captures-repo.js';
import type { Workspace } from '../../workspace/workspace.js';
import { panicFinding, serversForSender, type Resolver, type ServerCandidate } from './panic-finding.js';

/** Every server of every ticket, with the local_ip its netconsole plans set. */
export function serverCandidates(db: Db): ServerCandidate[] {
  const rows = db
    .prepare<[], { server_id: number; ticket_id: string; status: string; label: string; host: string }>(
      'SELECT s.id AS server_id, s.ticket_id, t.status, s.label, s.host FROM servers s JOIN tickets t ON t.id = s.ticket_id ORDER BY s.id',
    )
    .all();
  const plans = db.prepare<[], { server_id: number; detail: string }>("SELECT server_id, detail FROM plans WHERE kind = 'netconsole.target'").all();
  const localIps = new Map<number, string[]>();
  for (const plan of plans) {
    const detail = JSON.parse(plan.detail) as { localIp?: unknown };
    if (typeof detail.localIp === 'string') localIps.set(plan.server_id, [...(localIps.get(plan.server_id) ?? []), detail.localIp]);
  }
  return rows.map((row) => ({ ticketId: row.ticket_id, ticketStatus: row.status, serverId: row.server_id, label: row.label, host: row.host, localIps: localIps.get(row.server_id) ?? [] }));
}

/** Names through the system's resolver (/etc/hosts, DNS), with a time limit; nothing when it fails. */
export const systemResolver: Resolver = async (host) => {
  const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), 2000).unref());
  try {
    const found = await Promise.race([lookup(host, { all: true }), timeout]);
    return found.map((entry) => entry.address);
  } catch {
    return [];
  }
};

export interface RecordedPanic {
  /** Findings made now (none when every matching ticket already had this panic). */
  findings: Finding[];
  /** Servers it was matched to. */
  servers: ServerCandidate[];
}

/**
 * A captured panic onto the tickets whose servers sent it, once: the panic is recorded in the netdump
 * index, and each matching ticket gets one finding (a ticket that has a finding for this panic gets no
 * second one), with an audit entry. A panic from a sender no ticket knows is recorded and audited once.
 */
export async function recordPanic(ws: Workspace, panic: NetdumpPanic, resolve: Resolver = systemResolver): Promise<RecordedPanic> {
  const servers = await serversForSender(panic.sender, serverCandidates(ws.db), resolve);
  const repo = new CapturesRepo(ws.db);
  const findings = ws.change((tx) => {
    const first = repo.addPanic(panic, tx.now);
    const made: Finding[] = [];
    const done = new Set<string>();
    for (const server of servers) {
      if (done.has(server.ticketId)) continue;
      done.add(server.ticketId);
      if (ws.findings.listForTicket(server.ticketId).some((f) => f.detail.panicId === panic.id)) continue;
      const finding = ws.findings.add(panicFinding(panic, server.ticketId, server), tx.now);
      repo.linkPanic(panic.id, server.ticketId, finding.id);
      made.push(finding);
      tx.record({
        ticketId: server.ticketId,
        action: 'netdump.panic-captured',
        summary: `${server.label}: ${panic.title}`,
        detail: { panicId: panic.id, findingId: finding.id, sender: panic.sender, serverId: server.serverId, captureFile: panic.capture?.file ?? null, captureOffset: panic.capture?.offset ?? null },
      });
    }
    if (first && servers.length === 0) {
      tx.record({
        ticketId: null,
        action: 'netdump.panic-captured',
        summary: `${panic.sender}: ${panic.title} (no ticket has a server with this address)`,
        detail: { panicId: panic.id, sender: panic.sender, captureFile: panic.capture?.file ?? null, captureOffset: panic.capture?.offset ?? null },
      });
    }
    return made;
  });
  return { findings, servers };
}
