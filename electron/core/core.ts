import { handshakeConcurrencyFrom } from './ssh/handshake-concurrency.js';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { secureDataDir, WORKSPACE_DB_FILE } from './data-dir.js';
import { createDispatch, type Dispatch } from './dispatch.js';
import { EventBus } from './events.js';
import type { Handlers } from './handlers.js';
import { findingHandlers } from './workspace/finding-handlers.js';
import { firewallHandlers } from './firewall/handlers.js';
import { phpHandlers } from './php/handlers.js';
import { createNetdump } from './netdump/handlers.js';
import { noteHandlers } from './workspace/note-handlers.js';
import { ticketHandlers } from './workspace/ticket-handlers.js';
import { recordLost } from './ssh/connection-record.js';
import { serverHandlers } from './ssh/server-handlers.js';
import { snippetsHandlers } from './workspace/snippets-handlers.js';
import { RemoteRunner } from './ssh/remote.js';
import { runHandlers } from './ssh/run-handlers.js';
import type { SshDeps } from './ssh/ssh-deps.js';
import { terminalHandlers } from './ssh/terminal-handlers.js';
import { workspaceHandlers } from './workspace/workspace-handlers.js';
import { reportingHandlers, requireSourceConfig } from './reporting/handlers.js';
import { REPORTING_DB_FILE } from './reporting/cache/database.js';
import { ReportLibrary } from './reporting/reports/library.js';
import { ReportRunner } from './reporting/reports/runner.js';
import type { ReportProcessLauncher } from './reporting/reports/report-process.js';
import { SyncController } from './reporting/sync-controller.js';
import { WorkerSink } from './reporting/sync/worker-sink.js';
import { sha256Fingerprint } from './ssh/fingerprint.js';
import { HostKeyStore } from './ssh/host-key-store.js';
import { localSsh, userKnownHostsFiles, type LocalSshOptions } from './ssh/local-ssh.js';
import { SecretVault, type Encryptor } from './ssh/secret-vault.js';
import { SshSessions } from './ssh/sessions.js';
import { openWorkspaceDb } from './store/database.js';
import { Workspace } from './workspace/workspace.js';
import { createTicketSystem } from './tickets/handlers.js';

export interface CoreOptions {
  dataDir: string;
  shell: 'electron' | 'browser';
  version: string;
  clock?: () => Date;
  user?: string;
  log?: (message: string, error: unknown) => void;
  /** The engineer's SSH setup; defaults to this user's home, ~/.ssh and SSH_AUTH_SOCK. */
  ssh?: LocalSshOptions & {
    connectTimeoutMs?: number;
    keepaliveIntervalS?: number;
    keepaliveCountMax?: number;
    /** SSH handshakes at once (BACKLINE_SSH_HANDSHAKES, else 16): a fan-out to many new servers queues the rest. */
    handshakeConcurrency?: number;
  };
  /** OS-backed encryption for secrets the engineer asks to keep (Electron's safeStorage); none in the browser shell. */
  encryptor?: Encryptor;
  /** The reporting cache; each defaults from the environment, then from the data directory. */
  reporting?: {
    /** Source config (BACKLINE_REPORTING_SOURCES, else <dataDir>/reporting-sources.json). */
    configFile?: string;
    /** Read-only folders of reports a team shares (BACKLINE_REPORT_DIRS, colon-separated). */
    sharedReportDirs?: string[];
    /** Rows per sync transaction (BACKLINE_SYNC_BATCH_ROWS); the engine's default otherwise. */
    batchRows?: number;
    /** What starts report processes: a Node child by default; Electron's utilityProcess in the desktop app. */
    reportProcess?: ReportProcessLauncher;
  };
}

/** The plain-Node core: it knows nothing of Electron or HTTP; shells bind `dispatch` and `events`. */
export interface Core {
  dispatch: Dispatch;
  events: EventBus;
  handlers: Handlers;
  /** The live SSH connections, for benchmarks that measure below the contract (ssh2 on the same connections). */
  sessions: SshSessions;
  /** Closes everything at once (tests, a start that failed): what the netdump receiver still holds may miss the index. */
  close(): void;
  /** Closes at exit: the netdump receiver writes and indexes everything it received before the store closes. */
  shutdown(): Promise<void>;
}

