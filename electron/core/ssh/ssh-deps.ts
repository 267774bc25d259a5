import type { StoredServer } from '../store/servers-repo.js';
import type { HostKeyStore } from './host-key-store.js';
import { hopsFor, resolveServerChain, type LocalSsh } from './resolve-server.js';
import type { SecretVault } from './secret-vault.js';
import type { SshSessions } from './sessions.js';

/** What the SSH capability is built from; made once by the core and passed in (no singletons). */
export interface SshDeps {
  sessions: SshSessions;
  /** Where secrets the engineer asked to keep are stored encrypted; absent in the browser shell. */
  vault?: SecretVault | undefined;
  hostKeys: HostKeyStore;
  local: LocalSsh;
  /** Where full outputs too large to keep in memory are written. */
  runsDir: string;
  output: { headBytes: number; tailBytes: number; liveBudgetBytes: number; auditBytes: number };
}

/** How to reach a server now: its hops with this session's secrets, worked out at every (re)connect. */
export const hopsOf = (ssh: SshDeps, server: StoredServer) => () => hopsFor(server, ssh.local, ssh.sessions.secretsFor(server.id));

/** The last hop: the user, host and port the server is really reached as. */
export const targetOf = (ssh: SshDeps, server: StoredServer) => resolveServerChain(server, ssh.local).at(-1)!;

/** user@host:port as the audit and the terminal name it. */
export const whereOf = (ssh: SshDeps, server: StoredServer) => {
  const target = targetOf(ssh, server);
  return `${target.user}@${target.hostName}:${target.port}`;
};
