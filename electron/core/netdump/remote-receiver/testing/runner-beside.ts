import { join } from 'node:path';
import { WORKSPACE_DB_FILE } from '../../../data-dir.js';
import { EventBus } from '../../../events.js';
import { sha256Fingerprint } from '../../../ssh/fingerprint.js';
import { HostKeyStore } from '../../../ssh/host-key-store.js';
import { localSsh, userKnownHostsFiles } from '../../../ssh/local-ssh.js';
import { RemoteRunner } from '../../../ssh/remote.js';
import type { SshDeps } from '../../../ssh/ssh-deps.js';
import { SshSessions } from '../../../ssh/sessions.js';
import { openWorkspaceDb } from '../../../store/database.js';
import { Workspace } from '../../../workspace/workspace.js';

/**
 * For lab tests of pieces the contract does not reach yet: a workspace and the one audited runner
 * opened beside a lab core, on the same data folder (its database, its known_hosts), so servers added
 * and trusted through the core are run on here, with every run on the same audit log.
 */
export function runnerBeside(dataDir: string, home: string) {
  const db = openWorkspaceDb(join(dataDir, WORKSPACE_DB_FILE));
  const ws = new Workspace(db, new EventBus(), 'engineer', () => new Date());
  const local = localSsh({ home, user: 'engineer', agentSocket: null });
  const hostKeys = new HostKeyStore(userKnownHostsFiles(home), join(dataDir, 'known_hosts'));
  const sessions = new SshSessions({
    options: {
      connectTimeoutMs: 8000,
      keepaliveIntervalS: 15,
      keepaliveCountMax: 2,
      checkHostKey: (hop, key) => hostKeys.check(hop.hostKeyName, hop.port, key),
      hostKeyAlgorithms: (hop) => hostKeys.hostKeyAlgorithms(hop.hostKeyName, hop.port),
      fingerprint: sha256Fingerprint,
    },
    channelsPerConnection: 8,
    onStateChange: () => undefined,
  });
  const ssh: SshDeps = { sessions, vault: undefined, hostKeys, local, runsDir: join(dataDir, 'runs-beside'), output: { headBytes: 256 * 1024, tailBytes: 256 * 1024, liveBudgetBytes: 1024 * 1024, auditBytes: 16 * 1024 } };
  const remote = new RemoteRunner(ws, ssh);
  return {
    ws,
    remote,
    close: () => {
      sessions.closeAll();
      db.close();
    },
  };
}