export function createCore(options: CoreOptions): Core {
  // A setting that is wrong stops the start before anything is opened.
  const handshakeConcurrency = options.ssh?.handshakeConcurrency ?? handshakeConcurrencyFrom(process.env);
  // Before anything is opened: the data folder 0700, and what a Backline before this one left readable to others 0600.
  secureDataDir(options.dataDir);
  const db = openWorkspaceDb(join(options.dataDir, WORKSPACE_DB_FILE));
  const events = new EventBus();
  const user = options.user ?? userInfo().username;
  const workspace = new Workspace(db, events, user, options.clock ?? (() => new Date()));
  const local = localSsh(options.ssh);
  const hostKeys = new HostKeyStore(userKnownHostsFiles(local.env.home), join(options.dataDir, 'known_hosts'));
  const sessions = new SshSessions({
    options: {
      connectTimeoutMs: options.ssh?.connectTimeoutMs ?? 15_000,
      keepaliveIntervalS: options.ssh?.keepaliveIntervalS ?? 15,
      keepaliveCountMax: options.ssh?.keepaliveCountMax ?? 3,
      checkHostKey: (hop, key) => hostKeys.check(hop.hostKeyName, hop.port, key),
      hostKeyAlgorithms: (hop) => hostKeys.hostKeyAlgorithms(hop.hostKeyName, hop.port),
      fingerprint: sha256Fingerprint,
    },
    channelsPerConnection: 8,
    handshakeConcurrency,
    onStateChange: (serverId, state) => {
      const server = workspace.servers.find(serverId);
      if (server) workspace.publish('server.connection', { ticketId: server.ticketId, serverId, state });
      // A lost connection goes on the record and stays on the server's row.
      if (state === 'lost') recordLost(workspace, ssh, serverId);
    },
  });
  const ssh: SshDeps = {
    sessions,
    vault: options.encryptor ? new SecretVault(join(options.dataDir, 'secrets.json'), options.encryptor) : undefined,
    hostKeys,
    local,
    runsDir: join(options.dataDir, 'runs'),
    output: { headBytes: 256 * 1024, tailBytes: 256 * 1024, liveBudgetBytes: 1024 * 1024, auditBytes: 16 * 1024 },
  };
  const remote = new RemoteRunner(workspace, ssh);
  const clock = options.clock ?? (() => new Date());
  const log = options.log ?? ((message, error) => console.error(`[backline] ${message}:`, error));
  const reportingConfigFile = options.reporting?.configFile ?? (process.env.BACKLINE_REPORTING_SOURCES || join(options.dataDir, 'reporting-sources.json'));
  const cacheFile = join(options.dataDir, REPORTING_DB_FILE);
  const batchRows = options.reporting?.batchRows ?? (Number(process.env.BACKLINE_SYNC_BATCH_ROWS) || undefined);
  const sync = new SyncController({
    loadConfig: () => requireSourceConfig(reportingConfigFile),
    openSink: () => new WorkerSink(cacheFile),
    publish: (state) => workspace.publish('reporting.sync', state),
    clock,
    ...(batchRows ? { batchRows } : {}),
    log,
  });
  const runner = new ReportRunner({ cacheFile, ...(options.reporting?.reportProcess ? { launcher: options.reporting.reportProcess } : {}) });
  const library = new ReportLibrary({
    savedDir: join(options.dataDir, 'reports'),
    extraDirs: options.reporting?.sharedReportDirs ?? (process.env.BACKLINE_REPORT_DIRS ?? '').split(':').filter(Boolean),
    check: (sql) => runner.check(sql),
  });
  const netdump = createNetdump({ ws: workspace, remote, dataDir: options.dataDir, log });
  const ticketSystem = createTicketSystem({ ws: workspace, dataDir: options.dataDir, encryptor: options.encryptor, log });
  const handlers: Handlers = {
    ...workspaceHandlers(workspace, { version: options.version, shell: options.shell, dataDir: options.dataDir, user }),
    ...ticketHandlers(workspace),
    ...noteHandlers(workspace),
    ...findingHandlers(workspace),
    ...serverHandlers(workspace, ssh, remote),
    ...runHandlers(workspace),
    ...terminalHandlers(workspace, ssh),
    ...firewallHandlers(workspace, remote),
    ...phpHandlers(workspace, ssh, events),
    ...reportingHandlers({ configFile: reportingConfigFile, cacheFile, sync, library, runner, clock }),
    ...netdump.handlers,
    ...snippetsHandlers(workspace, user),
    ...ticketSystem.handlers,
  };
  // Listening again if it was on when Backline stopped; a failure is in its state, for the Netdump tab.
  void netdump.resume().catch((error: unknown) => log('netdump receiver resume', error));
  // Posts a Backline before this one left queued (or mid-send) go out now, each once.
  ticketSystem.resume();
  const closeRest = () => {
    ticketSystem.close();
    sessions.closeAll();
    void sync.close();
    runner.close();
    db.close();
  };
  return {
    dispatch: createDispatch(handlers, log),
    events,
    handlers,
    sessions,
    close: () => {
      void netdump.close().catch((error: unknown) => log('netdump receiver close', error));
      closeRest();
    },
    shutdown: async () => {
      try {
        await netdump.close();
      } catch (error) {
        log('netdump receiver close', error);
      }
      closeRest();
    },
  };
}
