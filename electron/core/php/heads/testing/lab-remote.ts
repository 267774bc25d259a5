import { join } from 'node:path';
import { WORKSPACE_DB_FILE } from '../../../data-dir.js';
import { EventBus } from '../../../events.js';
import type { HostKeyStore } from '../../../ssh/host-key-store.js';
import { localSsh } from '../../../ssh/local-ssh.js';
import { RemoteRunner } from '../../../ssh/remote.js';
import { openWorkspaceDb } from '../../../store/database.js';
import type { StoredServer } from '../../../store/servers-repo.js';
import { connectTrusting, type labSuite } from '../../../testing/lab-core.js';
import { Workspace } from '../../../workspace/workspace.js';

/**
 * For the PHP lab tests, which call the capability's functions below the contract: a real core (its
 * contract adds and connects the server), and a RemoteRunner over that core's own SSH sessions and
 * workspace database, so every run is carried and audited exactly as the handlers' are.
 */
export async function labRemote(suite: ReturnType<typeof labSuite>, on: string, as: string) {
  const app = suite.open({ keepaliveIntervalS: 2, connectTimeoutMs: 5000 });
  const lab = suite.lab;
  const host = lab.hosts.find((h) => h.name === on);
  if (!host) throw new Error(`The lab has no host ${on} (bash e2e/lab/status.sh)`);
  const user = lab.users.find((u) => u.name === as);
  const keyFile = user?.keys[0] ? lab.keys.find((k) => k.name === user.keys[0])!.privateKey : lab.keys.find((k) => k.name === 'lab_root')!.privateKey;
  const ticketId = `TKT-${Math.floor(10000 + Math.random() * 89999)}`;
  await app.call('tickets.create', { id: ticketId, title: 'PHP eats the machine' });
  const byPassword = user?.login === 'password';
  const added = await app.call('servers.add', { ticketId, label: on, host: host.address, user: user?.name ?? 'root', ...(byPassword ? { auth: 'password' as const } : { auth: 'key' as const, keyFile }) });
  await connectTrusting(app, added.id, byPassword ? { password: user.password! } : {});
  const db = openWorkspaceDb(join(app.dataDir, WORKSPACE_DB_FILE));
  const ws = new Workspace(db, new EventBus(), 'lab', () => new Date());
  const remote = new RemoteRunner(ws, {
    sessions: app.core.sessions,
    hostKeys: {} as HostKeyStore,
    local: localSsh({ home: suite.home, user: 'engineer', agentSocket: null }),
    runsDir: join(app.dataDir, 'runs'),
    output: { headBytes: 256 * 1024, tailBytes: 256 * 1024, liveBudgetBytes: 1024 * 1024, auditBytes: 16 * 1024 },
  });
  const server: StoredServer = ws.servers.get(added.id);
  /** The audit entries of the ticket, newest first. */
  const audit = () => db.prepare('SELECT action, summary, detail FROM audit_log WHERE ticket_id = ? ORDER BY id DESC').all(ticketId) as { action: string; summary: string; detail: string }[];
  return { app, remote, server, audit, close: () => db.close() };
}
